"""(b) GET /api/jobs/{id} latency while 400 phones poll every 2 s and two analyses run.

Two windows on one server: the phones and the analyses alone, then the same with the adverse
clients of bench/adverse.py (stalled and slow uploads, stalled anonymous bodies, health probes).

Setup: 20 accounts own 400 jobs (small uploads that fail analysis at once, so they leave the
CPU to the two real analyses); then two 1280x720 phone-like videos, long enough to still be
analysed when the window closes, are uploaded. Latency is measured on the client (send to last
body byte) and, from gunicorn's access log, inside the server (%(D)s: handler and write only).
"""

from __future__ import annotations

import os
import re
import resource
import sqlite3
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from bench import rawhttp
from bench.adverse import AdverseCounts, adverse_load
from bench.bare_app import bare_route
from bench.figures import Figure, percentile
from bench.longvideo import make_long_video
from bench.phones import LoadResult, Phone, Sample, poll
from bench.server import Server, bench_main, running_server

PHONES = 400
USERS = 20
INTERVAL_S = 2.0
WARMUP_S = 2.0
GOAL_P99_MS = 10.0
# Under the adverse clients (bench/adverse.py) the promise is 50 ms.
GOAL_ADVERSE_P99_MS = 50.0
# However the phones' connections arrive, no worker may serve most of them (issue 20); the
# calibration bench holds its workers to the same bound.
MAX_WORKER_SHARE = 60.0
ADVERSE_LABEL = "+ 100 stalled uploads, 100 stalled logins, 50 slow uploads"
# Long enough that both analyses outlast the window even on an idle machine.
VIDEO_S = 180.0
PHONES_NICE = -10
ACCESS_FORMAT = "access %(p)s %(m)s %(U)s %(s)s %(D)s %({x-request-id}i)s"
ACCESS_LINE = re.compile(r"^access <(\d+)> GET /api/jobs/\S+ (\d+) (\d+) (\d+)$", re.MULTILINE)


def create_jobs(server: Server, tokens: list[str], count: int) -> list[Phone]:
    """`count` jobs spread over the accounts; each is a distinct tiny upload."""
    head = rawhttp.mp4_head()
    phones = []
    sessions = [requests.Session() for _ in tokens]
    for n in range(count):
        token = tokens[n % len(tokens)]
        answer = sessions[n % len(tokens)].post(
            f"{server.base}/api/upload",
            data=head + n.to_bytes(8, "big"),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "video/mp4"},
            timeout=30,
        )
        if answer.status_code != 202:
            raise RuntimeError(f"upload {n}: {answer.status_code} {answer.text[:200]}")
        phones.append(Phone(token, answer.json()["job_id"]))
    return phones


def active_jobs(server: Server) -> list[tuple[str, str, str | None]]:
    """(id, status, owner) of the queued and processing jobs, read from the server's database."""
    with sqlite3.connect(f"file:{server.db_path}?mode=ro", uri=True, timeout=10) as db:
        rows = db.execute(
            "SELECT id, status, owner FROM jobs WHERE status IN ('queued', 'processing')"
        ).fetchall()
    return [(str(a), str(b), c) for a, b, c in rows]


def wait_for(what: str, check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def start_analyses(server: Server, tokens: list[str], video: Path, count: int = 2) -> list[Phone]:
    """Upload the long video for `count` accounts (as many jobs, no deduplication)."""
    phones = []
    for token in tokens[:count]:
        with video.open("rb") as body:
            answer = requests.post(
                f"{server.base}/api/upload",
                data=body,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "video/mp4",
                    "X-Filename": "long.mp4",
                },
                timeout=120,
            )
        answer.raise_for_status()
        phones.append(Phone(token, answer.json()["job_id"]))
    ids = {p.job_id for p in phones}
    wait_for(
        "the analyses to start",
        lambda: (
            sum(1 for i, s, _ in active_jobs(server) if i in ids and s == "processing") == count
        ),
        timeout=60,
    )
    return phones


@contextmanager
def ahead_of_the_server() -> Iterator[bool]:
    """Run this thread (the phones' event loop) at a higher CPU priority, if allowed.

    Real phones do not share the server's CPUs; on a 2-core machine busy with two analyses a
    load generator at equal priority waits for a CPU, and its clock then adds that wait to
    the latency it records. On Linux the nice value is per thread, so the server keeps its own.
    (With autogroup scheduling, as here, the bench's own session already shares the CPUs
    fairly with the server's; the send lag figure shows how late the phones still were.)
    """
    before = os.getpriority(os.PRIO_PROCESS, 0)
    try:
        os.setpriority(os.PRIO_PROCESS, 0, PHONES_NICE)
        raised = True
    except PermissionError:
        raised = False
    try:
        yield raised
    finally:
        if raised:
            os.setpriority(os.PRIO_PROCESS, 0, before)


