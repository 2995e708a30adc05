"""The same guarantees on PostgreSQL, the scale-out database."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from backend.models import Job
from backend.timeutil import utcnow
from tests.conftest import AppFactory
from tests.helpers import AuthActions, idle_app, services_of, upload_file, wait_for_job

pytestmark = pytest.mark.postgres


def test_flow_on_postgres(make_app: AppFactory, postgres_url: str, small_video: Path) -> None:
    app = make_app(database_url=postgres_url, executor="thread")
    client = app.test_client()
    headers = AuthActions(client).register()
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    job = wait_for_job(client, headers, job_id)
    assert job["status"] == "completed" and job["result"]["video"]["frame_count"] == 48
    listed = client.get("/api/jobs?limit=1", headers=headers).get_json()
    assert [j["id"] for j in listed["jobs"]] == [job_id]


def test_claims_race_and_recovery_on_postgres(
    make_app: AppFactory, postgres_url: str, small_video: Path
) -> None:
    app, client, headers = idle_app(make_app, database_url=postgres_url)
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    store = services_of(app).store
    barrier = threading.Barrier(6)
    wins: list[bool] = []

    def claim(n: int) -> None:
        barrier.wait()
        wins.append(store.claim(job_id, f"owner-{n}"))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 5 + [True]

    with services_of(app).db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )
    assert store.recover_expired()[:2] == (1, 0)
    services_of(app).runner.start()
    job = wait_for_job(client, headers, job_id)
    assert job["status"] == "completed" and job["attempts"] == 2
