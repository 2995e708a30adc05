"""Receipts: fetched after the delay, in chunks of 1000; DeviceNotRegistered kills the token."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import insert

from backend.models import Job, OutboxStatus, PushOutbox
from backend.timeutil import utcnow
from tests.notify.conftest import PushWorld, expo_token

AFTER_DELAY = timedelta(seconds=901)  # the default CLIPSCOPE_RECEIPT_DELAY_S is 900


def test_receipts_wait_for_the_delay_then_mark_delivered(world: PushWorld) -> None:
    user_id, _ = world.user()
    world.add_token(user_id, expo_token(1))
    world.end_job(user_id)
    world.sender.drain_once()

    assert world.sender.check_receipts_once() == 0
    assert world.expo.state.count("receipts") == 0

    assert world.sender.check_receipts_once(now=utcnow() + AFTER_DELAY) == 1
    [request] = [r for r in world.expo.state.requests if r.endpoint == "receipts"]
    [row] = world.rows()
    assert request.body == {"ids": [row.ticket_id]}
    assert row.status == OutboxStatus.DELIVERED and row.receipt_checked_at is not None


def test_a_dead_token_from_a_receipt_is_deactivated_and_never_used_again(
    world: PushWorld,
) -> None:
    user_id, _ = world.user()
    dead, alive = expo_token("gone"), expo_token("here")
    world.add_token(user_id, dead)
    world.add_token(user_id, alive)
    world.expo.state.fail_receipt(dead, "DeviceNotRegistered")
    world.end_job(user_id)
    world.sender.drain_once()
    assert world.statuses() == [OutboxStatus.SENT, OutboxStatus.SENT]  # tickets were fine

    world.sender.check_receipts_once(now=utcnow() + AFTER_DELAY)
    by_token = {row.token_id: row for row in world.rows()}
    failed = by_token[world.token(dead).id]
    assert failed.status == OutboxStatus.FAILED
    assert failed.error is not None and failed.error.startswith("DeviceNotRegistered")
    assert by_token[world.token(alive).id].status == OutboxStatus.DELIVERED
    assert not world.token(dead).active and world.token(alive).active

    world.expo.state.reset()
    second = world.end_job(user_id)
    world.sender.drain_once()
    assert [row.token_id for row in world.rows(second)] == [world.token(alive).id]
    assert [m["to"] for m in world.expo.state.delivered] == [alive]


def test_other_receipt_errors_are_recorded_and_keep_the_token(world: PushWorld) -> None:
    user_id, _ = world.user()
    token = expo_token(1)
    world.add_token(user_id, token)
    world.expo.state.fail_receipt(token, "MessageTooBig")
    world.end_job(user_id)
    world.sender.drain_once()
    world.sender.check_receipts_once(now=utcnow() + AFTER_DELAY)
    [row] = world.rows()
    assert row.status == OutboxStatus.FAILED
    assert row.error is not None and row.error.startswith("MessageTooBig")
    assert world.token(token).active


def test_a_receipt_not_ready_is_asked_again_then_given_up_after_a_day(
    world: PushWorld,
) -> None:
    user_id, _ = world.user()
    world.add_token(user_id, expo_token(1))
    world.end_job(user_id)
    world.sender.drain_once()
    world.expo.state.withhold_receipts = True

    world.sender.check_receipts_once(now=utcnow() + AFTER_DELAY)
    [row] = world.rows()
    assert row.status == OutboxStatus.SENT and row.receipt_due_at is not None
    assert world.sender.check_receipts_once(now=utcnow() + AFTER_DELAY) == 0  # not due yet

    assert world.sender.check_receipts_once(now=utcnow() + timedelta(hours=25)) == 1
    assert world.statuses() == [OutboxStatus.UNCONFIRMED]


def test_receipts_go_in_chunks_of_at_most_1000(world: PushWorld) -> None:
    user_id, _ = world.user()
    world.add_token(user_id, expo_token(1))
    token_id = world.token(expo_token(1)).id
    sent_at = utcnow()
    job_ids = [str(uuid.uuid4()) for _ in range(1001)]
    with world.svc.db.session() as session:
        session.execute(
            insert(Job),
            [
                {
                    "id": job_id,
                    "user_id": user_id,
                    "filename": "a.mov",
                    "content_type": "video/quicktime",
                    "size_bytes": 1,
                    "sha256": "0" * 64,
                    "source_name": "a.mov",
                }
                for job_id in job_ids
            ],
        )
        session.execute(
            insert(PushOutbox),
            [
                {
                    "job_id": job_id,
                    "user_id": user_id,
                    "token_id": token_id,
                    "message": {},
                    "status": OutboxStatus.SENT,
                    "ticket_id": f"ticket-{n}",
                    "sent_at": sent_at,
                    "receipt_due_at": sent_at,
                }
                for n, job_id in enumerate(job_ids)
            ],
        )

    assert world.sender.check_receipts_once(now=utcnow() + timedelta(seconds=1)) == 1001
    sizes = [len(r.body["ids"]) for r in world.expo.state.requests if r.endpoint == "receipts"]
    assert sizes == [1000, 1]
