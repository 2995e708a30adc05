"""Requests that carry a body take turns; requests without one never wait.

Hundreds of request threads share one GIL, which they get back in no particular order, so a
status poll that gives the GIL up (to read the database, to write its answer) waits behind every
other thread that wants it. Bursts of body work are ordinary for a phone backend: fifty uploads
ending in the same second (each then hashed, stored, queued and answered), a hundred stalled
connections all closed by a phone network at once. A few milliseconds of Python each, but fifty of
them at once put a poll behind fifty others each time it waits for the GIL (docs/performance.md,
"Where the adverse tail came from").

So a request with a body holds one of a few slots of its process while it runs, and gives the
slot back while it waits for the network (a slow phone's next bytes hold no slot), so that at any
moment at most `slots` threads of body work want the GIL beside the polls. The others wait on a
lock, which costs the GIL nothing. Requests without a body (polls, health checks, results,
playback) never take a slot. Throughput stays what it was: under the GIL, Python work ran one
thread at a time anyway.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

# Two: one body's thread can write or fsync (without the GIL) while another runs Python.
BODY_SLOTS = 2


class BodyGate:
    def __init__(self, slots: int = BODY_SLOTS) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self._held = threading.local()

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold a slot for the duration of a request's own work."""
        self._slots.acquire()
        self._held.value = True
        try:
            yield
        finally:
            self._held.value = False
            self._slots.release()

    def waiting(self, read: Callable[..., T], *args: Any) -> T:
        """Run a blocking network read without the slot, and take a slot again after it."""
        if not getattr(self._held, "value", False):
            return read(*args)
        self._held.value = False
        self._slots.release()
        try:
            return read(*args)
        finally:
            self._slots.acquire()
            self._held.value = True


def has_body(environ: dict[str, Any]) -> bool:
    if environ.get("HTTP_TRANSFER_ENCODING", "").lower().strip() not in ("", "identity"):
        return True
    try:
        return int(environ.get("CONTENT_LENGTH") or 0) > 0
    except ValueError:
        return True  # gunicorn refuses a bad length before the app; be careful anyway
