"""Cuts hidden in a dip to black: the picture after the flat frames against the one before."""

from __future__ import annotations

import numpy as np

# Standard deviations (8-bit luma levels) of the small picture: below FLAT a frame is black or
# white and cannot be compared; from CLEAR on, texture stands well above sensor noise.
FLAT = 3.0
CLEAR = 2 * FLAT
# The pictures either side of a dip can be a few frames apart while the camera pans: compare
# them at half size, shifted by up to this many pixels each way, and keep the best match.
_MAX_SHIFT = 4


def _half(luma: np.ndarray) -> np.ndarray:
    h, w = (luma.shape[0] // 2) * 2, (luma.shape[1] // 2) * 2
    return np.asarray(luma[:h, :w].reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3)))


def shifted_dissimilarity(before: np.ndarray, after: np.ndarray) -> float:
    """1 - the best correlation of the two pictures over small shifts (0 same .. 1 unrelated)."""
    if before.shape != after.shape:
        return 1.0
    before, after = _half(before), _half(after)
    h, w = before.shape
    best = -1.0
    for dy in range(-_MAX_SHIFT, _MAX_SHIFT + 1):
        for dx in range(-_MAX_SHIFT, _MAX_SHIFT + 1):
            a = before[max(0, dy) : h + min(0, dy), max(0, dx) : w + min(0, dx)].ravel()
            b = after[max(0, -dy) : h + min(0, -dy), max(0, -dx) : w + min(0, -dx)].ravel()
            a = a - a.mean()
            b = b - b.mean()
            norm = float(np.sqrt(np.dot(a, a) * np.dot(b, b)))
            if norm > 0:
                best = max(best, float(np.dot(a, b)) / norm)
    return min(1.0, max(0.0, 1.0 - best))


class DipBridge:
    """Watches for runs of flat frames and scores the scene change across each of them.

    The cut is placed at the first frame after the run that is not flat (where the new picture
    appears); it is judged on the clearest pictures either side, which may come a few frames
    later, while the cut detector still waits for its look-ahead.
    """

    def __init__(self, settle_frames: int, memory_frames: int) -> None:
        self.settle_frames = settle_frames
        self.memory_frames = memory_frames
        self._before: np.ndarray | None = None
        self._before_clear = False
        self._before_index = 0
        self._flat_run = 0
        self._pending: tuple[int, np.ndarray] | None = None

    def push(self, index: int, luma: np.ndarray, std: float) -> tuple[int, float] | None:
        """Add a frame; return (first frame after a dip, score) when a score is (re)computed."""
        if std < FLAT:
            self._flat_run += 1
            self._pending = None
            return None
        if self._flat_run and self._before is not None:
            self._pending = (index, self._before)
            self._before = None  # the old scene must not stand for the new one at the next dip
        self._flat_run = 0
        result = None
        if self._pending is not None:
            start, before = self._pending
            settled = std >= CLEAR or index - start >= self.settle_frames
            # A first score at once (the frame may start a scene), the final one once clear.
            if index == start or settled:
                result = (start, shifted_dissimilarity(before, luma))
            if settled:
                self._pending = None
        # Remember the clearest recent picture: while a scene fades out, its last clear frame
        # says more than the dim, noisy ones just before black; but not one from long ago.
        clear = std >= CLEAR
        stale = index - self._before_index > self.memory_frames
        if clear or not self._before_clear or stale or self._before is None:
            self._before, self._before_clear, self._before_index = luma, clear, index
        return result
