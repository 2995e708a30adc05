"""A cancel answered by one gunicorn worker stops the analysis running in the other one."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import requests

from tests.helpers import wait_for
from tests.server.processes import (
    analysis_children,
    descendants,
    make_run,
    parent_of,
    signed_up,
)
from tests.videos import write_yuv_video

SECONDS, FPS, SCENE_S = 120, 24, 10
WIDTH, HEIGHT = 320, 240


def scenes_video(path: Path) -> Path:
    """A long clip with a hard cut every SCENE_S seconds; cheap to write (frames made in YUV)."""
    rng = np.random.default_rng(7)
    rows = HEIGHT * 3 // 2

    def frames() -> Iterator[np.ndarray]:
        for scene in range(SECONDS // SCENE_S):
            base = rng.integers(16, 235, size=(rows // 24, WIDTH // 32), dtype=np.uint8)
            base = np.kron(base, np.ones((24, 32), dtype=np.uint8))
            for index in range(SCENE_S * FPS):
                yield np.roll(base, index + scene, axis=1)

    return write_yuv_video(path, frames(), fps=FPS, width=WIDTH, height=HEIGHT, preset="ultrafast")


def _owner_pid(database: Path, job_id: str) -> int | None:
    with sqlite3.connect(database) as conn:
        row = conn.execute("SELECT owner FROM jobs WHERE id = ?", (job_id,)).fetchone()
    # An owner is "<host>:<pid>:<runner>/<attempt>".
    return int(row[0].split(":")[1]) if row and row[0] else None


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def _cancel_on_a_live_worker(base: str, job_id: str, headers: dict[str, str]) -> requests.Response:
    """POST the cancel on new connections until the worker that is not frozen answers.

    The workers share one listening socket and the live one takes what the frozen one leaves
    waiting (backend/server/spread.py); a connection the frozen worker accepted just before it
    froze waits forever, so another is tried.
    """
    for _ in range(20):
        try:
            return requests.post(
                f"{base}/api/jobs/{job_id}/cancel",
                headers={**headers, "Connection": "close"},
                timeout=2,
            )
        except requests.Timeout:
            continue
    raise AssertionError("no live worker answered the cancel")


@pytest.mark.slow
def test_a_cancel_served_by_another_worker_stops_the_analysis(tmp_path: Path) -> None:
    video = scenes_video(tmp_path / "long.mp4")
    with make_run(tmp_path, CLIPSCOPE_WORKERS="1") as (base, make):
        http = requests.Session()
        http.headers.update(signed_up(base, "c@example.com"))
        with open(video, "rb") as handle:
            accepted = http.post(f"{base}/api/upload", files={"video": ("long.mp4", handle)})
        assert accepted.status_code == 202
        job_id = accepted.json()["job_id"]

        # The worker that claimed the job, and its analysis child, frozen mid-clip so that the
        # test does not race a decoder that reads hundreds of frames a second.
        database = tmp_path / "server.db"
        wait_for(
            lambda: _owner_pid(database, job_id) is not None,
            timeout=30,
            what="a worker to claim the job",
        )
        worker = _owner_pid(database, job_id)
        assert worker is not None
        workers = [p for p in descendants(make.pid) if parent_of(p) == parent_of(worker)]
        assert len(workers) == 2 and worker in workers, workers
        child: list[int] = []
        pause = threading.Event()
        deadline = time.monotonic() + 30
        while not child and time.monotonic() < deadline:
            child = analysis_children(worker)
            pause.wait(0.002)
        assert child, "the job's analysis never started"
        os.kill(child[0], signal.SIGSTOP)

        # Only the other worker can take the cancel while the job's worker is frozen.
        os.kill(worker, signal.SIGSTOP)
        try:
            cancelled = _cancel_on_a_live_worker(base, job_id, dict(http.headers))
        finally:
            os.kill(worker, signal.SIGCONT)
        assert cancelled.status_code == 202, cancelled.text

        # The job's worker learns of the cancel from the database and ends its analysis.
        wait_for(lambda: not _alive(child[0]), timeout=15, what="the analysis to be stopped")
        job = http.get(f"{base}/api/results/job/{job_id}", timeout=5).json()
        assert job["status"] == "cancelled" and job.get("result") is None
        thumbnails = list((tmp_path / "uploads").rglob("thumbnails/*.jpg"))
        assert len(thumbnails) < SECONDS // SCENE_S  # the analysis never reached the end
