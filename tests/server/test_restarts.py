"""Stops, restarts and crashes of the real server (`make run`), with a job running."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest
import requests

from tests.helpers import wait_for
from tests.server.processes import Server, free_port, signed_up, start_server, stop_server
from tests.videos import make_video

pytestmark = pytest.mark.slow


def job_row(db: Path, job_id: str) -> dict[str, object]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return dict(row)


def upload_long_job(server: Server, video: Path) -> tuple[requests.Session, str]:
    http = requests.Session()
    http.headers.update(signed_up(server.base, "r@example.com"))
    with open(video, "rb") as handle:
        accepted = http.post(f"{server.base}/api/upload", files={"video": ("long.mp4", handle)})
    assert accepted.status_code == 202
    job_id = str(accepted.json()["job_id"])

    def analysing() -> bool:
        job = http.get(f"{server.base}/api/jobs/{job_id}", timeout=5).json()
        return bool(job["phase"] == "analyzing" and job["progress"] >= 3)

    wait_for(analysing, timeout=60, what="the analysis to get going")
    return http, job_id


@pytest.fixture(scope="module")
def long_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Several seconds of analysis: a stop always lands in the middle of it.
    directory = tmp_path_factory.mktemp("restart-video")
    return make_video(directory / "long.mp4", seconds=60, fps=30, width=480, height=270)


def test_sigterm_gives_the_job_back_at_once_and_a_restart_finishes_it(
    tmp_path: Path, long_video: Path
) -> None:
    port = free_port()
    server = start_server(tmp_path, port)
    try:
        http, job_id = upload_long_job(server, long_video)
        stopped_at = time.monotonic()
        os.kill(server.master_pid(), signal.SIGTERM)  # what systemd or a deploy sends
        server.process.wait(30)
        took = time.monotonic() - stopped_at
    finally:
        stop_server(server)
    assert took < 10, f"the stop took {took:.1f} s"
    row = job_row(tmp_path / "server.db", job_id)
    assert row["status"] == "queued"
    assert row["attempts"] == 0  # a stop is not the job's fault
    assert "restarted" in str(row["message"])

    server = start_server(tmp_path, port)
    try:

        def completed() -> bool:
            answer = http.get(f"{server.base}/api/jobs/{job_id}", timeout=5).json()
            return bool(answer["status"] == "completed")

        wait_for(completed, timeout=120, what="the job to complete after the restart")
        job = http.get(f"{server.base}/api/jobs/{job_id}", timeout=5).json()
        assert job["attempts"] == 1
    finally:
        stop_server(server)


def test_a_worker_killed_mid_job_has_its_job_run_again_after_the_lease(
    tmp_path: Path, long_video: Path
) -> None:
    server = start_server(tmp_path, CLIPSCOPE_LEASE_S="3")
    try:
        http, job_id = upload_long_job(server, long_video)
        owner = str(job_row(tmp_path / "server.db", job_id)["owner"])
        worker_pid = int(owner.split(":")[1])
        killed_at = time.monotonic()
        os.kill(worker_pid, signal.SIGKILL)  # an OOM kill, a crash: no goodbye

        def completed() -> bool:
            try:
                answer = http.get(f"{server.base}/api/jobs/{job_id}", timeout=5).json()
            except requests.ConnectionError:
                return False  # our keep-alive connection was to the killed worker
            return bool(answer["status"] == "completed")

        wait_for(completed, timeout=120, what="the job to complete on another worker")
        job = http.get(f"{server.base}/api/jobs/{job_id}", timeout=5).json()
        assert job["attempts"] == 2
        row = job_row(tmp_path / "server.db", job_id)
        assert int(str(row["owner"]).split(":")[1]) != worker_pid
        assert time.monotonic() - killed_at < 90
    finally:
        stop_server(server)
