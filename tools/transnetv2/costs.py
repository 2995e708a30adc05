"""CPU per frame of the float and the 8-bit TransNetV2, side by side in one run.

Each model runs in a fresh process (so each peak is its own), one intra-op thread as the
service runs it, on real windows (bikes, from tools/footage.py); rounds interleave the two and
the medians are printed with their ratio. A window's CPU is divided by the frames it predicts
(50 of the float model's 100, 150 of the 8-bit model's 200): what a frame of video costs.
Usage: .venv/bin/python tools/transnetv2/costs.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _one(model: str) -> dict[str, float]:
    import av
    import numpy as np

    from backend.analysis import shotmodel
    from backend.analysis.frames import ModelInput
    from tests.analysis.real import real_clip

    scale = ModelInput()
    with av.open(str(real_clip("bikes").path)) as container:
        frames = [scale(f) for f in container.decode(video=0)]
    path = shotmodel.FLOAT_MODEL if model == "float" else shotmodel.QUANTIZED_MODEL
    size = shotmodel.window(path)  # loads the session
    windows = [np.stack(frames[i : i + size]) for i in (0, 25, 50)]  # bikes: 250 frames
    start = time.process_time()
    for window in windows:
        shotmodel.run_window(window, path)
    cpu = (time.process_time() - start) / len(windows) / (size - 2 * shotmodel.CONTEXT)
    status = Path("/proc/self/status").read_text().splitlines()
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    return {"cpu_s": cpu, "peak_mb": peak / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", choices=("float", "int8"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.one)))
        return
    runs: dict[str, list[dict[str, float]]] = {"float": [], "int8": []}
    for _ in range(args.rounds):
        for model in runs:
            out = subprocess.run(
                [sys.executable, __file__, "--one", model],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            runs[model].append(json.loads(out))
    cpu = {m: statistics.median(r["cpu_s"] for r in rs) for m, rs in runs.items()}
    for model, rs in runs.items():
        peak = statistics.median(r["peak_mb"] for r in rs)
        print(f"{model:6s} {cpu[model] * 1000:.2f} ms of CPU per frame, process peak {peak:.0f} MB")
    print(f"int8 / float: {cpu['int8'] / cpu['float']:.2f}x the CPU")


if __name__ == "__main__":
    main()
