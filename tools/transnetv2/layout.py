"""The windows a clip's model frames make, laid out as backend.analysis.shotmodel lays them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from backend.analysis.shotmodel import CONTEXT


def windows(frames: Sequence[np.ndarray], window: int) -> Iterator[np.ndarray]:
    """[window, 27, 48, 3] arrays: the first frame repeated CONTEXT times before the clip, the
    last after it, each window predicting the `window - 2 * CONTEXT` frames between its first
    and last CONTEXT."""
    if not len(frames):
        return
    step = window - 2 * CONTEXT
    count = -(-len(frames) // step)
    padded = [frames[0]] * CONTEXT + list(frames)
    padded += [frames[-1]] * (step * count + window - step - len(padded))
    for start in range(0, step * count, step):
        yield np.stack(padded[start : start + window])
