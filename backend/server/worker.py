"""The gunicorn worker `make run` and the Procfile use: gthread, hardened for phone clients.

- Every blocking read on a client socket (request line, headers, body) gives up after
  CLIPSCOPE_BODY_IDLE_TIMEOUT_S without a byte, so a stalled phone frees its thread; a slow one
  that keeps sending is never cut.
- What gunicorn refuses itself (a request line too long, headers too large, a malformed chunk)
  is answered in our JSON error shape instead of gunicorn's HTML page.
- A body the app refused is not drained for seconds: the connection closes instead.
- A connection is closed politely (RFC 9112 9.6) by the event loop's poller, not by a blocking
  read on the loop's thread (linger.py).
- Requests with a body take turns in a few slots, so bursts of them leave the GIL to the polls
  (gate.py).
- Past capacity a request is refused at once with 503 `overloaded` (admission.py).
- A worker accepts connections only while it holds no more than its peers (spread.py).
- The body stream handed to the app raises OSError for a body cut short or malformed, so the
  app answers 400 (not 500) without knowing which server it runs under.
"""

from __future__ import annotations

import contextlib
import errno
import json
import select
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent import futures
from typing import Any, TypeVar, cast

from flask import Flask
from gunicorn import util
from gunicorn.http.errors import ParseException
from gunicorn.workers import gthread

from backend.server import spread
from backend.server.admission import Admission, gated
from backend.server.gate import BodyGate, has_body
from backend.server.linger import LingeringCloses
from backend.services import Services

T = TypeVar("T")

_MESSAGES = {
    400: ("bad_request", "The request is malformed."),
    403: ("forbidden", "This request is not allowed."),
    414: ("uri_too_long", "The address is too long."),
    417: ("expectation_failed", "The server cannot meet the request's Expect header."),
    431: ("headers_too_large", "The request headers are too large."),
    500: ("internal_error", "Something went wrong on our side."),
    501: ("not_implemented", "The server does not support this transfer coding."),
}


# How long an unread rest of a request body may take to arrive before the connection closes.
DRAIN_S = 0.25
SWITCH_INTERVAL_S = 0.001
PRESTART_TIMEOUT_S = 30.0
# While a worker holds more connections than its peers its listener is off, and it looks again
# this often (instead of gthread's 1 s) so that it takes its turn as soon as the peers catch up.
PAUSED_POLL_S = 0.01
# ~100 ms: longer than a busy worker's event loop takes to come round, short for a phone.
LEFT_WAITING_LOOKS = 10
RETRY_AFTER_OVERLOADED_S = 2


class IdleTimeoutSocket(socket.socket):
    """A client socket whose blocking mode always carries the idle timeout."""

    __slots__ = ()
    idle_timeout_s: float = 30.0

    def setblocking(self, flag: bool) -> None:
        # gunicorn switches a connection to blocking mode for every request it serves.
        if flag:
            self.settimeout(self.idle_timeout_s)
        else:
            super().setblocking(False)


def _error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()


_OVERLOADED = _error_body(
    "overloaded", "The server is busy right now; try again in a moment. Nothing was lost."
)


def write_json_error(sock: socket.socket, status: int, reason: str, _detail: str) -> None:
    """gunicorn's own refusals, in the API's one error shape."""
    code, message = _MESSAGES.get(status, ("bad_request", "The request is malformed."))
    body = _error_body(code, message)
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


class GuardedInput:
    """wsgi.input whose read errors are all OSError (TimeoutError for a stalled body).

    Its reads wait for the network without the request's body slot (backend/server/gate.py).
    """

    def __init__(self, stream: Any, gate: BodyGate) -> None:
        self._stream = stream
        self._gate = gate

    def _guard(self, read: Callable[..., T], *args: Any) -> T:
        try:
            return self._gate.waiting(read, *args)
        except ParseException as error:
            raise OSError(f"malformed request body: {error}") from None

    def read(self, size: int | None = None) -> bytes:
        return bytes(self._guard(self._stream.read, size))

    def readline(self, size: int | None = None) -> bytes:
        return bytes(self._guard(self._stream.readline, size))

    def readlines(self, hint: int | None = None) -> list[bytes]:
        return list(self._guard(self._stream.readlines, hint))

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line


# When the request being served by this thread was handed to the thread pool (monotonic s), if
# its bytes were known to be there then (a kept-alive connection the poller saw readable).
_handed_over = threading.local()


