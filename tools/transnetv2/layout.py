"""A clip's model frames, and the windows they make, as backend.analysis.shotmodel has them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import av
import numpy as np

from backend.analysis.frames import ModelInput
from backend.analysis.shotmodel import CONTEXT, sampling_step


def model_frames(path: Path) -> np.ndarray:
    """[N, 27, 48, 3] uint8: the frames the analysis gives the model (sampled as it samples)."""
    scale = ModelInput()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        every = sampling_step(float(stream.average_rate or 30))
        return np.stack(
            [scale(f) for i, f in enumerate(container.decode(stream)) if i % every == 0]
        )


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
