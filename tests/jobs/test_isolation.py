"""The analysis runs in a child process: its crash, its memory and its cancel stay its own."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

from backend.jobs.runners.isolation import ANALYSIS_NICE
from tests.conftest import AppFactory
from tests.helpers import AuthActions, files_under, services_of, upload_file, wait_for, wait_for_job
from tests.videos import make_video


def analysis_children() -> list[multiprocessing.process.BaseProcess]:
    return [p for p in multiprocessing.active_children() if p.name == "clipscope-analysis"]


def test_a_crashing_decoder_fails_only_its_job(
    make_app: AppFactory, small_video: Path, tmp_path: Path
) -> None:
    app = make_app(analysis_fault="abort")
    client = app.test_client()
    headers = AuthActions(client).register()
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]

    job = wait_for_job(client, headers, job_id)
    assert job["status"] == "failed"
    # Killed by a signal on every attempt: the video kills the decoder (lost.py's rule).
    assert job["attempts"] == services_of(app).config.max_attempts
    assert job["error"]["code"] == "analysis_crashed"
    assert "SIGABRT" in job["error"]["message"]
    # The service goes on, and the failed attempt left no thumbnail behind.
    assert client.get("/api/health").status_code == 200
    thumbnails = services_of(app).config.upload_dir
    assert [p for p in files_under(thumbnails) if p.suffix == ".jpg"] == []


def test_a_video_over_the_memory_limit_fails_with_resource_limit(
    make_app: AppFactory, tmp_path: Path
) -> None:
    # A child with PyAV, numpy and the shot model loaded peaks at ~270 MB running a window of
    # the model on a small clip; decoding 8K frames takes it to ~500 MB.
    video = make_video(tmp_path / "8k.mp4", seconds=0.5, fps=6, width=7680, height=4320)
    small = make_video(tmp_path / "small.mp4", seconds=1.0)
    app = make_app(analysis_memory_mb=400)
    client = app.test_client()
    headers = AuthActions(client).register()

    big_job = wait_for_job(
        client, headers, upload_file(client, headers, video).get_json()["job_id"]
    )
    assert big_job["status"] == "failed"
    assert big_job["error"]["code"] == "resource_limit"
    assert "400 MB" in big_job["error"]["message"]
    small_job = wait_for_job(
        client, headers, upload_file(client, headers, small).get_json()["job_id"]
    )
    assert small_job["status"] == "completed"


def test_cancel_stops_the_child_within_a_second(make_app: AppFactory, tmp_path: Path) -> None:
    # About ten seconds of analysis on this machine: stopping early is visible.
    video = make_video(tmp_path / "long.mp4", seconds=60, fps=30, width=480, height=270)
    app = make_app(executor="thread", workers=1)
    client = app.test_client()
    headers = AuthActions(client).register()
    job_id = upload_file(client, headers, video).get_json()["job_id"]

    def analysing() -> bool:
        job = client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
        return bool(job["phase"] == "analyzing" and job["progress"] >= 5)

    wait_for(analysing, timeout=60, what="the analysis to get going")
    (child,) = analysis_children()
    # It (and FFmpeg's threads in it) only takes CPU time that request threads leave.
    assert child.pid is not None
    assert os.sched_getscheduler(child.pid) == os.SCHED_IDLE
    assert os.getpriority(os.PRIO_PROCESS, child.pid) == ANALYSIS_NICE
    assert client.post(f"/api/jobs/{job_id}/cancel", headers=headers).status_code == 202
    cancelled_at = time.monotonic()
    wait_for(lambda: not analysis_children(), timeout=5, what="the child to exit")
    assert time.monotonic() - cancelled_at < 1.0
    job = client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
    assert job["status"] == "cancelled"
    assert job["progress"] < 100  # stopped well before the end (the timing above says how well)


def test_the_forkserver_warm_up_runs_a_whole_analysis() -> None:
    # It fails silently in the forkserver (the children then warm up by themselves): a change
    # that breaks it would only show as slower jobs, so it is checked here. Imported here
    # because importing it is what runs it in the forkserver.
    from backend.jobs.runners.warm import FRAMES, warm

    assert warm() == FRAMES
