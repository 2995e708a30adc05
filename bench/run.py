"""`make bench`: run every benchmark against a real server and print every figure.

Each bench runs in its own process (and starts its own server in a temp dir), so one that fails
or is interrupted cannot leave another with a half-used server; a Ctrl-C stops the running bench,
which stops its server and removes its files. Colleagues' benches (bench/analysis.py,
bench/push.py) run afterwards when they exist and print their own figures.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_ROOT))  # so that `bench.figures` imports when run as a script

from bench.figures import Figure, load, table  # noqa: E402

OURS = [
    ("upload_latency", "(a) answer time after the last byte of a 50 MiB upload"),
    ("polling", "(b) GET /api/jobs/{id} with 400 phones polling and two analyses running"),
    ("calibration", "the web tier against a bare Flask + sqlite3 route, as ratios"),
    ("upload_rss", "(c) server RSS growth during a 1 GiB upload"),
    ("isolation", "analysis in a child process: frames/s beside in-process, cost per job"),
    ("tus_resume", "(d) resuming a tus upload: its sha256 caught up from disk"),
    ("fairness", "fairness: one user's single job beside another user's 20 queued"),
    ("claims", "the fair claim's cost as one user's history grows"),
]
THEIRS = ["analysis.py", "push.py"]
# Those that hand their figures (and goals) to the summary table.
THEIRS_WITH_JSON = {"push.py"}
# Their own flags for a short run; they take no --quick.
THEIR_QUICK_ARGS = {
    "analysis.py": ["--seconds", "10", "--rounds", "1"],
    "push.py": ["--jobs", "20"],
}


def run_child(command: list[str], env: dict[str, str]) -> int:
    """Run a bench in its own session; on Ctrl-C or SIGTERM stop it so it can clean up."""
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, start_new_session=True)
    try:
        return process.wait()
    except BaseException:
        # SIGTERM lets the bench run its `finally` blocks: stop its server, remove temp dirs.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        raise


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 1)[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a fast smoke run, not figures")
    parser.add_argument("--only", choices=[name for name, _ in OURS], action="append")
    args = parser.parse_args()

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    # A shell starts background jobs with SIGINT ignored; Ctrl-C or kill -INT must still stop.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    quick = ["--quick"] if args.quick else []
    figures: list[Figure] = []
    failed: list[str] = []
    started = time.monotonic()
    print(f"{os.cpu_count()} CPUs; machine load average {load_average()} at start", flush=True)
    with tempfile.TemporaryDirectory(prefix="clipscope-bench-run-") as tmp:
        for name, title in OURS:
            if args.only and name not in args.only:
                continue
            print(f"\n== {title} (load average {load_average()})", flush=True)
            out = Path(tmp) / f"{name}.json"
            command = [sys.executable, "-m", f"bench.{name}", "--json", str(out), *quick]
            if run_child(command, env) != 0:
                failed.append(name)
            figures += load(out)
        for script in THEIRS if not args.only else []:
            path = BENCH_DIR / script
            if path.exists():
                print(f"\n== bench/{script} (load average {load_average()})", flush=True)
                extra = THEIR_QUICK_ARGS.get(script, []) if args.quick else []
                out = Path(tmp) / f"{path.stem}.json"
                if script in THEIRS_WITH_JSON:
                    extra = [*extra, "--json", str(out)]
                if run_child([sys.executable, str(path), *extra], env) != 0:
                    failed.append(script)
                figures += load(out)
    print()
    print(table(figures, f"All figures ({time.monotonic() - started:.0f} s)"))
    missed = [f for f in figures if f.verdict.startswith("MISS")]
    for f in missed:
        print(f"MISSED: {f.name}: {f.measured:.2f} {f.unit} against <= {f.goal:g} {f.unit}")
    if failed:
        print("FAILED to run: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted: the running bench stopped its server and removed its files")
        sys.exit(130)
