"""Frame rate and frame-rate variability, measured from the decoded timestamps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Timestamps are rounded to the container's clock (1 ms in Matroska), so a constant 30 fps
# reads as 33/34 ms steps; anything within this share of the typical step is constant.
_TOLERANCE = 0.1
_MIN_TOLERANCE_S = 0.0015
# Share of frame steps off the typical one above which the rate is called variable.
_VARIABLE_SHARE = 0.05


def average_fps(times: Sequence[float], fallback: float | None) -> float | None:
    """Frames per second over the span of the decoded frames."""
    if len(times) >= 2 and times[-1] > times[0]:
        return (len(times) - 1) / (times[-1] - times[0])
    return fallback


def typical_step(times: Sequence[float]) -> float | None:
    if len(times) < 2:
        return None
    steps = np.diff(np.asarray(times, dtype=np.float64))
    steps = steps[steps > 0]
    return float(np.median(steps)) if steps.size else None


def is_variable(times: Sequence[float]) -> bool:
    """Whether frame durations vary (phones drop to lower rates in low light)."""
    step = typical_step(times)
    if step is None or len(times) < 4:
        return False
    steps = np.diff(np.asarray(times, dtype=np.float64))
    tolerance = max(_MIN_TOLERANCE_S, _TOLERANCE * step)
    off = int(np.count_nonzero(np.abs(steps - step) > tolerance))
    return off >= 2 and off / steps.size > _VARIABLE_SHARE
