"""Scale-out mode: PostgreSQL, a real Celery worker process on Redis, shared upload storage."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.jobs.runners.celery import run_job
from tests.conftest import AppFactory
from tests.helpers import AuthActions, distinct_videos, upload_file, wait_for, wait_for_job
from tests.jobs.workers import celery_worker

pytestmark = pytest.mark.postgres


@pytest.fixture
def worker(postgres_url: str, redis_url: str, tmp_path: Path) -> Iterator[Path]:
    """`celery -A backend.celery_worker worker`, as the Procfile starts it."""
    with celery_worker(tmp_path, postgres_url, redis_url) as log_path:
        yield log_path


def handled(log: Path) -> int:
    """How many messages the worker has finished with (run or skipped)."""
    return log.read_text().count("succeeded in")


def test_jobs_run_on_celery_workers_exactly_once(
    make_app: AppFactory, postgres_url: str, redis_url: str, worker: Path, tmp_path: Path
) -> None:
    app = make_app(
        database_url=postgres_url,
        redis_url=redis_url,
        executor="celery",
        upload_dir=tmp_path / "uploads",
    )
    client = app.test_client()
    headers = AuthActions(client).register()
    ids = [
        upload_file(client, headers, video).get_json()["job_id"]
        for video in distinct_videos(tmp_path, 3, seconds=0.5)
    ]
    # A duplicated message for a queued job: whichever copy arrives second finds it taken.
    run_job.apply_async((ids[0],))
    for job_id in ids:
        job = wait_for_job(client, headers, job_id, timeout=120)
        assert job["status"] == "completed", (job["error"], worker.read_text()[-3000:])
        assert job["result"]["video"]["frame_count"] == 12
    # Only once all four messages are handled can a second run of job 0 be seen (or ruled out).
    wait_for(lambda: handled(worker) == 4, timeout=60, what="the worker to handle 4 messages")
    for job_id in ids:
        job = client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
        assert (job["status"], job["attempts"]) == ("completed", 1), job
    # Four messages for three jobs: whichever came last found nothing queued (a message claims
    # the job whose turn it is, fair.py, not necessarily its own).
    assert worker.read_text().count(": no job is queued; skipping") == 1

    # A redelivered message for a finished job changes nothing.
    run_job.apply_async((ids[1],))
    wait_for(lambda: handled(worker) == 5, timeout=60, what="the worker to handle the 5th message")
    job = client.get(f"/api/jobs/{ids[1]}", headers=headers).get_json()
    assert (job["status"], job["attempts"]) == ("completed", 1), job
    assert worker.read_text().count(": no job is queued; skipping") == 2
