"""The sender thread end to end: woken by a job's end, retrying, surviving outages and crashes."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from backend.models import OutboxStatus
from localexpo import LocalExpo
from tests.conftest import AppFactory
from tests.helpers import upload_file, wait_for
from tests.notify.conftest import FAST_RETRIES, PushWorld, expo_token


def _started(world: PushWorld, **settings: object) -> PushWorld:
    """Start the real sender thread (a long sweep: only a wake-up can be quick)."""
    world.sender.reconfigure(**{**FAST_RETRIES, "sweep_interval_s": 60, **settings})
    world.sender.start()
    wait_for(lambda: world.sender.passes >= 1, timeout=5, what="the sender to go idle")
    return world


def test_an_upload_that_completes_pushes_its_summary(world: PushWorld, small_video: Path) -> None:
    _started(world)
    client: FlaskClient = world.client
    _, headers = world.user()
    token = expo_token("phone")
    assert (
        client.post(
            "/api/push-tokens", json={"token": token, "platform": "ios"}, headers=headers
        ).status_code
        == 201
    )

    job_id = upload_file(client, headers, small_video).get_json()["job_id"]

    assert world.expo.state.wait_for(lambda s: len(s.delivered) == 1, timeout=5)
    result = client.get(f"/api/jobs/{job_id}/result", headers=headers).get_json()
    seconds = round(result["video"]["duration_s"])
    [message] = world.expo.state.delivered
    assert message == {
        "to": token,
        "data": {"job_id": job_id, "status": "completed", "url": f"/results/{job_id}"},
        "title": "Your video is analysed",
        "body": f"{small_video.name}: {len(result['scenes'])} scenes, 0:{seconds:02d}",
        "priority": "high",
        "sound": "default",
        "channelId": "jobs",
    }


def test_an_upload_that_fails_pushes_the_reason(world: PushWorld, tmp_path: Path) -> None:
    _started(world)
    user_id, headers = world.user()
    world.add_token(user_id, expo_token(1))
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)

    job_id = upload_file(world.client, headers, broken).get_json()["job_id"]

    assert world.expo.state.wait_for(lambda s: len(s.delivered) == 1, timeout=5)
    job = world.client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
    [message] = world.expo.state.delivered
    assert message["title"] == "We couldn't analyse your video"
    assert message["body"] == f"broken.mp4: {job['error']['message']}"
    assert message["data"] == {"job_id": job_id, "status": "failed", "url": f"/results/{job_id}"}


@pytest.mark.parametrize("kind", ["429", "500", "drop"])
def test_two_failures_then_success_backs_off_then_delivers(world: PushWorld, kind: str) -> None:
    _started(world)
    user_id, _ = world.user()
    world.add_token(user_id, expo_token(1))
    world.expo.state.fail_next("send", kind, times=2)  # type: ignore[arg-type]

    world.end_job(user_id)

    state = world.expo.state
    assert state.wait_for(lambda s: len(s.delivered) == 1, timeout=5)
    sends = [r for r in state.requests if r.endpoint == "send"]
    assert [r.status for r in sends] == [{"429": 429, "500": 500, "drop": 0}[kind]] * 2 + [200]
    # Exponential back-off with jitter: at least half of 0.05 s, then of 0.1 s.
    assert sends[1].at - sends[0].at >= 0.025
    assert sends[2].at - sends[1].at >= 0.05
    wait_for(lambda: world.statuses() == [OutboxStatus.SENT], timeout=5, what="row sent")
    assert world.rows()[0].attempts == 3


def test_retries_end_with_a_dead_row_and_the_job_untouched(world: PushWorld) -> None:
    _started(world, max_attempts=3)
    user_id, headers = world.user()
    world.add_token(user_id, expo_token(1))
    world.expo.state.fail_next("send", "500", times=10)

    job_id = world.end_job(user_id)

    wait_for(lambda: world.statuses() == [OutboxStatus.DEAD], timeout=5, what="row dead")
    [row] = world.rows()
    assert row.attempts == 3
    assert row.error is not None and row.error.startswith("gave up after 3 attempts: HTTP 500")
    assert world.expo.state.count("send") == 3
    job = world.client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
    assert job["status"] == "completed"


def test_the_service_down_then_up_delivers(make_app: AppFactory) -> None:
    service = LocalExpo().start()
    service.stop()  # down: its port refuses connections
    app = make_app(expo_push_url=service.url, start_background=False)
    world = _started(PushWorld(app, service), max_attempts=50)
    user_id, _ = world.user()
    world.add_token(user_id, expo_token(1))
    world.end_job(user_id)
    wait_for(lambda: world.rows()[0].attempts >= 2, timeout=5, what="two refused attempts")
    assert "network" in (world.rows()[0].error or "")

    with LocalExpo(port=service.port) as back_up:
        assert back_up.state.wait_for(lambda s: len(s.delivered) == 1, timeout=5)
        wait_for(lambda: world.statuses() == [OutboxStatus.SENT], timeout=5, what="row sent")


def test_a_push_queued_before_a_crash_is_sent_after_restart_exactly_once(
    make_app: AppFactory, expo: LocalExpo
) -> None:
    before = PushWorld(make_app(expo_push_url=expo.url, start_background=False), expo)
    user_id, _ = before.user()
    before.add_token(user_id, expo_token(1))
    job_id = before.end_job(user_id)
    # The process dies here: the job's end and its outbox row are committed, nothing was sent.
    assert expo.state.requests == []

    after = PushWorld(make_app(expo_push_url=expo.url, start_background=True), expo)  # restart
    assert expo.state.wait_for(lambda s: len(s.delivered) == 1, timeout=5)
    wait_for(lambda: after.statuses() == [OutboxStatus.SENT], timeout=5, what="row sent")
    another = PushWorld(make_app(expo_push_url=expo.url, start_background=False), expo)
    assert another.sender.drain_once() == 0
    assert before.sender.drain_once() == 0
    assert [m["data"]["job_id"] for m in expo.state.delivered] == [job_id]
