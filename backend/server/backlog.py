"""The status polls a worker process has handed to its threads: how far behind it is, and turns.

Past capacity the admission (admission.py) refused requests only once a thread had parsed them,
in Python: at twice the rate a process could serve, hundreds of threads parsed requests at once,
and the polls it did admit waited for the GIL behind them at every handover (240 ms inside the
app at p99, docs/performance.md). So the event loop tells a poll apart from its bytes (peek.py)
and keeps count of those it has handed over and that have not left the app yet:

- A poll that would wait past the bound (`CLIPSCOPE_QUEUE_MAX_MS`) is refused by the loop, before
  any thread sees it. The wait is estimated in time, so the bound holds on a fast machine and a
  slow one: the polls ahead of it x the time the process takes per poll, measured as polls leave
  the app (the time between two of them while some are waiting, so what the process does
  besides, its other requests, GIL handovers and all, is in it).
- A poll handed over takes one of a few turns before its thread parses it and keeps it until its
  answer is written and logged, unless writing it may wait for the client's network (a file, a
  large body, a client that has not read earlier answers): then the turn goes on as the poll
  leaves the app. The others wait on a lock, which costs the GIL nothing, and in order: few
  threads run a poll's Python at once, and a poll's wait is about what the estimate said. One
  that still waits past the bound for a turn is refused unparsed by its thread.

The admission stays behind it, for what the loop could not tell apart (a new connection's first
request that had not arrived when it was accepted, a head split over several packets).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque

log = logging.getLogger(__name__)

# A starting guess for the time the process takes per poll, replaced within a few polls.
INITIAL_PER_POLL_S = 0.002
_EWMA = 0.05
# One interval counts for at most this many times the estimate: a pause of the whole process (a
# shared machine's scheduler, a garbage collection) is not what each poll after it will cost,
# and the backlog it left clears at the usual pace. A lasting slowdown still moves the estimate,
# by up to 15 % a poll.
MAX_SAMPLE_RATIO = 4.0
LOG_EVERY_S = 1.0


class Turns:
    """A semaphore that serves its waiters in order.

    threading.Semaphore lets a thread that arrives as a turn is given back take it ahead of those
    already waiting (the one woken still has to get the GIL): under load a few polls then waited
    for a turn far longer than the others, past the bound, while the backlog's estimate was
    right on average. Here a turn given back goes straight to the first waiter.
    """

    def __init__(self, count: int) -> None:
        self._free = count
        self._lock = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()

    def acquire(self, timeout: float) -> bool:
        with self._lock:
            if self._free > 0 and not self._waiters:
                self._free -= 1
                return True
            waiter = threading.Lock()
            waiter.acquire()
            self._waiters.append(waiter)
        if waiter.acquire(timeout=max(0.0, timeout)):
            return True  # handed over by release()
        with self._lock:
            try:
                self._waiters.remove(waiter)
                return False
            except ValueError:
                return True  # handed over just as the wait ran out: it is ours

    def release(self) -> None:
        with self._lock:
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self._free += 1


class Backlog:
    """Shared by the event loop (hand_over, behind) and the request threads (Ticket)."""

    def __init__(self, max_wait_s: float, turns: int) -> None:
        self.max_wait_s = max_wait_s
        self.turns = turns
        self._turns = Turns(turns)
        self._lock = threading.Lock()
        self.waiting = 0  # handed over, not yet out of the app
        self.per_poll_s = INITIAL_PER_POLL_S
        self._since = 0.0  # the last poll out of the app, or when the first of them came in
        self._refused = 0
        self._logged_at = time.monotonic()

    def behind(self) -> bool:
        """Whether a poll handed over now would wait past the bound (on the loop's thread)."""
        # Read without the lock: a count one poll stale changes nothing. With a turn free there
        # is no queue to shorten: a lone poll on a slow machine is served.
        waiting = self.waiting
        return waiting >= self.turns and waiting * self.per_poll_s > self.max_wait_s

    def hand_over(self) -> Ticket:
        now = time.monotonic()
        with self._lock:
            if self.waiting == 0:
                self._since = now
            self.waiting += 1
        return Ticket(self, now)

    def refused(self) -> None:
        """Count a poll refused unparsed; one log line a second at most (see admission.py)."""
        with self._lock:
            self._refused += 1
            now = time.monotonic()
            if now - self._logged_at < LOG_EVERY_S:
                return
            count, since = self._refused, self._logged_at
            self._refused, self._logged_at = 0, now
        log.warning(
            "overloaded: refused %d polls unread in %.1f s (%d waiting, %.2f ms per poll)",
            count,
            now - since,
            self.waiting,
            self.per_poll_s * 1000,
        )

    def _take_turn(self, timeout: float) -> bool:
        return self._turns.acquire(timeout)

    def _leave(self, served: bool, had_turn: bool) -> None:
        if had_turn:
            self._turns.release()
        with self._lock:
            self.waiting -= 1
            if served:
                # A refused poll leaves in microseconds: only the served ones say what one costs.
                now = time.monotonic()
                sample = min(now - self._since, MAX_SAMPLE_RATIO * self.per_poll_s)
                self.per_poll_s += _EWMA * (sample - self.per_poll_s)
                self._since = now


class Ticket:
    """One handed-over poll's place in the backlog; used by the thread that serves it."""

    __slots__ = ("_backlog", "_handed_over_at", "_left", "_served", "_turn")

    def __init__(self, backlog: Backlog, handed_over_at: float) -> None:
        self._backlog = backlog
        self._handed_over_at = handed_over_at
        self._turn = False
        self._served = False
        self._left = False

    def take_turn(self) -> bool:
        """Wait for a turn until the bound has passed since the hand-over; False: refuse it."""
        backlog = self._backlog
        deadline = self._handed_over_at + backlog.max_wait_s
        self._turn = backlog._take_turn(deadline - time.monotonic())
        return self._turn

    def answered(self, served: bool, answer_may_wait: bool) -> None:
        """The app has answered (`served`) or refused the poll; if writing that answer may wait
        for the client's network, the poll leaves now, else once it is written (`leave`)."""
        self._served = served
        if answer_may_wait:
            self.leave()

    def leave(self) -> None:
        """Done with (or given up); only the first call counts."""
        if not self._left:
            self._left = True
            self._backlog._leave(self._served, self._turn)
