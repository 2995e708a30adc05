"""Quantize the TransNetV2 ONNX model to 8-bit convolutions, calibrated on the dev set only.

The float model costs ~1.1 s of one core per window of 100 frames (43 frames/s at best): the
analysis could never keep up with the decoder. Its 48 convolutions are 91 % of that; as 8-bit
integer convolutions (weights per channel, activations per tensor, calibrated on real windows)
the same window takes ~0.4 s and a third of the activation memory.

Calibration reads only the dev set (bench/corpus.py `clips()` and the dev real footage), never
the held-out set, so the held-out figures still judge a model that never saw those clips.
MinMax calibration over the same windows in the same order is deterministic: the same bytes
each time (the sha256 is printed; backend/analysis/shotmodel.py checks it on load).

Runs in a throwaway virtualenv with `onnx` (tools/transnetv2/README.md):
    /tmp/qvenv/bin/python tools/transnetv2/quantize.py backend/analysis/model/transnetv2-int8.onnx
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from backend.analysis.frames import ModelInput  # noqa: E402
from backend.analysis.shotmodel import CONTEXT, FLOAT_MODEL, STEP, WINDOW, sampling_step  # noqa: E402
from bench.accuracy import REAL  # noqa: E402
from bench.corpus import clips  # noqa: E402
from tests.analysis.footage import write  # noqa: E402
from tests.analysis.real import real_clip  # noqa: E402

# Every Nth window of each clip: enough spread (cuts, fades, motion, dark and bright scenes)
# without the calibration taking an hour.
EVERY = 2


def windows(path: Path) -> Iterator[np.ndarray]:
    """The model's windows of one clip, laid out as ShotModel lays them."""
    scale = ModelInput()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        step = sampling_step(float(stream.average_rate or 30))
        frames = [scale(f) for i, f in enumerate(container.decode(stream)) if i % step == 0]
    if not frames:
        return
    count = -(-len(frames) // STEP)  # windows, each predicting STEP frames
    padded = [frames[0]] * CONTEXT + frames
    padded += [frames[-1]] * (STEP * count + WINDOW - STEP - len(padded))
    for start in range(0, STEP * count, STEP):
        yield np.stack(padded[start : start + WINDOW])[np.newaxis]


def dev_windows(work: Path) -> list[np.ndarray]:
    paths = [real_clip(stem).path for stem in REAL["dev"]]
    for clip in clips():
        path = work / f"{clip.name}.mp4"
        write(clip, path)
        paths.append(path)
    out = []
    for path in paths:
        out.extend(w for i, w in enumerate(windows(path)) if i % EVERY == 0)
    return out


def main() -> None:
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("output", type=Path)
    args = parser.parse_args()

    class Reader(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self, data: list[np.ndarray]) -> None:
            self._data = iter(data)

        def get_next(self) -> dict[str, np.ndarray] | None:
            window = next(self._data, None)
            return None if window is None else {"frames": window}

    with tempfile.TemporaryDirectory() as work:
        data = dev_windows(Path(work))
    print(f"calibrating on {len(data)} dev windows")
    quantize_static(
        str(FLOAT_MODEL),
        str(args.output),
        Reader(data),
        quant_format=QuantFormat.QOperator,
        op_types_to_quantize=["Conv"],
        per_channel=True,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
    )
    print(args.output, hashlib.sha256(args.output.read_bytes()).hexdigest())


if __name__ == "__main__":
    main()
