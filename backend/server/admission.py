"""Past capacity, a request is refused at once (503 `overloaded`) instead of queueing.

A worker process answers Python requests one GIL at a time, so a burst beyond what it can do
queues: hundreds of request threads each get a slice, every answer comes late, and a phone that
gave up after 10 s retries into the same queue. Here requests without a body run in a few slots
(a poll that waits for the database or its socket lets another one run meanwhile); the others
wait on a lock, which costs the GIL nothing. The service time of a slot is measured as requests
go, so the wait a newcomer would face is known: (waiting + 1) x service time / slots. When that
is over the bound (`CLIPSCOPE_QUEUE_MAX_MS`), or every slot is busy and the request already
waited longer than the bound for a thread to pick it up (short of CPU), it is refused before
any of its work is done, in microseconds, and the client comes back after Retry-After. The
bound is in time, not in a number of requests, so it holds on a fast machine and a slow one.

This is the second line: past capacity the worker's event loop refuses most status polls before
any thread parses them, and the polls it hands over take turns first (backlog.py). What it
cannot tell apart from its first bytes (a new connection's first request that had not arrived
when it was accepted, a head split over several packets) is refused here.

Not gated: the health check (a probe must see a busy server as alive), requests with a body
(they take turns in backend/server/gate.py, and an upload refused half-way would be sent again),
and requests that wait for a change (`Prefer: wait`, event streams), which hold no CPU while they
wait and have their own few slots.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)

SLOTS = 4
# A starting guess for a poll's time in a slot, replaced by measurements within a few requests.
INITIAL_SERVICE_S = 0.002
_EWMA = 0.05
LOG_EVERY_S = 1.0


class Admission:
    def __init__(self, max_wait_s: float, slots: int = SLOTS) -> None:
        self.max_wait_s = max_wait_s
        self.slots = slots
        self._lock = threading.Lock()
        self._free = threading.Condition(self._lock)
        self._running = 0
        self._waiting = 0
        self.service_s = INITIAL_SERVICE_S
        self._shed = 0
        self._logged_at = time.monotonic()

    def enter(self, waited_s: float = 0.0) -> bool:
        """Take a slot (waiting if the wait is short enough); False: refuse the request.

        `waited_s`: how long the request already waited for a thread to pick it up. Past the
        bound, and with every slot busy, it is refused at once: the process is behind (short of
        CPU, or of the GIL) with work queued, and what it answers late is worth less than a
        quick 503 the client retries. With a slot free there is no queue to shorten: a lone
        request on a slow machine is answered.
        """
        with self._lock:
            if waited_s > self.max_wait_s and self._running >= self.slots:
                return self._refuse()
            if self._running < self.slots:
                self._running += 1
                return True
            if (self._waiting + 1) * self.service_s / self.slots > self.max_wait_s:
                return self._refuse()
            self._waiting += 1
            # Twice the bound: the estimate may be wrong, a request never waits much longer.
            got = self._free.wait_for(lambda: self._running < self.slots, 2 * self.max_wait_s)
            self._waiting -= 1
            if not got:
                return self._refuse()
            self._running += 1
            return True

    def leave(self, seconds: float) -> None:
        with self._lock:
            self._running -= 1
            self.service_s += _EWMA * (seconds - self.service_s)
            self._free.notify()

    def _refuse(self) -> bool:
        # Called with the lock held. One line a second at most: a log line per refusal would
        # cost more than the refusal itself, at the moment CPU is short.
        self._shed += 1
        now = time.monotonic()
        if now - self._logged_at >= LOG_EVERY_S:
            log.warning(
                "overloaded: refused %d requests in %.1f s (a slot's service time %.1f ms)",
                self._shed,
                now - self._logged_at,
                self.service_s * 1000,
            )
            self._shed, self._logged_at = 0, now
        return False


def gated(environ: dict[str, object]) -> bool:
    """Whether the request takes an admission slot (see the module's docstring)."""
    return gated_path(str(environ.get("PATH_INFO", "")), str(environ.get("HTTP_PREFER", "")))


def gated_path(path: str, prefer: str) -> bool:
    """The rule, also applied by the worker's event loop to a request it has not parsed."""
    if path == "/api/health" or path.endswith("/events"):
        return False
    return "wait" not in prefer