def cpu_seconds(group: int) -> float:
    """CPU time (user + system) of the live processes of a process group, in seconds.

    The group is the server's: its master, workers and any processes they started.
    """
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue  # ended while we looked
        if int(fields[2]) == group:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def server_times(log: str) -> dict[int, tuple[int, float]]:
    """request id -> (worker pid, handler time in ms) from the access log."""
    found = {}
    for pid, status, micros, request_id in ACCESS_LINE.findall(log):
        if status == "200":
            found[int(request_id)] = (int(pid), int(micros) / 1000)
    return found


def rss_mb(pids: list[int]) -> float:
    """Resident memory of these processes together, in MB (their children not included)."""
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (FileNotFoundError, IndexError):
            continue
    return total * resource.getpagesize() / 2**20


@dataclass
class Window:
    label: str
    goal_ms: float
    result: LoadResult
    adverse: AdverseCounts | None
    still_running: int
    client_cores: float
    server_cores: float
    machine_busy: float
    web_rss_growth_mb: float


def measure_window(
    server: Server,
    phones: list[Phone],
    analysed: list[Phone],
    seconds: float,
    label: str,
    goal_ms: float,
    beside: Callable[[], Awaitable[AdverseCounts]] | None,
    first_id: int,
) -> tuple[Window, bool]:
    group = server.process.pid  # the server runs in its own session and group
    web_before = rss_mb(server.worker_pids())
    cpu_before, busy_before = cpu_seconds(group), machine_busy()
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    with ahead_of_the_server() as raised:
        result, adverse = poll(
            server.port, phones, WARMUP_S + seconds, INTERVAL_S, beside, first_id
        )
    elapsed = time.monotonic() - started
    usage_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_after, busy_after = cpu_seconds(group), machine_busy()
    ids = {p.job_id for p in analysed}
    still_running = sum(1 for i, s, _ in active_jobs(server) if s == "processing" and i in ids)
    client_cpu = (
        usage_after.ru_utime + usage_after.ru_stime - usage_before.ru_utime - usage_before.ru_stime
    )
    window = Window(
        label,
        goal_ms,
        result,
        adverse,
        still_running,
        client_cpu / elapsed,
        (cpu_after - cpu_before) / elapsed,
        (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1]),
        rss_mb(server.worker_pids()) - web_before,
    )
    return window, raised


def run(quick: bool = False) -> list[Figure]:
    window_s = 8.0 if quick else 30.0
    env = {
        "CLIPSCOPE_ACCESS_LOG": "1",
        "GUNICORN_CMD_ARGS": f"--access-logformat='{ACCESS_FORMAT}'",
    }
    windows: list[Window] = []
    with tempfile.TemporaryDirectory(prefix="clipscope-bench-video-") as tmp:
        # Both windows fall inside the two analyses.
        video = make_long_video(Path(tmp) / "long.mp4", 60.0 if quick else 2 * VIDEO_S)
        with running_server("polling", env) as server:
            tokens = [server.register(f"phone{n}@bench.example") for n in range(USERS)]
            phones = create_jobs(server, tokens, PHONES - 2)
            wait_for("the small jobs to end", lambda: not active_jobs(server), timeout=180)
            analysed = start_analyses(server, tokens, video)
            phones = analysed + phones
            owners = {o.split(":")[1] for i, _, o in active_jobs(server) if o}
            head = rawhttp.mp4_head()

            def adverse() -> Awaitable[AdverseCounts]:
                return adverse_load(server.port, tokens[2], head, window_s)

            raised = False
            for n, (label, goal, beside) in enumerate(
                (("", GOAL_P99_MS, None), (ADVERSE_LABEL, GOAL_ADVERSE_P99_MS, adverse))
            ):
                window, raised = measure_window(
                    server, phones, analysed, window_s, label, goal, beside, 1 + n * 10**7
                )
                windows.append(window)
            log = server.log_path.read_text(errors="replace")
            # The calibration (bench/calibration.py): the same phones on a bare Flask + sqlite3
            # route with the same gunicorn settings, in the same run, the analyses still going.
            with bare_route(phones, Path(tmp), env) as (bare, bare_phones), ahead_of_the_server():
                calibration, _ = poll(
                    bare.port, bare_phones, WARMUP_S + window_s, INTERVAL_S, None, 1
                )
    inside, pids = server_times(log), {int(o) for o in owners}
    rows: list[Figure] = []
    for window in windows:
        rows += figures(window, inside, window_s, pids, raised)
    return rows + calibration_figures(calibration, windows[0].result, window_s)


def calibration_figures(bare: LoadResult, ours: LoadResult, seconds: float) -> list[Figure]:
    def after_warmup(result: LoadResult) -> list[float]:
        first = min(s.sent for s in result.samples) + WARMUP_S
        return [s.latency * 1000 for s in result.samples if s.sent >= first and s.status == 200]

    bare_ms, ours_ms = after_warmup(bare), after_warmup(ours)
    name = f"calibration: bare Flask + sqlite3 route, the same {PHONES} phones, {seconds:g} s"
    return [
        Figure("polling", f"{name}: p50", percentile(bare_ms, 50), "ms"),
        Figure("polling", f"{name}: p99", percentile(bare_ms, 99), "ms"),
        Figure("polling", f"{name}: errors", float(bare.errors), "n"),
        Figure(
            "polling",
            "p99 ours / bare route (first window)",
            percentile(ours_ms, 99) / percentile(bare_ms, 99),
            "x",
        ),
    ]


