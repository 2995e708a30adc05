"""Hard-cut detection on downscaled luma, streaming with a short look-ahead."""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

from .dips import FLAT as _FLAT
from .dips import DipBridge

# A cut must stand out from its neighbourhood: at least this dissimilar in absolute terms,
# this much above the local median and this many times it. The local median absorbs camera
# motion, sensor noise and fades, which raise every frame's score, not a single one.
ABS_MIN = 0.3
MARGIN = 0.25
RATIO = 2.5
# Frames closer than this (or than frames as far apart usually are, plus FLASH_MARGIN) to the
# frame before a candidate cut mean the picture came back: a flash or a glitch, not a scene.
FLASH_SIMILAR = 0.3
FLASH_MARGIN = 0.15
# ...but never above this: two unrelated pictures differ by more, however fast the camera.
FLASH_CAP = 0.6
# A dip to black (fade out, flat frames, fade in) hides the cut inside flat frames; the
# pictures on either side are compared instead (dips.py), and this much difference is a cut.
BRIDGE_MIN = 0.5


@dataclass(frozen=True)
class _Shape:
    mean: float
    std: float
    centred: np.ndarray  # flattened luma minus its mean


def _shape(luma: np.ndarray) -> _Shape:
    flat = luma.ravel()
    mean = float(np.add.reduce(flat)) / flat.size
    centred = flat - np.float32(mean)
    # Dot products run as one BLAS call each: this is paid for every frame.
    std = float(np.sqrt(np.dot(centred, centred) / centred.size))
    return _Shape(mean, std, centred)


def dissimilarity(a: _Shape, b: _Shape) -> float:
    """0 for the same picture (even at another brightness), about 1 for unrelated pictures."""
    if a.centred.shape != b.centred.shape:
        return 1.0
    if a.std < _FLAT or b.std < _FLAT:
        # A black or white frame has no structure to compare: a fade, a flash or a cut to black
        # look the same from here. What changed across flat frames is judged in dips.py.
        return 0.0
    # Correlation ignores gain and offset: fades, exposure changes and a light switched on keep
    # the picture and score near 0; brightness alone never makes a cut.
    cov = float(np.dot(a.centred, b.centred)) / a.centred.size
    return min(1.0, max(0.0, 1.0 - cov / (a.std * b.std)))


def aligned(a: _Shape, b: _Shape, grid: tuple[int, ...], shift: tuple[float, float]) -> float:
    """dissimilarity() of the parts the two pictures share once b is moved by `shift` pixels
    (either way: the sign is not trusted), so a camera pan is not mistaken for a new shot."""
    h, w = grid
    x, y = round(shift[0]), round(shift[1])
    if a.std < _FLAT or b.std < _FLAT or (x == 0 and y == 0):
        return dissimilarity(a, b)
    if abs(x) > w // 2 or abs(y) > h // 2:
        return 1.0  # too little of the pictures overlaps to tell
    pa, pb = a.centred.reshape(grid), b.centred.reshape(grid)
    best = 1.0
    for sx, sy in ((x, y), (-x, -y)):
        one = pa[max(0, sy) : h + min(0, sy), max(0, sx) : w + min(0, sx)].ravel()
        two = pb[max(0, -sy) : h + min(0, -sy), max(0, -sx) : w + min(0, -sx)].ravel()
        one = one - np.float32(one.mean())
        two = two - np.float32(two.mean())
        norm = float(np.sqrt(np.dot(one, one) * np.dot(two, two)))
        if norm > 0:
            best = min(best, 1.0 - float(np.dot(one, two)) / norm)
    return min(1.0, max(0.0, best))


