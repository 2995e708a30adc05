"""What the worker wraps around the app: a body stream whose errors are OSError, body turns, and
the admission's refusal past capacity.

- The body stream handed to the app raises OSError for a body cut short or malformed, so the
  app answers 400 (not 500) without knowing which server it runs under.
- Requests with a body take turns in a few slots, so bursts of them leave the GIL to the polls
  (gate.py); their reads wait for the network without holding a slot.
- Past capacity a request is refused at once with 503 `overloaded` (admission.py); the same
  answer, whole, is what the worker sends a poll it refuses before parsing it (backlog.py).
- A poll counted in the backlog tells it when the app has answered, and whether writing that
  answer may wait for the client's network (backlog.py).
"""

from __future__ import annotations

import fcntl
import json
import socket
import struct
import termios
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from gunicorn.http.errors import ParseException

from backend.error_body import error_body
from backend.observability import metrics
from backend.server.admission import Admission, gated
from backend.server.backlog import Ticket
from backend.server.gate import BodyGate, has_body

T = TypeVar("T")

RETRY_AFTER_OVERLOADED_S = 2
# An answer this small goes into an empty socket buffer at once, whatever the client's network.
WRITES_AT_ONCE_BYTES = 4096
_OVERLOADED = json.dumps(
    error_body(
        "overloaded", "The server is busy right now; try again in a moment. Nothing was lost."
    )
).encode()


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
# its bytes were known to be there then (a kept-alive connection the poller saw readable); and
# its place in the backlog of polls, if the event loop counted it as one (backlog.py).
_handed_over = threading.local()


def set_handed_over(at: float | None, ticket: Ticket | None = None) -> None:
    """Called by the worker's thread around each request it serves (worker.py, `handle`)."""
    _handed_over.at = at
    _handed_over.ticket = ticket


class _Answer:
    """start_response, noting the length of the answer's body on the way (None: unknown)."""

    __slots__ = ("_start_response", "length")

    def __init__(self, start_response: Callable[..., Any]) -> None:
        self._start_response = start_response
        self.length: int | None = None

    def start_response(self, status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
        if status.startswith(("304", "204")):
            self.length = 0  # no body, whatever the headers say (a poll's unchanged job)
        else:
            for name, value in headers:
                if name.lower() == "content-length" and value.isdigit():
                    self.length = int(value)
        return self._start_response(status, headers, *exc)


def _may_wait(environ: dict[str, Any], result: Iterable[bytes] | None, length: int | None) -> bool:
    """Whether writing this answer may wait for the client's network: a file, a body that may not
    fit an empty socket buffer at once, or a socket still holding earlier answers (a client that
    does not read them, which must not keep a poll's turn)."""
    if length is None or length > WRITES_AT_ONCE_BYTES:
        return True
    if result is not None and isinstance(result, environ["wsgi.file_wrapper"]):
        return True
    return _unsent_bytes(environ.get("gunicorn.socket")) != 0


def _unsent_bytes(sock: socket.socket | None) -> int | None:
    """Bytes written to the socket that the client has not received yet; None if unknown."""
    if sock is None:
        return None
    try:
        return int(struct.unpack("i", fcntl.ioctl(sock, termios.TIOCOUTQ, b"\0" * 4))[0])
    except (AttributeError, OSError, ValueError):  # not Linux, or the socket is gone
        return None


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
        ticket: Ticket | None = getattr(_handed_over, "ticket", None)
        if not admission.enter(waited_for_thread()):
            if ticket is not None:
                ticket.answered(False, _may_wait(environ, None, len(_OVERLOADED)))
            return overloaded(start_response)
        if ticket is None:
            started = time.perf_counter()
            try:
                return app(environ, start_response)
            finally:
                admission.leave(time.perf_counter() - started)
        answer = _Answer(start_response)
        result: Iterable[bytes] | None = None
        started = time.perf_counter()
        try:
            result = app(environ, answer.start_response)
            return result
        finally:
            admission.leave(time.perf_counter() - started)
            if result is None:  # the app raised: gunicorn's error answer is written unturned
                ticket.leave()
            else:
                ticket.answered(True, _may_wait(environ, result, answer.length))

    return wrapped


def _whole_answer(connection: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 503 Service Unavailable\r\nConnection: {connection}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(_OVERLOADED)}\r\n"
        f"Retry-After: {RETRY_AFTER_OVERLOADED_S}\r\n\r\n"
    )
    return head.encode("latin-1") + body


# (keep alive?, answer to a HEAD?) -> the whole answer; a HEAD's has no body (RFC 9110 9.3.2).
_UNPARSED_ANSWERS = {
    (keep, head_only): _whole_answer(
        "keep-alive" if keep else "close", b"" if head_only else _OVERLOADED
    )
    for keep in (True, False)
    for head_only in (True, False)
}


def overloaded_answer(keep_alive: bool, head_only: bool) -> bytes:
    """The same 503, whole, for a request refused before it was parsed (worker.py)."""
    return _UNPARSED_ANSWERS[keep_alive, head_only]


def count_shed() -> None:
    metrics.get().http_shed.inc()


def overloaded(start_response: Callable[..., Any]) -> list[bytes]:
    """503 in the one error shape, before any of the request's work is done."""
    count_shed()
    start_response(
        "503 Service Unavailable",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(_OVERLOADED))),
            ("Retry-After", str(RETRY_AFTER_OVERLOADED_S)),
        ],
    )
    return [_OVERLOADED]
