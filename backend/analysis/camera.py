"""Camera shake: the global shift between frames (phase correlation), less its smooth part."""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence

import numpy as np

# Jitter (RMS, % of the picture's width) that scores 1 - 1/e: a phone held still in the hand
# jitters ~0.1-0.3 %, walking with it ~1 %, a tripod or a gimbal ~0.
_SHAKE_SCALE = 0.6
# The camera's intended path is a local quadratic over this long: pans and whip pans follow
# it, shake (2-10 Hz) does not.
_SMOOTH_S = 0.3
# Per-second shake from which a second counts as shaky, and the share of shaky seconds that
# earns the warning.
SHAKY = 0.5
SHAKY_SHARE = 0.3


class ShiftTracker:
    """Global translation between consecutive 128 px pictures, to a tenth of a pixel."""

    def __init__(self) -> None:
        self.dx = array("d")  # fraction of the picture width, per frame (0 for the first)
        self.dy = array("d")
        self._previous: np.ndarray | None = None
        self._window: np.ndarray | None = None
        self._luma: np.ndarray | None = None

    def push(self, luma: np.ndarray) -> None:
        """Add the next picture: whole 8-bit levels as float32."""
        if self._window is None or self._window.shape != luma.shape:
            self._window = np.outer(np.hanning(luma.shape[0]), np.hanning(luma.shape[1])).astype(
                np.float32
            )
            self._previous = None
        # float32 in, complex64 out (NumPy 2): half the work of the default double precision.
        spectrum = np.fft.rfft2((luma - np.float32(luma.mean())) * self._window)
        previous, self._previous = self._previous, spectrum
        if previous is None:
            self.dx.append(0.0)
            self.dy.append(0.0)
            self._luma = luma
            return
        cross = previous * np.conj(spectrum)
        cross /= np.abs(cross) + np.float32(1e-9)
        surface = np.fft.irfft2(cross, s=luma.shape)
        peak = np.unravel_index(int(np.argmax(surface)), surface.shape)
        y, x = int(peak[0]), int(peak[1])
        h, w = surface.shape
        if (y, x) != (0, 0) and self._still_fits_better(luma, y, x):
            y, x = 0, 0
        sub_y = _parabola(surface[(y - 1) % h, x], surface[y, x], surface[(y + 1) % h, x])
        sub_x = _parabola(surface[y, (x - 1) % w], surface[y, x], surface[y, (x + 1) % w])
        if (y, x) == (0, 0) and self._still_fits_better_than_subpixel(luma, sub_x, sub_y):
            sub_x = sub_y = 0.0
        shift_y = (y + sub_y + h / 2) % h - h / 2
        shift_x = (x + sub_x + w / 2) % w - w / 2
        self.dx.append(float(shift_x) / w)
        self.dy.append(float(shift_y) / w)
        self._luma = luma

    def _still_fits_better_than_subpixel(self, luma: np.ndarray, sx: float, sy: float) -> bool:
        """Whether a still camera explains the picture as well as a move by a fraction of a
        pixel (the move's effect taken as gradient x shift): moving subjects skew the peak."""
        before = self._luma
        if before is None or before.shape != luma.shape or (sx == 0 and sy == 0):
            return False
        gy, gx = np.gradient(before)
        change = luma - before
        still_error = _level_median(np.abs(change))
        moved_error = _median(np.abs(change + gx * np.float32(sx) + gy * np.float32(sy)))
        return still_error <= moved_error

    def _still_fits_better(self, luma: np.ndarray, y: int, x: int) -> bool:
        """Whether the picture is better explained as still than as moved by (x, y).

        The highest correlation peak can be a subject's move, not the camera's, when the
        subject is large or sharp (FFmpeg's testsrc2: a moving box over still colour bars).
        The median pixel difference is the background's: most pixels follow the camera.
        """
        before = self._luma
        if before is None or before.shape != luma.shape:
            return False
        h, w = luma.shape
        dy = y - h if y > h // 2 else y
        dx = x - w if x > w // 2 else x
        if abs(dy) >= h // 2 or abs(dx) >= w // 2:
            return False
        moved = before[max(0, dy) : h + min(0, dy), max(0, dx) : w + min(0, dx)]
        now = luma[max(0, -dy) : h + min(0, -dy), max(0, -dx) : w + min(0, -dx)]
        moved_error = _level_median(np.abs(moved - now))
        still_error = _level_median(np.abs(before - luma))
        return still_error <= moved_error


