"""Closing a connection the polite way without stopping the worker's event loop.

After a response with `Connection: close`, RFC 9112 section 9.6 asks the server to close its
side first and then read what the client still sends, until the client closes too: closing at
once while request bytes are unread makes the kernel send a reset, which can cut off the response
the client has not read yet (a 413 for an upload still being sent). gunicorn's gthread does that
reading with a blocking recv of up to 2 s on its one event-loop thread, so until each such client
closes its end, no request of that worker process is dispatched. Fifty uploads ending together
stopped every poll of the process for 200 ms; one client that never closes, for 2 s.

Here the event loop's poller does the waiting: the connection is half-closed, registered for
reading, drained as bytes come, and closed when the client closes, after 64 KiB, or 2 s.
"""

from __future__ import annotations

import selectors
import socket
import time
from collections import deque
from contextlib import suppress

LINGER_S = 2.0
MAX_DRAIN = 64 * 1024


class _Lingering:
    __slots__ = ("deadline", "drained", "sock")

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline
        self.drained = 0


class LingeringCloses:
    """Half-closed connections waiting for their client to close; used on the loop's thread."""

    def __init__(self, poller: selectors.BaseSelector) -> None:
        self._poller = poller
        self._waiting: deque[_Lingering] = deque()  # in deadline order: one timeout for all

    def close(self, sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_WR)
            sock.setblocking(False)
            entry = _Lingering(sock, time.monotonic() + LINGER_S)
            self._poller.register(sock, selectors.EVENT_READ, lambda _: self._drain(entry))
        except (OSError, ValueError, KeyError):
            close_now(sock)  # already reset or closed by the client: nothing to wait for
            return
        self._waiting.append(entry)

    def expire(self, force: bool = False) -> None:
        """Close the connections whose time is up (all of them if `force`)."""
        now = time.monotonic()
        while self._waiting and (force or self._waiting[0].deadline <= now):
            self._finish(self._waiting.popleft())

    def _drain(self, entry: _Lingering) -> None:
        try:
            while entry.drained < MAX_DRAIN:
                data = entry.sock.recv(MAX_DRAIN - entry.drained)
                if not data:
                    break  # the client closed: done
                entry.drained += len(data)
        except BlockingIOError:
            return  # nothing more for now: wait for the next readable event
        except OSError:
            pass  # reset by the client: closed all the same
        # Stays in the deque until its deadline; expire() then skips the closed socket.
        self._finish(entry)

    def _finish(self, entry: _Lingering) -> None:
        if entry.sock.fileno() < 0:
            return
        with suppress(KeyError, ValueError, OSError):
            self._poller.unregister(entry.sock)
        close_now(entry.sock)


def close_now(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.close()
