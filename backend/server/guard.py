"""What the worker wraps around the app: a body stream whose errors are OSError, body turns, and
the admission's refusal past capacity.

- The body stream handed to the app raises OSError for a body cut short or malformed, so the
  app answers 400 (not 500) without knowing which server it runs under.
- Requests with a body take turns in a few slots, so bursts of them leave the GIL to the polls
  (gate.py); their reads wait for the network without holding a slot.
- Past capacity a request is refused at once with 503 `overloaded` (admission.py).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from gunicorn.http.errors import ParseException

from backend.error_body import error_body
from backend.observability import metrics
from backend.server.admission import Admission, gated
from backend.server.gate import BodyGate, has_body

T = TypeVar("T")

RETRY_AFTER_OVERLOADED_S = 2
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
# its bytes were known to be there then (a kept-alive connection the poller saw readable).
_handed_over = threading.local()


def set_handed_over(at: float | None) -> None:
    """Called by the worker's thread around each request it serves (worker.py, `handle`)."""
    _handed_over.at = at


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
    metrics.get().http_shed.inc()
    start_response(
        "503 Service Unavailable",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(_OVERLOADED))),
            ("Retry-After", str(RETRY_AFTER_OVERLOADED_S)),
        ],
    )
    return [_OVERLOADED]
