"""Per-second motion scores and the most active segments."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Luma change per second (mean absolute difference between frames, as a fraction of full
# scale, summed over one second) that scores 1 - 1/e. A static shot is near 0, handheld
# walking about 0.5, a fast pan of a detailed scene close to 1.
_CHANGE_SCALE = 0.6
HIGHLIGHT_COUNT = 3
HIGHLIGHT_SECONDS = 3


@dataclass(frozen=True)
class Highlight:
    start_s: float
    end_s: float
    score: float


def per_second(
    times: Sequence[float],
    changes: Sequence[float],
    cut_frames: set[int],
    duration_s: float,
    interval_s: float = 1.0,
) -> list[float]:
    """Motion 0..1 for each interval; a frame that starts a scene is a cut, not motion."""
    buckets = max(1, math.ceil(duration_s / interval_s - 1e-6))
    total = [0.0] * buckets
    covered = [0.0] * buckets
    for index in range(1, len(times)):
        if index in cut_frames:
            continue
        bucket = min(buckets - 1, max(0, int(times[index] / interval_s)))
        total[bucket] += changes[index]
        covered[bucket] += max(0.0, times[index] - times[index - 1])
    values: list[float] = []
    for bucket in range(buckets):
        if covered[bucket] <= 0:
            values.append(values[-1] if values else 0.0)
            continue
        # Change per second of video, so the score depends neither on the frame rate nor
        # on whether it varies.
        rate = total[bucket] / covered[bucket]
        values.append(1.0 - math.exp(-rate / _CHANGE_SCALE))
    return values


def highlights(values: Sequence[float], interval_s: float, duration_s: float) -> list[Highlight]:
    """The most active non-overlapping segments, best first."""
    if not values:
        return []
    span = max(1, min(HIGHLIGHT_SECONDS, len(values) // HIGHLIGHT_COUNT))
    windows = [(sum(values[i : i + span]) / span, i) for i in range(0, len(values) - span + 1)]
    windows.sort(key=lambda w: (-w[0], w[1]))
    taken: list[tuple[float, int]] = []
    for score, start in windows:
        if len(taken) == HIGHLIGHT_COUNT:
            break
        if all(abs(start - other) >= span for _, other in taken):
            taken.append((score, start))
    return [
        Highlight(
            start_s=start * interval_s,
            end_s=min(duration_s, (start + span) * interval_s),
            score=score,
        )
        for score, start in taken
    ]
