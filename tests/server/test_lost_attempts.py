"""The thread runner under `make run`: an analysis killed from outside, and a worker stopping
gracefully, with a job mid-analysis."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest
import requests

from tests.helpers import wait_for
from tests.server.processes import Server, analysis_children, start_server, stop_server
from tests.server.test_restarts import job_row, upload_long_job
from tests.videos import make_video

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def long_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Several seconds of analysis: a kill or a stop always lands in the middle of it.
    directory = tmp_path_factory.mktemp("lost-attempts-video")
    return make_video(directory / "long.mp4", seconds=60, fps=30, width=480, height=270)


def with_a_push_token(server: Server, http: requests.Session) -> None:
    token = {"token": "ExponentPushToken[lostattempts0001]", "platform": "android"}
    assert http.post(f"{server.base}/api/push-tokens", json=token).status_code in (200, 201)


def pushed_statuses(db: Path, job_id: str) -> list[str]:
    """What the user's phone is told about the job: the push outbox's rows for it."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT message FROM push_outbox WHERE job_id = ?", (job_id,))
        return [json.loads(message)["data"]["status"] for (message,) in rows]


def kill_its_analysis(db: Path, job_id: str) -> int:
    """SIGKILL the analysis child of the job's attempt; returns the attempt."""
    row = job_row(db, job_id)
    worker = int(str(row["owner"]).split(":")[1])
    [child] = analysis_children(worker)
    os.kill(child, signal.SIGKILL)  # an operator, or the OOM killer choosing this process
    return int(str(row["attempts"]))


def test_an_analysis_killed_from_outside_runs_again_and_tells_the_user_nothing_failed(
    tmp_path: Path, long_video: Path
) -> None:
    server = start_server(tmp_path)
    db = tmp_path / "server.db"
    try:
        http, job_id = upload_long_job(server, long_video)
        with_a_push_token(server, http)
        assert kill_its_analysis(db, job_id) == 1
        seen: list[str] = []

        def completed() -> bool:
            answer = http.get(f"{server.base}/api/jobs/{job_id}", timeout=5).json()
            seen.append(answer["status"])
            return bool(answer["status"] == "completed")

        wait_for(completed, timeout=120, what="the job to run again and complete")
        assert "failed" not in seen, seen
        assert http.get(f"{server.base}/api/jobs/{job_id}", timeout=5).json()["attempts"] == 2
        assert pushed_statuses(db, job_id) == ["completed"]  # one push, and not "failed"
    finally:
        stop_server(server)


def test_an_analysis_killed_on_every_attempt_ends_crashed_naming_the_signal(
    tmp_path: Path, long_video: Path
) -> None:
    server = start_server(tmp_path, CLIPSCOPE_MAX_ATTEMPTS="2")
    db = tmp_path / "server.db"
    try:
        http, job_id = upload_long_job(server, long_video)
        assert kill_its_analysis(db, job_id) == 1

        def analysing_again() -> bool:
            answer = http.get(f"{server.base}/api/jobs/{job_id}", timeout=5).json()
            return bool(answer["attempts"] == 2 and answer["phase"] == "analyzing")

        wait_for(analysing_again, timeout=60, what="the second attempt's analysis")
        assert kill_its_analysis(db, job_id) == 2

        def failed() -> bool:
            answer = http.get(f"{server.base}/api/jobs/{job_id}", timeout=5).json()
            return bool(answer["status"] == "failed")

        wait_for(failed, timeout=30, what="the job to fail")
        job = http.get(f"{server.base}/api/jobs/{job_id}", timeout=5).json()
        assert job["attempts"] == 2
        assert job["error"]["code"] == "analysis_crashed"
        assert "SIGKILL" in job["error"]["message"]
    finally:
        stop_server(server)


def test_a_job_handed_back_by_a_stopping_worker_starts_again_on_another_within_seconds(
    tmp_path: Path, long_video: Path
) -> None:
    server = start_server(tmp_path)  # two gunicorn workers, each with its own runner
    db = tmp_path / "server.db"
    try:
        _, job_id = upload_long_job(server, long_video)
        stopping = int(str(job_row(db, job_id)["owner"]).split(":")[1])
        stopped_at = time.monotonic()
        os.kill(stopping, signal.SIGTERM)  # one worker stopping gracefully (gunicorn's TTOU)

        def started_elsewhere() -> bool:
            owner = job_row(db, job_id)["owner"]
            return owner is not None and int(str(owner).split(":")[1]) != stopping

        wait_for(started_elsewhere, timeout=60, what="another worker to start the job again")
        took = time.monotonic() - stopped_at
        print(f"\nhanded back and started again on another worker {took:.2f} s after SIGTERM")
        assert took <= 5, f"started again only {took:.1f} s after the stop"
        assert job_row(db, job_id)["attempts"] == 1  # a stop spends no attempt
    finally:
        stop_server(server)
