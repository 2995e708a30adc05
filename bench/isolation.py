"""What analysing in a child process costs: frames/s beside in-process and decode-only, and the
fixed cost per job (forkserver fork, messages, result document), measured side by side.

All three run from this one process, in interleaved rounds (decode, in-process, child, decode,
...), and each figure is the median of the rounds, so a noisy neighbour hits all of them alike.
The child is what the server runs (backend.jobs.runners.isolation.analyze_isolated: a
forkserver child under SCHED_IDLE at nice 19, with the memory watch); in-process is
backend.analysis.analyze.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import av

from backend.analysis import analyze
from backend.jobs.runners.isolation import Limits, analyze_isolated, lower_priority, warm_up
from bench.figures import Figure
from bench.longvideo import make_long_video
from bench.server import bench_main
from tests.videos import make_video

GOAL_RATIO = 0.85
LIMITS = Limits(timeout_s=3600, memory_mb=1536)


def decode_only(path: Path) -> int:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_type = "AUTO"
        return sum(1 for _ in container.decode(stream))


def in_process(path: Path, thumbnails: Path) -> int:
    result = analyze(path, lambda *_: None, lambda: False, thumbnails_dir=thumbnails)
    return int(result["frames_analyzed"])


def in_child(path: Path, thumbnails: Path) -> int:
    result = analyze_isolated(
        str(path), lambda *_: None, lambda: False, thumbnails_dir=str(thumbnails), limits=LIMITS
    )
    return int(result["frames_analyzed"])


def run(quick: bool = False) -> list[Figure]:
    rounds = 1 if quick else 3
    small_rounds = 3 if quick else 15
    # The child runs at the analyses' low priority (below request threads, by design); the
    # other two run at the same priority here, so that a busy machine slows all three alike
    # and the ratios measure what the child costs, not its priority.
    lower_priority(0)
    warm_up()
    with tempfile.TemporaryDirectory(prefix="clipscope-bench-isolation-") as tmp:
        root = Path(tmp)
        big = make_long_video(root / "1080p.mp4", 6.0 if quick else 30.0, 1920, 1080)
        small = make_video(root / "small.mp4", seconds=0.5, fps=24)
        fps: dict[str, list[float]] = {"decode": [], "in-process": [], "child": []}
        ways = {"decode": decode_only, "in-process": in_process, "child": in_child}
        for _ in range(rounds):
            for name, way in ways.items():
                started = time.perf_counter()
                frames = way(big) if name == "decode" else way(big, root / "thumbs")  # type: ignore[operator]
                fps[name].append(frames / (time.perf_counter() - started))
        per_job: dict[str, list[float]] = {"in-process": [], "child": []}
        for _ in range(small_rounds):
            for name in per_job:
                started = time.perf_counter()
                ways[name](small, root / "thumbs")  # type: ignore[operator]
                per_job[name].append((time.perf_counter() - started) * 1000)
    median = {name: statistics.median(values) for name, values in fps.items()}
    overhead = statistics.median(per_job["child"]) - statistics.median(per_job["in-process"])
    title = f"30 s 1080p30 H.264, median of {rounds} interleaved rounds"
    return [
        Figure("isolation", f"PyAV decode only ({title})", median["decode"], "frames/s"),
        Figure("isolation", "full analysis in-process", median["in-process"], "frames/s"),
        Figure("isolation", "full analysis in the child process", median["child"], "frames/s"),
        Figure(
            "isolation",
            f"child / decode only (goal >= {GOAL_RATIO})",
            median["child"] / median["decode"],
            "x",
        ),
        Figure("isolation", "child / in-process", median["child"] / median["in-process"], "x"),
        Figure(
            "isolation",
            f"fixed cost per job in a child (0.5 s clip, median of {small_rounds})",
            overhead,
            "ms",
        ),
    ]


if __name__ == "__main__":
    bench_main(run, "Analysis in a child process: speed and cost per job", __doc__)
