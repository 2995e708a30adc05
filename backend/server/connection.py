"""gthread's connection with two changes: its blocking reads give up when the client is idle,
and its polite close does not block the event loop.

- Every blocking read on a client socket (request line, headers, body) gives up after the idle
  timeout (CLIPSCOPE_BODY_IDLE_TIMEOUT_S) without a byte, so a stalled phone frees its thread; a
  slow one that keeps sending is never cut. gunicorn switches the socket to blocking mode (no
  timeout) and then calls `init()` before it reads each request of the connection: `init()` is
  where the timeout goes on.
- A connection is closed politely (RFC 9112 9.6) by the event loop's poller, not by a blocking
  read on the loop's thread (linger.py).
"""

from __future__ import annotations

import socket
from typing import Any

from gunicorn.workers import gthread

from backend.server.backlog import Ticket
from backend.server.linger import LingeringCloses, close_now
from backend.server.peek import PollHead


class Connection(gthread.TConn):  # type: ignore[misc]
    # When the event loop handed the connection to the thread pool with its request already
    # there (kept alive, seen readable), monotonic s; else None (admission.py counts the wait).
    handed_over_at: float | None = None
    # The status poll the loop saw whole in the socket as it handed it over, and its place in
    # the backlog (backlog.py); None for anything else.
    poll: PollHead | None = None
    ticket: Ticket | None = None

    def __init__(
        self,
        lingering: LingeringCloses,
        idle_timeout_s: float,
        cfg: Any,
        sock: socket.socket,
        client: Any,
        server: Any,
    ) -> None:
        super().__init__(cfg, sock, client, server)
        self.lingering = lingering
        self.idle_timeout_s = idle_timeout_s

    @classmethod
    def adopt(
        cls, conn: gthread.TConn, lingering: LingeringCloses, idle_timeout_s: float
    ) -> Connection:
        """Ours in place of the connection gthread's accept() has just made."""
        return cls(lingering, idle_timeout_s, conn.cfg, conn.sock, conn.client, conn.server)

    def init(self) -> None:
        super().init()  # the first time: the parser (and the TLS socket, if any)
        self.sock.settimeout(self.idle_timeout_s)

    def close(self, graceful: bool = False) -> None:
        if graceful:
            self.lingering.close(self.sock)
        else:
            close_now(self.sock)
