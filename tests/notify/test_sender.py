"""The sender, driven step by step: batches, tickets, dead tokens, failures, claims."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import insert

from backend.models import OutboxStatus, PushOutbox
from backend.notify.claims import claim_for_send
from backend.notify.sender import PushSender
from backend.timeutil import utcnow
from localexpo import LocalExpo
from tests.conftest import AppFactory
from tests.helpers import wait_for
from tests.notify.conftest import PushWorld, expo_token


def test_each_device_of_the_user_gets_one_push(world: PushWorld) -> None:
    user_id, _ = world.user()
    tokens = [expo_token("phone"), "ExpoPushToken[tablet-1]", expo_token("old-phone")]
    for token in tokens:
        world.add_token(user_id, token)
    bystander, _ = world.user()
    world.add_token(bystander, expo_token("bystander"))

    job_id = world.end_job(user_id)
    assert world.sender.drain_once() == 3
    assert world.sender.drain_once() == 0

    state = world.expo.state
    assert sorted(m["to"] for m in state.delivered) == sorted(tokens)
    for message in state.delivered:
        assert message["title"] == "Your video is analysed"
        assert message["body"] == "beach.mov: 4 scenes, 0:42"
        assert message["data"] == {
            "job_id": job_id,
            "status": "completed",
            "url": f"/results/{job_id}",
        }
        assert message["channelId"] == "jobs" and message["priority"] == "high"
        assert message["sound"] == "default"
    assert world.statuses() == [OutboxStatus.SENT] * 3
    assert all(row.ticket_id for row in world.rows())


def test_250_devices_go_in_three_batches(world: PushWorld) -> None:
    user_id, _ = world.user()
    for n in range(250):
        world.add_token(user_id, expo_token(n))
    world.end_job(user_id)

    assert world.sender.drain_once() == 250
    sizes = [len(r.body) for r in world.expo.state.requests if r.endpoint == "send"]
    assert sizes == [100, 100, 50]
    assert len({m["to"] for m in world.expo.state.delivered}) == 250


def test_a_dead_token_from_a_ticket_is_deactivated_and_never_used_again(
    world: PushWorld,
) -> None:
    user_id, _ = world.user()
    dead, alive = expo_token("uninstalled"), expo_token("alive")
    world.add_token(user_id, dead)
    world.add_token(user_id, alive)
    world.expo.state.fail_ticket(dead, "DeviceNotRegistered")

    first_job = world.end_job(user_id)
    world.sender.drain_once()
    rows = {row.token_id: row for row in world.rows(first_job)}
    dead_row = rows[world.token(dead).id]
    assert dead_row.status == OutboxStatus.DEAD
    assert dead_row.error is not None and dead_row.error.startswith("DeviceNotRegistered")
    assert not world.token(dead).active
    assert world.token(dead).deactivated_reason

    second_job = world.end_job(user_id)
    world.sender.drain_once()
    assert [row.token_id for row in world.rows(second_job)] == [world.token(alive).id]
    assert [m["to"] for m in world.expo.state.delivered] == [alive, alive]


def test_an_app_registering_again_revives_a_dead_token(world: PushWorld) -> None:
    user_id, _ = world.user()
    token = expo_token(1)
    world.add_token(user_id, token)
    world.expo.state.fail_ticket(token)
    world.end_job(user_id)
    world.sender.drain_once()
    assert not world.token(token).active

    world.add_token(user_id, token)  # the app was reinstalled and registered again
    world.expo.state.reset()
    world.end_job(user_id)
    world.sender.drain_once()
    assert [m["to"] for m in world.expo.state.delivered] == [token]


def test_a_refused_request_is_dead_at_once(make_app: AppFactory) -> None:
    """401 (wrong access token) will not pass on retry: dead with the reason, no back-off."""
    with LocalExpo(access_token="right") as service:
        app = make_app(expo_push_url=service.url, expo_access_token="wrong", start_background=False)
        world = PushWorld(app, service)
        user_id, headers = world.user()
        world.add_token(user_id, expo_token(1))
        job_id = world.end_job(user_id)
        world.sender.drain_once()
        [row] = world.rows()
        assert row.status == OutboxStatus.DEAD and row.attempts == 1
        assert row.error is not None and "401" in row.error and "UNAUTHORIZED" in row.error
        # The push failure leaves the job as it ended.
        job = world.client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
        assert job["status"] == "completed"


def test_the_access_token_is_sent_as_bearer(make_app: AppFactory) -> None:
    with LocalExpo(access_token="s3cret") as service:
        app = make_app(
            expo_push_url=service.url, expo_access_token="s3cret", start_background=False
        )
        world = PushWorld(app, service)
        user_id, _ = world.user()
        world.add_token(user_id, expo_token(1))
        world.end_job(user_id)
        world.sender.drain_once()
        [request] = service.state.requests
        assert request.headers["authorization"] == "Bearer s3cret"
        assert request.headers["content-type"] == "application/json"
        assert world.statuses() == [OutboxStatus.SENT]


def test_a_token_moved_to_another_account_does_not_get_the_old_users_push(
    world: PushWorld,
) -> None:
    alice, _ = world.user()
    bob, _ = world.user()
    shared = expo_token("family-tablet")
    world.add_token(alice, shared)
    world.end_job(alice)  # queued for alice's tablet...
    world.add_token(bob, shared)  # ...which signs in as bob before the send
    world.sender.drain_once()
    assert world.expo.state.delivered == []
    [row] = world.rows()
    assert row.status == OutboxStatus.DEAD and row.error is not None and "moved" in row.error


def test_two_senders_never_send_a_row_twice(world: PushWorld) -> None:
    user_id, _ = world.user()
    for n in range(60):
        world.add_token(user_id, expo_token(n))
    world.end_job(user_id)
    senders = [PushSender(world.svc.db, world.sender.settings) for _ in range(3)]
    for sender in senders:
        sender.reconfigure(batch_size=7)
    threads = [threading.Thread(target=sender.drain_once) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    for sender in senders:
        sender.stop()

    delivered = [m["to"] for m in world.expo.state.delivered]
    assert len(delivered) == 60 and len(set(delivered)) == 60
    assert world.statuses() == [OutboxStatus.SENT] * 60


def test_a_sender_that_died_mid_send_never_makes_the_phone_show_it_twice(
    world: PushWorld,
) -> None:
    user_id, _ = world.user()
    world.add_token(user_id, expo_token(1))
    world.end_job(user_id)
    now = utcnow()
    # A sender claimed the row and sent it; Expo accepted; the process died before recording.
    _, taken = claim_for_send(world.svc.db, now, 100, lease_s=30)
    assert len(taken) == 1

    assert world.sender.drain_once(now=now + timedelta(seconds=10)) == 0
    assert world.sender.drain_once(now=now + timedelta(seconds=31)) == 0
    assert world.expo.state.delivered == []  # nothing sent again
    [row] = world.rows()
    assert row.status == OutboxStatus.DEAD and "show twice" in (row.error or "")


def test_a_row_written_by_hand_without_a_wake_is_found_by_the_sweep(world: PushWorld) -> None:
    """The sweep covers other processes' rows and a wake lost to a crash after commit."""
    user_id, _ = world.user()
    world.add_token(user_id, expo_token(1))
    job_id = world.new_job(user_id)
    token_id = world.token(expo_token(1)).id
    world.sender.reconfigure(sweep_interval_s=0.2)
    world.sender.start()
    wait_for(lambda: world.sender.passes >= 1, timeout=5, what="the sender to go idle")
    with world.svc.db.session() as session:
        session.execute(
            insert(PushOutbox).values(
                job_id=job_id, user_id=user_id, token_id=token_id, message={"title": "hi"}
            )
        )
    assert world.expo.state.wait_for(lambda s: len(s.delivered) == 1, timeout=5)
