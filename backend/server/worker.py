"""The gunicorn worker `make run` and the Procfile use: gthread, hardened for phone clients.

- Every blocking read on a client socket gives up after CLIPSCOPE_BODY_IDLE_TIMEOUT_S without a
  byte, so a stalled phone frees its thread; a slow one that keeps sending is never cut; and a
  connection is closed politely without blocking the event loop (connection.py, linger.py).
- What gunicorn refuses itself (a request line too long, headers too large, a malformed chunk)
  is answered in our JSON error shape instead of gunicorn's HTML page (refusals.py).
- A body the app refused is not drained for seconds: the connection closes instead.
- The app is wrapped (guard.py): a body stream whose errors are OSError, requests with a body
  take turns (gate.py), and past capacity a request is refused at once with 503 (admission.py).
- Before that, past capacity the event loop refuses a status poll without handing it to a
  thread, and the polls it hands over take turns before they are parsed (backlog.py, peek.py).
- A worker accepts connections only while it holds no more than its peers (spread.py).
- Its request threads all start up front; the one idle last serves next (threads.py).

Only overridable methods of gthread's worker and connection are overridden; the one private
method (`_keepalive_after`) is marked below. tests/server/test_gunicorn_surface.py pins the
gunicorn version and the signature of every member used here.
"""

from __future__ import annotations

import contextlib
import gc
import select
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent import futures
from typing import Any, cast

from flask import Flask
from gunicorn.workers import gthread

from backend.server import spread
from backend.server.admission import Admission
from backend.server.backlog import Backlog
from backend.server.connection import Connection
from backend.server.guard import count_shed, guard_input, overloaded_answer, set_handed_over
from backend.server.linger import LingeringCloses
from backend.server.peek import PollHead, peek_poll
from backend.server.refusals import refusal_for
from backend.server.threads import WarmThreadPool
from backend.services import Services

# How long an unread rest of a request body may take to arrive before the connection closes.
DRAIN_S = 0.25
SWITCH_INTERVAL_S = 0.001
# While a worker holds more connections than its peers its listener is off, and it looks again
# this often (instead of gthread's 1 s) so that it takes its turn as soon as the peers catch up.
PAUSED_POLL_S = 0.01
# ~100 ms: longer than a busy worker's event loop takes to come round, short for a phone.
LEFT_WAITING_LOOKS = 10