class CutDetector:
    """Scores each frame against the previous ones and decides cuts half a second later."""

    def __init__(self, fps: float) -> None:
        fps = fps if 1.0 <= fps <= 240.0 else 30.0
        self.window = max(4, round(fps * 0.5))
        self.min_gap = max(3, round(fps * 0.2))
        self.score = array("d")  # frame t against t-1
        self._back2 = array("d")  # frame t against t-2
        self._back3 = array("d")  # frame t against t-3
        self._bridge = array("d")  # first frame after a dip to black against the picture before
        self._dips = DipBridge(settle_frames=self.window // 2, memory_frames=2 * self.window)
        self._recent: list[_Shape] = []
        self._shifts: list[tuple[float, float]] = []
        self.last_std = 0.0  # of the latest frame, for callers judging it
        self._decided = 0
        self._last_cut = 0

    def push(
        self, luma: np.ndarray, shift: tuple[float, float] = (0.0, 0.0)
    ) -> list[tuple[int, bool]]:
        """Add the next frame's luma (float32) and its global shift from the frame before (in
        pixels); return the (frame, is_cut) decisions now due."""
        shape = _shape(luma)
        self.last_std = shape.std
        recent = self._recent
        shifts = self._shifts
        shifts.append(shift)
        if len(shifts) > 3:
            del shifts[0]
        scores = []
        for back in (1, 2, 3):
            if len(recent) < back:
                scores.append(0.0 if back == 1 else 1.0)
                continue
            score = dissimilarity(shape, recent[-back])
            # Only a frame that looks new is looked at again with the camera's move undone.
            if score >= ABS_MIN:
                moved = shifts[-back:]
                total = (sum(m[0] for m in moved), sum(m[1] for m in moved))
                score = min(score, aligned(shape, recent[-back], luma.shape, total))
            scores.append(score)
        self.score.append(scores[0])
        self._back2.append(scores[1])
        self._back3.append(scores[2])
        recent.append(shape)
        if len(recent) > 3:
            del recent[0]
        self._bridge.append(0.0)
        across = self._dips.push(len(self.score) - 1, luma, shape.std)
        if across is not None and across[0] >= self._decided:
            self._bridge[across[0]] = across[1]
        due = len(self.score) - self.window
        return [self._decide(t) for t in range(self._decided, max(self._decided, due))]

    def finish(self) -> list[tuple[int, bool]]:
        """Decide the frames still waiting for their look-ahead."""
        return [self._decide(t) for t in range(self._decided, len(self.score))]

    def is_spike(self, t: int) -> bool:
        """Whether frame t differs enough from the frames before it that it may start a scene."""
        return t == 0 or self.score[t] >= ABS_MIN or self._bridge[t] >= BRIDGE_MIN

    def _decide(self, t: int) -> tuple[int, bool]:
        self._decided = t + 1
        if t == 0 or t - self._last_cut < self.min_gap:
            return t, False
        is_cut = self._bridge[t] >= BRIDGE_MIN or self._stands_out(t)
        if is_cut and self._stronger_ahead(t):
            is_cut = False
        if is_cut:
            self._last_cut = t
        return t, is_cut

    def _stands_out(self, t: int) -> bool:
        s = self.score[t]
        if s < ABS_MIN:
            return False
        baseline = self._local_median(self.score, t)
        if s < baseline + MARGIN or s < RATIO * baseline:
            return False
        return not self._came_back(t)

    def _stronger_ahead(self, t: int) -> bool:
        """Whether a clearer cut follows within the shortest scene (it would be blocked)."""
        n = len(self.score)
        strength = max(self.score[t], self._bridge[t])
        return any(
            max(self.score[u], self._bridge[u]) > strength
            and (self._bridge[u] >= BRIDGE_MIN or self.score[u] >= ABS_MIN)
            for u in range(t + 1, min(n, t + self.min_gap))
        )

    def _came_back(self, t: int) -> bool:
        """Whether t is a blip (a flash of one or two frames) or the return from one.

        Frames two or three apart differ as much as the camera moves in that time; the picture
        came back when they differ no more than usual around here.
        """
        back2 = self._local_median(self._back2, t) + FLASH_MARGIN
        back3 = self._local_median(self._back3, t) + FLASH_MARGIN
        similar2 = max(FLASH_SIMILAR, min(FLASH_CAP, back2))
        similar3 = max(FLASH_SIMILAR, min(FLASH_CAP, back3))
        if self._back2[t] < similar2 or self._back3[t] < similar3:
            return True
        n = len(self.score)
        if t + 1 < n and self._back2[t + 1] < similar2:
            return True
        return t + 2 < n and self._back3[t + 2] < similar3

    def _local_median(self, values: array[float], t: int) -> float:
        """Median of the values within the window around t, t itself left out."""
        lo, hi = max(3, t - self.window), min(len(values), t + self.window + 1)
        # Sorting ~30 floats in Python beats np.median's overhead at this size.
        around = sorted(values[i] for i in range(lo, hi) if i != t)
        if not around:
            return 0.0
        middle = len(around) // 2
        return around[middle] if len(around) % 2 else (around[middle - 1] + around[middle]) / 2
