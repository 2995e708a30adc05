"""The sweeper: expired jobs, old source videos, orphan files, and never a live job's file."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import update

from backend.jobs.sweeper import Sweeper
from backend.models import Job
from backend.timeutil import utcnow
from tests.conftest import AppFactory
from tests.helpers import (
    AuthActions,
    distinct_videos,
    files_under,
    idle_app,
    services_of,
    upload_file,
)


def sweeper_of(app: Flask) -> Sweeper:
    sweeper: Sweeper = services_of(app).sweeper
    return sweeper


def _finished_days_ago(app: Flask, job_id: str, days: float) -> None:
    with services_of(app).db.session() as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(finished_at=utcnow() - timedelta(days=days))
        )


def _make_old(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_sweep_expires_old_jobs_and_old_sources_but_keeps_results(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app(job_ttl_days=30, keep_source_hours=24)
    client = app.test_client()
    headers = AuthActions(client).register()
    ancient, yesterday, fresh = (
        upload_file(client, headers, video).get_json()["job_id"]
        for video in distinct_videos(tmp_path, 3, seconds=0.5)
    )
    _finished_days_ago(app, ancient, 31)
    _finished_days_ago(app, yesterday, 2)

    report = sweeper_of(app).sweep()
    assert (report.expired_jobs, report.sources_removed) == (1, 1)
    assert client.get(f"/api/jobs/{ancient}", headers=headers).status_code == 404
    names = {
        p.relative_to(services_of(app).config.upload_dir).as_posix()
        for p in files_under(services_of(app).config.upload_dir)
    }
    assert not any(ancient in name for name in names)
    assert not any(yesterday in name and "source" in name for name in names)
    assert any(yesterday in name and name.endswith(".jpg") for name in names)
    assert any(fresh in name and "source" in name for name in names)
    # The result is still served after its video is gone.
    assert client.get(f"/api/jobs/{yesterday}/result", headers=headers).status_code == 200
    assert sweeper_of(app).sweep().sources_removed == 0


def test_sweep_removes_orphans_but_never_a_live_jobs_files(
    make_app: AppFactory, small_video: Path
) -> None:
    app, client, headers = idle_app(make_app)
    queued = upload_file(client, headers, small_video).get_json()["job_id"]
    root = services_of(app).config.upload_dir
    live_dir = next(p.parent for p in files_under(root) if queued in str(p))
    _make_old(live_dir, 48)  # a queued job's files, however old, belong to it

    orphan = root / "1" / "00000000-0000-0000-0000-000000000000"
    orphan.mkdir(parents=True)
    (orphan / "source.mp4").write_bytes(b"left behind")
    _make_old(orphan, 2)
    receiving = root / "1" / "11111111-1111-1111-1111-111111111111"
    receiving.mkdir()
    (receiving / "source.part").write_bytes(b"an upload arriving right now")

    report = sweeper_of(app).sweep()
    assert report.orphans_removed == 1
    assert not orphan.exists()
    assert receiving.exists()
    assert live_dir.exists() and any(live_dir.iterdir())
    assert report.sources_removed == 0


def test_an_upload_arriving_for_over_an_hour_is_not_an_orphan(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend.uploads import writer as writer_module
    from backend.uploads.writer import VideoWriter

    app = make_app()
    root = services_of(app).config.upload_dir
    monkeypatch.setattr(writer_module, "TOUCH_EVERY_S", 0.0)
    receiving = VideoWriter(root / "1" / "22222222-2222-2222-2222-222222222222", 10**9)
    receiving.write(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 5000)
    _make_old(receiving.directory, 2)  # started two hours ago ...
    receiving.write(b"\x00" * 5000)  # ... and still arriving
    assert sweeper_of(app).sweep().orphans_removed == 0
    receiving.finish()
