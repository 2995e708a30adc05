"""Progress that never goes backwards, and the cancellation check."""

from __future__ import annotations

import time
from collections.abc import Callable

from .errors import AnalysisCancelled

ProgressFn = Callable[[str, int, str], None]
StopFn = Callable[[], bool]

# Percent span of each phase: probing is quick, analysing is the pass over the file,
# finalizing writes thumbnails; 100 is kept for the very end.
_SPANS = {"probing": (0, 2), "analyzing": (2, 95), "finalizing": (95, 99)}
# Often enough that a cancel stops the work within a second, rarely enough that a
# should_stop() reading a database row costs nothing noticeable.
STOP_CHECK_INTERVAL_S = 0.1
_REPORT_INTERVAL_S = 0.2


class Progress:
    """Turns phase fractions into a monotonic percent and polls should_stop()."""

    def __init__(
        self,
        report: ProgressFn,
        should_stop: StopFn,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._report = report
        self._should_stop = should_stop
        self._clock = clock
        self._percent = 0
        self._phase = ""
        self._last_report = float("-inf")
        self._last_check = float("-inf")

    @property
    def percent(self) -> int:
        return self._percent

    def update(self, phase: str, fraction: float, message: str | Callable[[], str]) -> None:
        """Report `fraction` (0..1) of `phase`; throttled unless the phase or percent changes.

        `message` may be a function, called only when a report is actually made.
        """
        low, high = _SPANS[phase]
        fraction = min(1.0, max(0.0, fraction))
        percent = max(self._percent, low + int((high - low) * fraction))
        now = self._clock()
        changed = phase != self._phase or percent != self._percent
        if changed or now - self._last_report >= _REPORT_INTERVAL_S:
            self._phase = phase
            self._percent = percent
            self._last_report = now
            self._report(phase, percent, message if isinstance(message, str) else message())

    def check_stop(self, force: bool = False) -> None:
        """Raise AnalysisCancelled when should_stop() says so; polled at most every 0.1 s."""
        now = self._clock()
        if not force and now - self._last_check < STOP_CHECK_INTERVAL_S:
            return
        self._last_check = now
        if self._should_stop():
            raise AnalysisCancelled("The analysis was cancelled.")

    def done(self) -> None:
        self._percent = 100
        self._report("finalizing", 100, "Analysis complete")
