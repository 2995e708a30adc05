"""Fairness: one user with 20 queued videos, another with one; when does the one start?

Against the real server as `make run` starts it (2 gunicorn workers x CLIPSCOPE_WORKERS=2 analysis
slots, SQLite, thread runner). The heavy user uploads 28 different videos of the same length; once
a first round has ended (4 running, 20 queued), the light user uploads one. Its wait (queued ->
started) is set beside one job's length (the heavy jobs' median run time): the goal is a wait of
at most one job length; and beside the run time of the job whose slot it took. The heavy jobs
that started between its upload and its start should be none. Beside it, when the heavy user's
last job started: about what it would have waited behind all 20 first come, first served.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from bench.figures import Figure
from bench.server import Server, bench_main, running_server
from tests.videos import make_video

HEAVY_QUEUED = 20
SLOTS = 2 * 2  # WEB_CONCURRENCY x CLIPSCOPE_WORKERS, make run's defaults


def _upload(server: Server, token: str, video: Path) -> str:
    with video.open("rb") as body:
        answer = requests.post(
            f"{server.base}/api/upload",
            data=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "video/mp4",
                "X-Filename": video.name,
            },
            timeout=120,
        )
    answer.raise_for_status()
    job_id: str = answer.json()["job_id"]
    return job_id


def _job(server: Server, token: str, job_id: str) -> dict[str, Any]:
    answer = requests.get(
        f"{server.base}/api/jobs/{job_id}", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    answer.raise_for_status()
    body: dict[str, Any] = answer.json()
    return body


def _wait(what: str, check: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _at(job: dict[str, Any], field: str) -> float:
    return datetime.fromisoformat(job[field]).timestamp()


def run(quick: bool = False) -> list[Figure]:
    queued = 4 if quick else HEAVY_QUEUED
    # One round of jobs ends first, so that the light job arrives in the steady state (the first
    # round runs beside the uploads of the rest, slower than any later one), with `queued` of
    # the heavy user's jobs waiting and every slot running one of theirs.
    heavy_count = queued + 2 * SLOTS
    seconds = 3.0 if quick else 8.0
    with tempfile.TemporaryDirectory(prefix="clipscope-bench-fair-") as tmp:
        videos = [
            make_video(
                Path(tmp) / f"v{n}.mp4", seconds=seconds, fps=30, width=640, height=360, seed=n + 1
            )
            for n in range(heavy_count + 1)
        ]
        with running_server("fairness", {"CLIPSCOPE_USER_MAX_QUEUED": "100"}) as server:
            heavy, light = (
                server.register("heavy@bench.local"),
                server.register("light@bench.local"),
            )
            heavy_ids = [_upload(server, heavy, video) for video in videos[:heavy_count]]

            def counts() -> dict[str, int]:
                statuses = [_job(server, heavy, i)["status"] for i in heavy_ids]
                return {status: statuses.count(status) for status in set(statuses)}

            _wait(
                "a first round of the heavy user's jobs to end",
                lambda: counts().get("completed", 0) >= SLOTS,
                60 + 30 * heavy_count,
            )
            now = counts()
            print(f"when the light user uploads, the heavy user's jobs are {now}", flush=True)
            light_id = _upload(server, light, videos[-1])
            ended = ("completed", "failed", "cancelled")
            every = [(heavy, i) for i in heavy_ids] + [(light, light_id)]
            _wait(
                "every job to end",
                lambda: all(_job(server, t, i)["status"] in ended for t, i in every),
                60 + 30 * heavy_count,
            )
            jobs = [_job(server, heavy, i) for i in heavy_ids]
            mine = _job(server, light, light_id)
    if any(job["status"] != "completed" for job in [*jobs, mine]):
        raise RuntimeError("a bench job did not complete")
    length = statistics.median(_at(j, "finished_at") - _at(j, "started_at") for j in jobs)
    waited = _at(mine, "started_at") - _at(mine, "created_at")
    queued_at = _at(mine, "created_at")
    heavy_after = sum(_at(j, "started_at") > queued_at for j in jobs)
    # The slot it took: the job that ended last before it started.
    freed = max(
        (j for j in jobs if _at(j, "finished_at") <= _at(mine, "started_at")),
        key=lambda j: _at(j, "finished_at"),
    )
    freed_length = _at(freed, "finished_at") - _at(freed, "started_at")
    heavy_before_mine = sum(
        queued_at < _at(j, "started_at") < _at(mine, "started_at") for j in jobs
    )
    fifo_wait = max(_at(j, "started_at") for j in jobs) - queued_at
    print(
        f"one job length (median of {len(jobs)}) {length:.2f} s; the light user's job waited "
        f"{waited:.2f} s; {heavy_before_mine} of the {heavy_after} heavy jobs still queued then "
        f"started before it; the heavy user's last job started {fifo_wait:.2f} s after it was "
        "queued"
    )
    bench = "fairness"
    return [
        Figure(
            bench,
            f"light user's wait ÷ one job length ({queued} heavy jobs queued first)",
            waited / length,
            "jobs",
            goal=1.0,
        ),
        Figure(bench, "light user's wait", waited, "s"),
        Figure(bench, "one job length (median run time of the heavy jobs)", length, "s"),
        Figure(
            bench,
            "light user's wait ÷ the run time of the job whose slot it took",
            waited / freed_length,
            "jobs",
            goal=1.0,
        ),
        Figure(
            bench, "heavy jobs started after it was queued and before it", heavy_before_mine, "jobs"
        ),
        Figure(
            bench,
            "first come, first served: the heavy user's last start after it was queued",
            fifo_wait,
            "s",
        ),
    ]


if __name__ == "__main__":
    bench_main(run, "Fairness: a single job beside another user's 20", __doc__)
