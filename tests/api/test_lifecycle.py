"""Cancel, delete, cleanup, dedup, idempotent uploads and the job timeout, over HTTP."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

import backend.jobs.runners.execute as execute_module
from backend.models import Job, User
from backend.timeutil import utcnow
from backend.uploads import idempotency
from tests.conftest import AppFactory
from tests.helpers import (
    AuthActions,
    files_under,
    idle_app,
    services_of,
    start_held_job,
    upload_file,
    wait_for,
    wait_for_job,
)
from tests.videos import make_video


def test_cancel_a_queued_job(make_app: AppFactory, small_video: Path) -> None:
    _, client, headers = idle_app(make_app)
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    response = client.post(f"/api/jobs/{job_id}/cancel", headers=headers)
    assert response.status_code == 202
    assert response.get_json()["status"] == "cancelled"
    again = client.post(f"/api/jobs/{job_id}/cancel", headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "job_already_finished"


def test_cancel_a_finished_job_is_409(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    response = client.post(f"/api/jobs/{job_id}/cancel", headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "job_already_finished"
    assert client.get(f"/api/jobs/{job_id}", headers=headers).get_json()["status"] == "completed"


def test_cancel_stops_a_running_job_within_a_second(
    make_app: AppFactory,
    tmp_path: Path,
    paused_analysis: tuple[threading.Event, threading.Event],
) -> None:
    started, go_on = paused_analysis
    app, client, headers, job_id = start_held_job(make_app, tmp_path, started)

    response = client.post(f"/api/jobs/{job_id}/cancel", headers=headers)
    assert response.status_code == 202
    cancelled_at = time.monotonic()
    go_on.set()
    runner = services_of(app).runner
    wait_for(lambda: runner.busy == 0, timeout=10, what="the runner to let the job go")
    assert time.monotonic() - cancelled_at < 1.0
    job = client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
    assert job["status"] == "cancelled" and job["progress"] < 100


def test_delete_removes_the_row_and_every_file(
    app: Flask, client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    root = services_of(app).config.upload_dir
    assert any(job_id in str(p) for p in files_under(root))
    assert client.delete(f"/api/jobs/{job_id}", headers=headers).status_code == 204
    assert files_under(root) == []
    assert client.get(f"/api/jobs/{job_id}", headers=headers).status_code == 404
    assert client.delete(f"/api/jobs/{job_id}", headers=headers).status_code == 404


def test_delete_of_another_users_job_is_404(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    owner, stranger = auth.register(), auth.register()
    job_id = upload_file(client, owner, small_video).get_json()["job_id"]
    assert client.delete(f"/api/jobs/{job_id}", headers=stranger).status_code == 404
    assert client.post(f"/api/jobs/{job_id}/cancel", headers=stranger).status_code == 404
    assert client.get(f"/api/jobs/{job_id}", headers=owner).status_code == 200


def _age(app: Flask, job_id: str, days: float) -> None:
    with services_of(app).db.session() as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(finished_at=utcnow() - timedelta(days=days))
        )


def test_cleanup_deletes_only_the_users_old_finished_jobs(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app()
    client = app.test_client()
    auth = AuthActions(client)
    mine, theirs = auth.register(), auth.register()
    old, recent, other = (
        upload_file(client, h, v).get_json()["job_id"]
        for h, v in zip(
            (mine, mine, theirs),
            (make_video(tmp_path / f"{n}.mp4", seconds=0.5, seed=n) for n in range(3)),
            strict=True,
        )
    )
    _age(app, old, 10)
    _age(app, other, 10)
    response = client.post("/api/jobs/cleanup?days=7", headers=mine)
    assert response.status_code == 200
    assert response.get_json() == {"deleted": 1}
    assert client.get(f"/api/jobs/{old}", headers=mine).status_code == 404
    assert client.get(f"/api/jobs/{recent}", headers=mine).status_code == 200
    assert client.get(f"/api/jobs/{other}", headers=theirs).status_code == 200
    bad = client.post("/api/jobs/cleanup?days=-1", headers=mine)
    assert bad.status_code == 422


def test_cleanup_never_touches_a_running_job(make_app: AppFactory, small_video: Path) -> None:
    app, client, headers = idle_app(make_app)
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    assert services_of(app).store.claim(job_id, "someone")
    _age(app, job_id, 100)  # even with a stray finished_at, a running job is not finished
    assert client.post("/api/jobs/cleanup?days=0", headers=headers).get_json() == {"deleted": 0}
    assert client.get(f"/api/jobs/{job_id}", headers=headers).get_json()["status"] == "processing"


def test_the_same_video_twice_is_deduplicated(
    client: FlaskClient, auth: AuthActions, small_video: Path, app: Flask
) -> None:
    headers = auth.register()
    first = upload_file(client, headers, small_video)
    second = upload_file(client, headers, small_video)
    assert first.status_code == 202 and second.status_code == 200
    body = second.get_json()
    assert body["deduplicated"] is True
    assert body["job_id"] == first.get_json()["job_id"]
    assert body["job"]["result"] is not None  # it had completed already
    sources = [p for p in files_under(services_of(app).config.upload_dir) if "source" in p.name]
    assert len(sources) == 1
    # Another user uploading the same video gets a job of their own.
    other = upload_file(client, auth.register(), small_video)
    assert other.status_code == 202 and other.get_json()["job_id"] != body["job_id"]


def test_a_failed_job_is_not_a_duplicate(
    client: FlaskClient, auth: AuthActions, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    headers = auth.register()
    first = upload_file(client, headers, broken).get_json()
    assert client.get(first["status_url"], headers=headers).get_json()["status"] == "failed"
    again = upload_file(client, headers, broken)
    assert again.status_code == 202 and again.get_json()["job_id"] != first["job_id"]


def test_idempotency_key_replays_the_first_answer(
    client: FlaskClient, auth: AuthActions, small_video: Path, tmp_path: Path
) -> None:
    headers = {**auth.register(), "Idempotency-Key": "upload-123"}
    first = upload_file(client, headers, small_video)
    retry = upload_file(client, headers, small_video)
    assert first.status_code == retry.status_code == 202
    assert retry.get_json() == first.get_json()
    assert retry.headers["Idempotent-Replayed"] == "true"

    other_video = make_video(tmp_path / "other.mp4", seconds=0.5, seed=9)
    reused = upload_file(client, headers, other_video)
    assert reused.status_code == 422
    assert reused.get_json()["error"]["code"] == "idempotency_key_reused"
    listed = client.get("/api/jobs", headers=headers).get_json()["jobs"]
    assert len(listed) == 1


def test_idempotency_key_while_the_first_is_still_arriving_is_409(
    app: Flask, client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = {**auth.register(), "Idempotency-Key": "slow-upload"}
    # Another request holds the key and is still receiving its body.
    assert idempotency.begin(services_of(app).db, _user_id(app), "slow-upload") is None
    response = upload_file(client, headers, small_video)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "idempotency_request_in_progress"
    assert files_under(services_of(app).config.upload_dir) == []


def _user_id(app: Flask) -> int:
    with services_of(app).db.session() as session:
        return int(session.scalars(select(User.id)).one())


def test_a_refused_upload_frees_its_idempotency_key(
    client: FlaskClient, auth: AuthActions, small_video: Path, tmp_path: Path
) -> None:
    headers = {**auth.register(), "Idempotency-Key": "k1"}
    text = tmp_path / "a.mp4"
    text.write_text("not a video " * 500)
    assert upload_file(client, headers, text).status_code == 415
    assert upload_file(client, headers, small_video).status_code == 202


def test_a_job_running_past_the_timeout_fails_with_analysis_timeout(
    make_app: AppFactory, small_video: Path
) -> None:
    app = make_app(job_timeout_s=0.0)
    client = app.test_client()
    headers = AuthActions(client).register()
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    job = client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
    assert job["status"] == "failed"
    assert job["error"]["code"] == "analysis_timeout"


def test_a_new_app_finishes_the_job_of_a_dead_one_exactly_once(
    make_app: AppFactory, small_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, client, headers = idle_app(make_app)
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    assert services_of(first).store.claim(job_id, "dead-process")
    with services_of(first).db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )
    runs: list[str] = []
    real = execute_module.execute_job
    monkeypatch.setattr(
        "backend.jobs.runners.thread.execute_job",
        lambda store, storage, jid, *rest: (runs.append(jid), real(store, storage, jid, *rest)),
    )
    restarted = make_app(executor="thread")  # same database and files, runner started
    job = wait_for_job(restarted.test_client(), headers, job_id)
    assert job["status"] == "completed" and job["attempts"] == 2
    assert runs == [job_id]