def figures(
    window: Window,
    server: dict[int, tuple[int, float]],
    seconds: float,
    analysis_pids: set[int],
    client_raised: bool,
) -> list[Figure]:
    result = window.result
    first = min(s.sent for s in result.samples) + WARMUP_S
    measured = [s for s in result.samples if s.sent >= first]
    ok = [s for s in measured if s.status == 200]
    latency = [s.latency * 1000 for s in ok]
    inside = [server[s.request_id][1] for s in ok if s.request_id in server]
    by_worker: dict[str, list[float]] = defaultdict(list)
    for s in ok:
        if s.request_id in server:
            busy = server[s.request_id][0] in analysis_pids
            by_worker["running the analyses" if busy else "other"].append(s.latency * 1000)
    tag = f" {window.label}" if window.label else ""
    name = f"GET /api/jobs/{{id}}, {PHONES} phones / {INTERVAL_S:g} s, {seconds:g} s{tag}"

    def fig(label: str, value: float, unit: str, goal: float | None = None) -> Figure:
        return Figure(
            "polling", f"{label}{tag}" if not label.startswith("GET") else label, value, unit, goal
        )

    # A burst (fifty uploads ending together, a network dropping a hundred connections) shows
    # as one bad second that the window's p99 can hide.
    by_second: dict[int, list[Sample]] = defaultdict(list)
    for s in ok:
        by_second[int(s.sent - first)].append(s)
    worst = max(
        by_second, key=lambda k: percentile([s.latency for s in by_second[k]], 99), default=0
    )
    # Whose the worst second's wait was: the load generator's own lateness, or the server's.
    worst_samples = by_second.get(worst, [])
    rows = [
        fig(f"{name}: p50", percentile(latency, 50), "ms"),
        fig(f"{name}: p99", percentile(latency, 99), "ms", window.goal_ms),
        fig(f"{name}: max", max(latency, default=float("nan")), "ms"),
        fig(
            f"p99 of the worst second (second {worst + 1} of {seconds:g})",
            percentile([s.latency * 1000 for s in worst_samples], 99),
            "ms",
        ),
        fig(
            "  in that second: inside the server p99",
            percentile(
                [server[s.request_id][1] for s in worst_samples if s.request_id in server], 99
            ),
            "ms",
        ),
        fig(
            "  in that second: the load generator's send lag p99",
            percentile([s.lag * 1000 for s in worst_samples], 99),
            "ms",
        ),
        fig("inside the server (access log D): p50", percentile(inside, 50), "ms"),
        fig("inside the server (access log D): p99", percentile(inside, 99), "ms"),
    ]
    for label, values in sorted(by_worker.items()):
        rows.append(
            fig(f"p99 on the worker {label} ({len(values)} requests)", percentile(values, 99), "ms")
        )
    per_worker = Counter(server[s.request_id][0] for s in ok if s.request_id in server)
    counted = sum(per_worker.values())
    rows += [
        fig(
            "largest web worker's share of the polls",
            100 * max(per_worker.values()) / counted if counted else 100.0,
            "%",
            MAX_WORKER_SHARE,
        ),
        fig("achieved request rate", len(measured) / seconds, "req/s"),
        fig("poll errors (non-200 or broken connection)", float(result.errors), "n", 0),
        fig("reconnects", float(result.reconnects), "n"),
        fig("analyses still running at the end", float(window.still_running), "of 2"),
        fig("web workers' RSS growth", window.web_rss_growth_mb, "MB"),
        fig("server's CPU (all its processes)", 100 * window.server_cores, "% of a core"),
        fig("load generator's CPU", 100 * window.client_cores, "% of a core"),
        fig("load generator's nice", PHONES_NICE if client_raised else 0, ""),
        fig(
            "load generator's send lag p99",
            percentile([s.lag * 1000 for s in measured], 99),
            "ms",
        ),
        fig("machine CPU busy (all processes)", 100 * window.machine_busy, "%"),
    ]
    if window.adverse is not None:
        adverse = window.adverse
        answered = [lat * 1000 for lat, status in adverse.probes if status == 200]
        missed = len(adverse.probes) - len(answered)
        rows += [
            fig(f"health probes not answered 200 (of {len(adverse.probes)})", missed, "n", 0),
            fig("health probe p99", percentile(answered, 99), "ms"),
            fig("health probe max", max(answered, default=float("nan")), "ms"),
            fig("slow uploads (64 KiB/s) cut or refused", adverse.slow_cut, "n", 0),
            fig("slow uploads accepted (202)", adverse.slow_accepted, "n"),
            fig("stalled connections dropped by the server", adverse.stalled_dropped, "n"),
        ]
    return rows


if __name__ == "__main__":
    bench_main(run, "(b) polling: job status latency under load", __doc__)
