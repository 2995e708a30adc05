"""Hard-cut detection on downscaled luma, streaming with a short look-ahead."""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

# A cut must stand out from its neighbourhood: at least this dissimilar in absolute terms,
# this much above the local median and this many times it. The local median absorbs camera
# motion, sensor noise and fades, which raise every frame's score, not a single one.
ABS_MIN = 0.3
MARGIN = 0.25
RATIO = 2.5
# Frames closer than this to the frame before a candidate cut mean the picture came back:
# a flash or a glitch, not a new scene.
FLASH_SIMILAR = 0.3
# Below this standard deviation (8-bit luma levels) a picture is flat: black, white, or the
# darkest frames of a fade, whose structure cannot be compared. A flat frame differs from a
# textured one in proportion to the texture: fully once it is _TEXTURED times as strong.
_FLAT = 3.0
_TEXTURED = 4.0
# A dip to black (fade out, flat frames, fade in) hides the cut inside flat frames; the
# pictures on either side of the flat run are compared instead, and the cut placed where the
# new picture appears.
BRIDGE_MIN = 0.5
# Luma mean jumps count on their own, for cuts between scenes of the same structure.
_MEAN_JUMP = 96.0


@dataclass(frozen=True)
class _Shape:
    mean: float
    std: float
    centred: np.ndarray


def _shape(luma: np.ndarray) -> _Shape:
    mean = float(luma.mean())
    centred = luma - np.float32(mean)
    std = float(np.sqrt(np.mean(centred * centred)))
    return _Shape(mean, std, centred)


def dissimilarity(a: _Shape, b: _Shape) -> float:
    """0 for the same picture (even at another brightness), about 1 for unrelated pictures."""
    if a.centred.shape != b.centred.shape:
        return 1.0
    if a.std >= _FLAT and b.std >= _FLAT:
        # Correlation ignores gain and offset, so fades and exposure changes score near 0.
        cov = float(np.mean(a.centred * b.centred))
        structure = 1.0 - cov / (a.std * b.std)
    else:
        structure = (max(a.std, b.std) - _FLAT) / (_FLAT * (_TEXTURED - 1.0))
    jump = abs(a.mean - b.mean) / _MEAN_JUMP
    return min(1.0, max(0.0, structure, jump))


class CutDetector:
    """Scores each frame against the previous ones and decides cuts half a second later."""

    def __init__(self, fps: float) -> None:
        fps = fps if 1.0 <= fps <= 240.0 else 30.0
        self.window = max(4, round(fps * 0.5))
        self.min_gap = max(3, round(fps * 0.2))
        self.score = array("d")  # frame t against t-1
        self._back2 = array("d")  # frame t against t-2
        self._back3 = array("d")  # frame t against t-3
        self._bridge = array("d")  # first textured frame after a flat run against the last before
        self._recent: list[_Shape] = []
        self._last_textured: _Shape | None = None
        self._flat_run = 0
        self._decided = 0
        self._last_cut = 0

    def push(self, luma: np.ndarray) -> list[tuple[int, bool]]:
        """Add the next frame's luma (float32); return the (frame, is_cut) decisions now due."""
        shape = _shape(luma)
        recent = self._recent
        self.score.append(dissimilarity(shape, recent[-1]) if recent else 0.0)
        self._back2.append(dissimilarity(shape, recent[-2]) if len(recent) >= 2 else 1.0)
        self._back3.append(dissimilarity(shape, recent[-3]) if len(recent) >= 3 else 1.0)
        recent.append(shape)
        if len(recent) > 3:
            del recent[0]
        self._bridge.append(self._bridge_score(shape))
        due = len(self.score) - self.window
        return [self._decide(t) for t in range(self._decided, max(self._decided, due))]

    def finish(self) -> list[tuple[int, bool]]:
        """Decide the frames still waiting for their look-ahead."""
        return [self._decide(t) for t in range(self._decided, len(self.score))]

    def is_spike(self, t: int) -> bool:
        """Whether frame t differs enough from t-1 that it may start a scene."""
        return t == 0 or self.score[t] >= ABS_MIN

    def _bridge_score(self, shape: _Shape) -> float:
        if shape.std < _FLAT:
            self._flat_run += 1
            return 0.0
        before, run = self._last_textured, self._flat_run
        self._last_textured, self._flat_run = shape, 0
        if before is None or run == 0:
            return 0.0
        return dissimilarity(shape, before)

    def _decide(self, t: int) -> tuple[int, bool]:
        self._decided = t + 1
        if t == 0 or t - self._last_cut < self.min_gap:
            return t, False
        if self._bridge[t] >= BRIDGE_MIN:
            self._last_cut = t
            return t, True
        s = self.score[t]
        if s < ABS_MIN:
            return t, False
        lo, hi = max(1, t - self.window), min(len(self.score), t + self.window + 1)
        neighbours = [self.score[i] for i in range(lo, hi) if i != t]
        baseline = float(np.median(neighbours)) if neighbours else 0.0
        if s < baseline + MARGIN or s < RATIO * baseline:
            return t, False
        if self._came_back(t):
            return t, False
        self._last_cut = t
        return t, True

    def _came_back(self, t: int) -> bool:
        """Whether t is a blip (a flash of one or two frames) or the return from one."""
        if self._back2[t] < FLASH_SIMILAR or self._back3[t] < FLASH_SIMILAR:
            return True
        n = len(self.score)
        if t + 1 < n and self._back2[t + 1] < FLASH_SIMILAR:
            return True
        return t + 2 < n and self._back3[t + 2] < FLASH_SIMILAR