class ClipscopeWorker(gthread.ThreadWorker):  # type: ignore[misc]
    wsgi: Callable[..., Iterable[bytes]]
    services: Services
    lingering: LingeringCloses
    backlog: Backlog
    idle_timeout_s: float = 30.0
    # Set by gunicorn.conf.py's pre_fork: this worker's row in the connection table.
    share_slot: int | None = None
    _max_connections: int = 1000
    _share_paused = False
    _left_waiting = 0

    @property
    def worker_connections(self) -> int:
        # gthread's loop accepts while nr_conns < worker_connections, asked on every turn:
        # answering nr_conns turns the listener off while this worker holds more than its share.
        table = spread.shares()
        if table is None or self.share_slot is None:
            return self._max_connections
        table.publish(self.share_slot, self.nr_conns)
        self._share_paused = not table.may_accept(self.share_slot, self.nr_conns)
        return self.nr_conns if self._share_paused else self._max_connections

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._max_connections = value

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        if not self._share_paused:
            self._left_waiting = 0
            super().wait_for_and_dispatch_events(timeout)
            return
        super().wait_for_and_dispatch_events(min(timeout, PAUSED_POLL_S))
        # A connection the least loaded peer leaves waiting for LEFT_WAITING_LOOKS looks in a
        # row (that worker is stopped, or stuck in a long piece of work) is taken here: no
        # connection waits long for the balance's sake.
        ready = select.select(self.sockets, [], [], 0)[0] if self.sockets else []
        self._left_waiting = self._left_waiting + 1 if ready else 0
        if self._left_waiting >= LEFT_WAITING_LOOKS:
            for listener in ready:
                self.accept(listener)

    def init_process(self) -> None:
        # Hundreds of request threads share one GIL: hand it over every 1 ms instead of 5 ms,
        # so that a short status poll does not queue behind threads busy with upload chunks.
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        super().init_process()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.services = cast(Flask, self.wsgi).extensions["clipscope"]
        # Before run() accepts the first connection: the app's own reading of the setting.
        self.idle_timeout_s = self.services.config.body_idle_timeout_s
        admission = Admission(self.services.config.queue_max_ms / 1000)
        self.backlog = Backlog(admission.max_wait_s, admission.slots)
        self.wsgi = guard_input(self.wsgi, admission)

    def get_thread_pool(self) -> futures.Executor:
        # Every request thread starts now, and the one idle last serves next (threads.py).
        return WarmThreadPool(self.cfg.threads)

    def run(self) -> None:
        self.lingering = LingeringCloses(self.poller)  # the poller exists from here on
        # The app, its imports and the request threads are ~100,000 objects that live as long as
        # the process; left to the collector, each full collection walked them all with the GIL
        # held: 45-90 ms of CPU, a few times a minute under polling, every request of the process
        # stopped meanwhile. Frozen, a full collection walks only what came after.
        gc.collect()
        gc.freeze()
        # Until this line a worker is absent from the connection table and its peers take
        # every connection: an operator (and a test) can tell when the spread begins.
        self.log.info("Accepting connections (worker slot %s)", self.share_slot)
        super().run()

    def murder_keepalived(self, force: bool = False) -> None:
        # Called on every turn of the event loop, and with force=True at the end.
        super().murder_keepalived(force)
        self.lingering.expire(force)

    def handle_exit(self, sig: int, frame: Any) -> None:
        # A stop (deploy, SIGTERM) hands the running jobs back to the queue now, while the
        # loop finishes the requests in flight; waiting for the analyses would hold the stop
        # for as long as the longest one, and the graceful timeout would then kill it anyway.
        self._leave_table()  # the peers take the new connections from now on
        super().handle_exit(sig, frame)
        threading.Thread(target=self.services.stop, name="clipscope-stop").start()

    def _leave_table(self) -> None:
        table = spread.shares()
        if table is not None and self.share_slot is not None:
            table.publish(self.share_slot, spread.ABSENT)
            self.share_slot = None

    def handle_quit(self, sig: int, frame: Any) -> None:
        # A quick stop (SIGINT, SIGQUIT) exits at once: the jobs go back to the queue first,
        # or the exit would wait for the analyses' threads.
        self.services.stop()
        super().handle_quit(sig, frame)

    def enqueue_req(self, conn: Any) -> None:
        # Every connection passes here on its way to a thread; a new one, just made by gthread's
        # accept(), becomes ours (connection.py) before its first request is read.
        if not isinstance(conn, Connection):
            conn = Connection.adopt(conn, self.lingering, self.idle_timeout_s)
        # A connection whose request is already there (kept alive, seen readable): from now on
        # its wait counts toward the admission's bound (admission.py).
        now = time.monotonic()
        conn.handed_over_at = now if conn.initialized or conn.data_ready else None
        conn.poll = self._waiting_poll(conn)
        conn.ticket = None
        if conn.poll is not None:
            if self.backlog.behind():
                # Refused here, in microseconds, with no thread and no parsing (backlog.py).
                self.finish_request(conn, _done(self._refuse_unparsed(conn, conn.poll)))
                return
            conn.handed_over_at = now
            conn.ticket = self.backlog.hand_over()
        super().enqueue_req(conn)

    def _waiting_poll(self, conn: Connection) -> PollHead | None:
        """The status poll waiting whole in the connection's socket, if that is what it holds."""
        if self.cfg.is_ssl or conn.is_http2:
            return None  # its bytes say nothing before they are decrypted or framed
        if conn.parser is not None and conn.parser.unreader.buf.getvalue():
            return None  # read ahead by the parser: the next request is not in the socket
        return peek_poll(conn.sock)

    def _refuse_unparsed(self, conn: Connection, poll: PollHead) -> bool:
        """503 `overloaded` to the poll in the socket, which is taken out unparsed first (so
        that a close sends no reset, and a kept connection's next request starts clean).
        Whether the connection may serve another request."""
        # Only a connection with a parser goes back to gthread's keep-alive; a new one closes.
        keep = (
            poll.keep_alive
            and conn.parser is not None
            and self.alive
            and self.cfg.keepalive > 0
            and len(self.keepalived_conns) < self.max_keepalived
        )
        answer = overloaded_answer(keep, poll.head_only)
        try:
            taken = conn.sock.recv(poll.length, socket.MSG_DONTWAIT)
            # It fits an empty send buffer: a client that reads its answers never blocks this.
            whole = len(taken) == poll.length
            sent = conn.sock.send(answer, socket.MSG_DONTWAIT) if whole else 0
        except OSError:
            sent = 0
        count_shed()
        self.backlog.refused()
        return keep and sent == len(answer)

    def handle(self, conn: Connection) -> Any:
        ticket, poll = conn.ticket, conn.poll
        if ticket is not None and poll is not None and not ticket.take_turn():
            # Past the bound before a turn came: refused unparsed, as the loop does.
            ticket.leave()
            return self._refuse_unparsed(conn, poll)
        set_handed_over(conn.handed_over_at, ticket)
        try:
            return super().handle(conn)
        finally:
            set_handed_over(None)
            if ticket is not None:
                ticket.leave()  # its answer written and logged (or it never reached the app)

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: Exception) -> None:
        # gunicorn's own refusals (and an error that escaped the app) in our JSON shape, where
        # gunicorn's handler writes an HTML page; the connection closes after it.
        refusal = refusal_for(exc)
        if refusal.client_error:
            ip = addr[0] if addr else ""
            self.log.warning("Invalid request from ip=%s: %s", ip, exc)
        else:
            self.log.exception("Error handling request %s", getattr(req, "uri", "(no URI read)"))
        # Never waits for a client that does not read: the answer fits its socket's buffer.
        with contextlib.suppress(OSError):
            client.setblocking(False)
            client.sendall(refusal.answer())

    # PRIVATE HOOK (the only one): gthread asks it, after each response, whether the connection
    # may serve another request. tests/server/test_slow_clients.py shows the quick close.
    def _keepalive_after(self, conn: Connection, keepalive: bool) -> bool:
        # gunicorn drains a body the app refused to read (a stalled, cut or too-large upload)
        # for up to 5 s before reusing the connection; a thread is worth more than that
        # connection, so a body that is not already here closes it.
        if not keepalive:
            return False
        return bool(conn.parser.finish_body(deadline=time.monotonic() + DRAIN_S))


def _done(result: bool) -> futures.Future[bool]:
    """A finished future, as gthread's finish_request() takes a thread's answer."""
    future: futures.Future[bool] = futures.Future()
    future.set_result(result)
    return future