def waited_for_thread() -> float:
    """How long this thread's request waited between the event loop and this thread."""
    handed = getattr(_handed_over, "at", None)
    return 0.0 if handed is None else time.monotonic() - handed


def guard_input(
    app: Callable[..., Iterable[bytes]], admission: Admission
) -> Callable[..., Iterable[bytes]]:
    gate = BodyGate()

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ["wsgi.input"] = GuardedInput(environ["wsgi.input"], gate)
        if has_body(environ):
            with gate.turn():
                return app(environ, start_response)
        if not gated(environ):
            return app(environ, start_response)
        if not admission.enter(waited_for_thread()):
            return overloaded(start_response)
        started = time.perf_counter()
        try:
            return app(environ, start_response)
        finally:
            admission.leave(time.perf_counter() - started)

    return wrapped


def overloaded(start_response: Callable[..., Any]) -> list[bytes]:
    """503 in the one error shape, before any of the request's work is done."""
    start_response(
        "503 Service Unavailable",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(_OVERLOADED))),
            ("Retry-After", str(RETRY_AFTER_OVERLOADED_S)),
        ],
    )
    return [_OVERLOADED]


class Connection(gthread.TConn):  # type: ignore[misc]
    """gthread's connection, closed politely without blocking the event loop (linger.py)."""

    def __init__(self, lingering: LingeringCloses, *args: Any) -> None:
        super().__init__(*args)
        self.lingering = lingering

    def close(self, graceful: bool = False) -> None:
        if graceful:
            self.lingering.close(self.sock)
        else:
            util.close(self.sock)


class ClipscopeWorker(gthread.ThreadWorker):  # type: ignore[misc]
    wsgi: Callable[..., Iterable[bytes]]
    services: Services
    lingering: LingeringCloses
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
        # Scoped to this worker process: base.handle_error writes through util.write_error.
        util.write_error = write_json_error
        super().init_process()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.services = cast(Flask, self.wsgi).extensions["clipscope"]
        # Before run() accepts the first connection: the app's own reading of the setting.
        IdleTimeoutSocket.idle_timeout_s = self.services.config.body_idle_timeout_s
        admission = Admission(self.services.config.queue_max_ms / 1000)
        self.wsgi = guard_input(self.wsgi, admission)

    def get_thread_pool(self) -> futures.ThreadPoolExecutor:
        # Every request thread starts now. A thread started on demand is started by the event
        # loop's thread, which waits for it to run: a burst of new connections (a hundred phones
        # back in coverage) then held up every poll of the process while the pool grew.
        pool = super().get_thread_pool()
        started = threading.Barrier(self.cfg.threads + 1)
        try:
            for _ in range(self.cfg.threads):
                pool.submit(started.wait, PRESTART_TIMEOUT_S)  # none idle: each starts one
        except RuntimeError:  # the system gives no more threads: serve with those we have
            started.abort()
        with contextlib.suppress(threading.BrokenBarrierError):
            started.wait(PRESTART_TIMEOUT_S)
        return cast(futures.ThreadPoolExecutor, pool)

    def run(self) -> None:
        self.lingering = LingeringCloses(self.poller)  # the poller exists from here on
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
        # A connection whose request is already there (kept alive, seen readable): from now on
        # its wait counts toward the admission's bound (admission.py).
        conn.handed_over_at = time.monotonic() if conn.initialized or conn.data_ready else None
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        _handed_over.at = getattr(conn, "handed_over_at", None)
        try:
            return super().handle(conn)
        finally:
            _handed_over.at = None

    def _keepalive_after(self, conn: Any, keepalive: bool) -> bool:
        # gunicorn drains a body the app refused to read (a stalled, cut or too-large upload)
        # for up to 5 s before reusing the connection; a thread is worth more than that
        # connection, so a body that is not already here closes it.
        if not keepalive:
            return False
        return bool(conn.parser.finish_body(deadline=time.monotonic() + DRAIN_S))

    def accept(self, listener: Any) -> None:
        # gthread's accept(), with the client socket's class swapped for IdleTimeoutSocket
        # and the connection's for one that closes without blocking the loop.
        try:
            client, address = listener.accept()
            self.nr_conns += 1
            client.__class__ = IdleTimeoutSocket
            client.setblocking(True)
            conn = Connection(self.lingering, self.cfg, client, address, listener.getsockname())
            self.enqueue_req(conn)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