def _median(values: np.ndarray) -> float:
    """np.median's value: NumPy selects the two middle values of an even count ~8x slower
    (0.28 ms on a 128 px picture, four times a frame) than one value and the largest below it."""
    flat = values.ravel()
    middle = flat.size // 2
    part = np.partition(flat, middle)
    if flat.size % 2:
        return float(part[middle])
    return float((part[:middle].max() + part[middle]) / part.dtype.type(2))


def _level_median(levels: np.ndarray) -> float:
    """_median() of whole levels 0..255 (the differences of two 8-bit pictures), read off their
    histogram: ~3x cheaper than selecting, and the same value."""
    counts = np.cumsum(np.bincount(levels.ravel().astype(np.uint8), minlength=256))
    middle = levels.size // 2
    upper = int(np.searchsorted(counts, middle + 1))
    if levels.size % 2:
        return float(upper)
    return (int(np.searchsorted(counts, middle)) + upper) / 2


def _parabola(left: float, centre: float, right: float) -> float:
    """Sub-pixel offset of a peak from three samples around it."""
    denominator = left - 2 * centre + right
    return 0.0 if denominator == 0 else float(np.clip(0.5 * (left - right) / denominator, -1, 1))


def shake_per_second(
    times: Sequence[float],
    dx: Sequence[float],
    dy: Sequence[float],
    breaks: set[int],
    fps: float,
    duration_s: float,
) -> list[float]:
    """Shake 0..1 for each second: jitter of the camera path around its smooth course."""
    seconds = max(1, math.ceil(duration_s - 1e-6))
    n = len(times)
    if n < 3:
        return [0.0] * seconds
    steps_x = np.asarray(dx, dtype=np.float64)
    steps_y = np.asarray(dy, dtype=np.float64)
    # A scene change is no camera move: the path does not jump there.
    for index in breaks:
        if index < n:
            steps_x[index] = steps_y[index] = 0.0
    path = np.stack([np.cumsum(steps_x), np.cumsum(steps_y)])
    half = max(2, round(fps * _SMOOTH_S / 2))
    kernel = _quadratic_smoother(half)
    # Mirrored through the end points, a steady pan stays a straight line to the very end.
    padded = np.pad(path, ((0, 0), (half, half)), mode="reflect", reflect_type="odd")
    smooth = np.stack([np.convolve(padded[k], kernel, mode="valid") for k in (0, 1)])
    jitter = np.hypot(*(path - smooth)) * 100.0  # percent of the width
    bucket = np.minimum(seconds - 1, np.asarray(times, dtype=np.float64).astype(int))
    total = np.bincount(bucket, weights=jitter * jitter, minlength=seconds)
    count = np.bincount(bucket, minlength=seconds)
    rms = np.sqrt(total / np.maximum(count, 1))
    return [float(1.0 - math.exp(-r / _SHAKE_SCALE)) for r in rms]


def _quadratic_smoother(half: int) -> np.ndarray:
    """Savitzky-Golay weights: the value of a least-squares quadratic at the window's centre."""
    m = np.arange(-half, half + 1, dtype=np.float64)
    design = np.stack([np.ones_like(m), m, m * m], axis=1)
    weights: np.ndarray = np.linalg.pinv(design)[0]
    return weights


def is_shaky(shake: Sequence[float]) -> bool:
    return bool(shake) and sum(1 for s in shake if s >= SHAKY) / len(shake) >= SHAKY_SHARE
