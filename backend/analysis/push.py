"""Push (slide) transitions: the new picture slides in and pushes the old one out of frame.

A push moves the whole picture one way, so frame to frame it is a camera pan, and neither the
learned model (its `single` stays near 0.1) nor the mixture test (gradual.py), which compares
pixels where they stand, sees it. Its motion is what gives it away: the picture moves by
exactly one frame (its width, or height), at one speed, starting and stopping dead. A camera
does none of that: a pan eases in and out and rarely covers exactly one frame, a whip pan swings
back (its speed a wave, not a plateau), a hand shakes.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable

import numpy as np

from .gradual import Transition

# The least speed, in pictures (widths or heights) a second: slower, a push lasts over 2 s.
MIN_SPEED = 0.45
MAX_S = 2.0
MIN_S = 0.2
# The distance covered, in frames (widths or heights): one, give or take the old or new shot's
# own pan carried along.
MIN_DISTANCE = 0.8
MAX_DISTANCE = 1.25
# A plateau: this share of the run within STEADY_LOW..STEADY_HIGH x its median speed.
STEADY_SHARE = 0.85
STEADY_LOW, STEADY_HIGH = 0.6, 1.6
# Starting and stopping dead: the frames beside the run move at most CALM x its median speed,
# and its first (last) two frames reach JUMP x it. A frame straddling the start moves part way.
CALM = 0.4
JUMP = 0.6
_BESIDE = 3  # frames looked at on either side


class PushDetector:
    """Fed each frame's global shift (camera.py); hands a Transition to `found` for each push."""

    def __init__(self, fps: float, found: Callable[[Transition], None]) -> None:
        self._fps = fps if 1.0 <= fps <= 240.0 else 30.0
        self._found = found
        self._max_frames = round(MAX_S * self._fps)
        self._speeds = (array("d"), array("d"))  # per frame: pictures a second along x, along y
        self._start: list[int | None] = [None, None]  # first frame of the run going on, per axis
        self._pending: list[tuple[int, int, int]] = []  # (axis, first, last): runs to judge

    @property
    def horizon(self) -> int:
        """Frames after a push starts by which it has been handed on."""
        return self._max_frames + _BESIDE + 1

    def push(self, dx: float, dy: float, aspect: float) -> None:
        """The shift since the frame before, as shares of the picture's width; aspect = h / w."""
        index = len(self._speeds[0])
        self._speeds[0].append(dx * self._fps)
        self._speeds[1].append(dy / aspect * self._fps if aspect > 0 else 0.0)
        # A run is judged once the frames after it are in: did the picture stop dead?
        for run in [r for r in self._pending if index - r[2] >= _BESIDE]:
            self._pending.remove(run)
            self._judge(*run)
        for axis, speeds in enumerate(self._speeds):
            v, start = speeds[index], self._start[axis]
            moving = abs(v) >= MIN_SPEED
            if start is not None and moving and (v > 0) == (speeds[start] > 0):
                continue  # the run goes on
            if start is not None and index - start <= self._max_frames:
                self._pending.append((axis, start, index - 1))
            self._start[axis] = index if moving else None

    def finish(self) -> None:
        """A run still going, or that no frames follow, is no push: it leaves no scene behind."""
        self._start = [None, None]
        self._pending = []

    def _judge(self, axis: int, first: int, last: int) -> None:
        lo = max(0, first - _BESIDE)
        speeds = np.abs(np.asarray(self._speeds[axis][lo : last + 1 + _BESIDE]))
        run = speeds[first - lo : last - lo + 1]
        before, after = speeds[: first - lo], speeds[last - lo + 1 :]
        median = float(np.median(run))
        distance = float(run.sum()) / self._fps
        steady = float(np.mean((run >= STEADY_LOW * median) & (run <= STEADY_HIGH * median)))
        if (
            MIN_S <= len(run) / self._fps <= MAX_S
            and MIN_DISTANCE <= distance <= MAX_DISTANCE
            and steady >= STEADY_SHARE
            and len(before) >= 2
            and len(after) >= 2
            and float(before.max()) <= CALM * median
            and float(after.max()) <= CALM * median
            and float(run[:2].max()) >= JUMP * median
            and float(run[-2:].max()) >= JUMP * median
        ):
            self._found(Transition(first, first + len(run) // 2, last, "wipe", 1.0, alone=True))
