"""The outbox: written with the job's end, one row per device, never for a cancel."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from backend.jobs.events import JobFinished
from backend.models import Job, OutboxStatus
from backend.models.status import JobStatus
from backend.notify import outbox as outbox_module
from backend.notify.outbox import write_outbox
from tests.notify.conftest import OWNER, PushWorld, completed, expo_token, failed


def test_a_completed_job_queues_one_row_per_active_device(world: PushWorld) -> None:
    user_id, _ = world.user()
    other_id, _ = world.user()
    for n in range(3):
        world.add_token(user_id, expo_token(n))
    world.add_token(other_id, expo_token("other"))

    job_id = world.end_job(user_id, completed(scenes=4, seconds=42))

    rows = world.rows(job_id)
    assert len(rows) == 3
    assert {row.status for row in rows} == {OutboxStatus.PENDING}
    assert {row.user_id for row in rows} == {user_id}
    assert rows[0].message["body"] == "beach.mov: 4 scenes, 0:42"


def test_a_failed_job_queues_the_failure(world: PushWorld) -> None:
    user_id, _ = world.user()
    world.add_token(user_id, expo_token(1))
    job_id = world.end_job(user_id, failed("The video has no picture."))
    [row] = world.rows(job_id)
    assert row.message["title"] == "We couldn't analyse your video"
    assert row.message["body"] == "beach.mov: The video has no picture."
    assert row.message["data"]["status"] == "failed"


def test_a_cancelled_job_queues_nothing(world: PushWorld) -> None:
    user_id, headers = world.user()
    world.add_token(user_id, expo_token(1))
    queued = world.new_job(user_id)
    running = world.new_job(user_id)
    assert world.svc.store.claim(running, OWNER)

    for job_id in (queued, running):
        answer = world.client.post(f"/api/jobs/{job_id}/cancel", headers=headers)
        assert answer.status_code == 202, answer.get_json()
    # The runner notices late and tries to record its result: the store refuses it.
    assert not world.svc.store.finish(running, OWNER, completed(1, 1))

    assert world.rows() == []
    assert world.sender.drain_once() == 0
    assert world.expo.state.requests == []


def test_a_replayed_end_adds_nothing(world: PushWorld) -> None:
    user_id, _ = world.user()
    world.add_token(user_id, expo_token(1))
    job_id = world.end_job(user_id)
    assert not world.svc.store.finish(job_id, OWNER, completed(1, 1))
    with world.svc.db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        write_outbox(session, job)  # the listener itself, replayed
    assert len(world.rows(job_id)) == 1


def test_a_user_without_devices_gets_no_rows(world: PushWorld) -> None:
    user_id, _ = world.user()
    assert world.rows(world.end_job(user_id)) == []


def test_an_outbox_failure_does_not_change_the_jobs_end(
    world: PushWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id, headers = world.user()
    world.add_token(user_id, expo_token(1))

    def broken(_job: Any) -> dict[str, Any]:
        raise RuntimeError("template bug")

    monkeypatch.setattr(outbox_module, "build_message", broken)
    job_id = world.end_job(user_id)
    job = world.client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
    assert job["status"] == "completed"
    assert world.rows() == []


def test_rows_roll_back_with_the_jobs_end(world: PushWorld) -> None:
    """Same transaction: if ending the job fails, no notification of that end exists."""
    user_id, _ = world.user()
    world.add_token(user_id, expo_token(1))
    job_id = world.new_job(user_id)
    assert world.svc.store.claim(job_id, OWNER)

    events = world.svc.store.events

    def then_fails(event: JobFinished) -> None:
        events.finished(event)  # the outbox rows are written, then something after them fails
        raise RuntimeError("disk full")

    world.svc.store.events = replace(events, finished=then_fails)
    with pytest.raises(RuntimeError):
        world.svc.store.finish(job_id, OWNER, completed(1, 1))
    world.svc.store.events = events

    assert world.rows() == []
    with world.svc.db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status == JobStatus.PROCESSING
