"""Turns the analysis's frequent progress calls into at most ~2 database writes a second."""

from __future__ import annotations

import time
from collections.abc import Callable

# (phase, percent, message) -> False when the job is no longer ours to write.
Writer = Callable[[str, int, str], bool]


class ThrottledProgress:
    def __init__(self, write: Writer, min_interval_s: float = 0.5) -> None:
        self._write = write
        self._min_interval = min_interval_s
        self._last_write = float("-inf")
        self._phase = ""
        self._percent = 0
        self.lost = False

    def __call__(self, phase: str, percent: int, message: str) -> None:
        # Progress only grows within an attempt, whatever the caller reports.
        percent = max(self._percent, min(100, max(0, int(percent))))
        now = time.monotonic()
        phase_changed = phase != self._phase
        self._percent = percent
        self._phase = phase
        if not phase_changed and now - self._last_write < self._min_interval:
            return
        self._last_write = now
        if not self._write(phase, percent, message):
            self.lost = True
