"""The push outbox on PostgreSQL: migration, upserts, racing senders, receipts."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from backend.models import OutboxStatus
from backend.notify.sender import PushSender
from backend.timeutil import utcnow
from localexpo import LocalExpo
from tests.conftest import AppFactory
from tests.notify.conftest import OWNER, PushWorld, completed, expo_token

pytestmark = pytest.mark.postgres


def test_outbox_senders_and_receipts_on_postgres(
    make_app: AppFactory, postgres_url: str, expo: LocalExpo
) -> None:
    app = make_app(database_url=postgres_url, expo_push_url=expo.url, start_background=False)
    world = PushWorld(app, expo)
    alice, _ = world.user()
    bob, _ = world.user()
    for n in range(40):
        world.add_token(alice, expo_token(n))
    world.add_token(alice, expo_token("shared"))
    world.add_token(bob, expo_token("shared"))  # moved: an upsert on the unique token
    expo.state.fail_ticket(expo_token(0))
    expo.state.fail_receipt(expo_token(1))

    job_id = world.end_job(alice)
    assert not world.svc.store.finish(job_id, OWNER, completed(1, 1))  # replay: nothing
    assert len(world.rows(job_id)) == 40

    senders = [PushSender(world.svc.db, world.sender.settings) for _ in range(3)]
    barrier = threading.Barrier(len(senders))

    def drain(sender: PushSender) -> None:
        sender.reconfigure(batch_size=6)
        barrier.wait()
        sender.drain_once()

    threads = [threading.Thread(target=drain, args=(s,)) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    for sender in senders:
        sender.stop()

    delivered = [m["to"] for m in expo.state.delivered]
    assert len(delivered) == 39 and len(set(delivered)) == 39
    assert not world.token(expo_token(0)).active

    world.sender.check_receipts_once(now=utcnow() + timedelta(seconds=901))
    statuses = sorted(world.statuses())
    assert statuses.count(OutboxStatus.DELIVERED) == 38
    assert statuses.count(OutboxStatus.FAILED) == 1 and statuses.count(OutboxStatus.DEAD) == 1
    assert not world.token(expo_token(1)).active
