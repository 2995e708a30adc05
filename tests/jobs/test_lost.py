"""The rule for attempts lost to a killed analysis child (backend/jobs/lost.py), on the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import update

from backend.jobs.lost import lose_attempt
from backend.jobs.store import claim_id
from backend.models import Job
from backend.timeutil import utcnow
from tests.conftest import AppFactory
from tests.helpers import idle_app, services_of, upload_file


def queued_job(
    make_app: AppFactory, video: Path
) -> tuple[Flask, str, Callable[[], dict[str, Any]]]:
    """An idle app allowing two attempts, a queued job, and the job's document over HTTP."""
    app, client, headers = idle_app(make_app, max_attempts=2)
    job_id = upload_file(client, headers, video).get_json()["job_id"]

    def document() -> dict[str, Any]:
        found: dict[str, Any] = client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
        return found

    return app, job_id, document


def test_a_killed_child_queues_its_job_again_with_the_attempt_counted(
    make_app: AppFactory, small_video: Path
) -> None:
    app, job_id, job = queued_job(make_app, small_video)
    store = services_of(app).store
    claim = claim_id("test-runner")
    assert store.claim(job_id, claim)
    assert lose_attempt(store, job_id, claim, "SIGKILL") is True
    found = job()
    assert (found["status"], found["attempts"], found["error"]) == ("queued", 1, None)
    assert "SIGKILL" in found["message"]
    # The old claim holds nothing any more: a second report of it changes nothing.
    assert lose_attempt(store, job_id, claim, "SIGKILL") is False


def test_killed_on_every_attempt_ends_analysis_crashed_naming_the_signal(
    make_app: AppFactory, small_video: Path
) -> None:
    app, job_id, job = queued_job(make_app, small_video)
    store = services_of(app).store
    for _ in range(2):
        claim = claim_id("test-runner")
        assert store.claim(job_id, claim)
        lose_attempt(store, job_id, claim, "SIGSEGV")
    found = job()
    assert (found["status"], found["attempts"]) == ("failed", 2)
    assert found["error"]["code"] == "analysis_crashed"
    assert "SIGSEGV" in found["error"]["message"] and "2 attempts" in found["error"]["message"]


def test_a_job_that_also_lost_a_worker_ends_worker_lost(
    make_app: AppFactory, small_video: Path
) -> None:
    app, job_id, job = queued_job(make_app, small_video)
    store = services_of(app).store
    assert store.claim(job_id, claim_id("dead-runner"))
    with store.db.session() as session:  # its worker died: the lease ran out
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )
    assert store.recover_expired().requeued == 1
    claim = claim_id("test-runner")
    assert store.claim(job_id, claim)
    assert lose_attempt(store, job_id, claim, "SIGKILL") is False
    found = job()
    assert (found["status"], found["attempts"]) == ("failed", 2)
    assert found["error"]["code"] == "worker_lost"


def test_killed_on_every_attempt_by_different_signals_ends_worker_lost(
    make_app: AppFactory, small_video: Path
) -> None:
    # An OOM kill then a segfault is no one crash the video causes each time.
    app, job_id, job = queued_job(make_app, small_video)
    store = services_of(app).store
    for signal_name in ("SIGKILL", "SIGSEGV"):
        claim = claim_id("test-runner")
        assert store.claim(job_id, claim)
        lose_attempt(store, job_id, claim, signal_name)
    found = job()
    assert (found["status"], found["attempts"]) == ("failed", 2)
    assert found["error"]["code"] == "worker_lost"


def test_a_retried_job_forgets_the_signals_of_its_earlier_crashes(
    make_app: AppFactory, small_video: Path
) -> None:
    app, job_id, job = queued_job(make_app, small_video)
    store = services_of(app).store
    for signal_name in ("SIGKILL", "SIGSEGV"):  # ends worker_lost, the signals differing
        claim = claim_id("test-runner")
        assert store.claim(job_id, claim)
        lose_attempt(store, job_id, claim, signal_name)
    assert store.retry(job_id)
    for _ in range(2):
        claim = claim_id("test-runner")
        assert store.claim(job_id, claim)
        lose_attempt(store, job_id, claim, "SIGSEGV")
    found = job()
    assert (found["status"], found["attempts"]) == ("failed", 2)
    assert found["error"]["code"] == "analysis_crashed"
    assert "SIGSEGV" in found["error"]["message"]
