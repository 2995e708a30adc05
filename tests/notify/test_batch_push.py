"""A batch sends one push when its last video ends, through the local Expo service."""

from __future__ import annotations

from pathlib import Path

from backend.models import PushOutbox
from localexpo import LocalExpo
from tests.api.test_batches import post_batch
from tests.conftest import AppFactory
from tests.helpers import distinct_videos, services_of, wait_for
from tests.notify.conftest import FAST_RETRIES, PushWorld, expo_token


def _world(make_app: AppFactory, expo: LocalExpo, **overrides: object) -> PushWorld:
    world = PushWorld(make_app(expo_push_url=expo.url, start_background=False, **overrides), expo)
    world.sender.reconfigure(**{**FAST_RETRIES, "sweep_interval_s": 60})
    world.sender.start()
    return world


def test_a_batch_ending_with_its_last_job_sends_one_push(
    make_app: AppFactory, expo: LocalExpo, tmp_path: Path
) -> None:
    # The runner starts only after the whole batch arrived: the last job's end ends the batch.
    world = _world(make_app, expo, executor="thread", workers=1)
    user_id, headers = world.user()
    world.add_token(user_id, expo_token("phone"))
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    videos = [*distinct_videos(tmp_path, 3), broken]
    answer = post_batch(world.client, headers, videos)
    assert answer.status_code == 202
    batch_id = answer.get_json()["id"]
    services_of(world.app).runner.start()

    assert expo.state.wait_for(lambda s: len(s.delivered) == 1, timeout=60)
    batch = world.client.get(f"/api/batches/{batch_id}", headers=headers).get_json()
    assert batch["status"] == "partial"
    assert batch["counts"] == {
        "queued": 0,
        "processing": 0,
        "completed": 3,
        "failed": 1,
        "cancelled": 0,
    }
    [message] = expo.state.delivered
    assert message["title"] == "Your videos are analysed"
    assert message["body"] == "3 videos analysed, 1 failed"
    assert message["data"] == {
        "batch_id": batch_id,
        "status": "partial",
        "url": f"/batches/{batch_id}",
    }
    # One row for the whole batch: none of its four jobs queued a push of its own.
    wait_for(lambda: world.svc.runner.busy == 0, timeout=10, what="the runner to go idle")
    assert len(world.rows()) == 1


def test_a_batch_whose_jobs_ended_while_it_arrived_pushes_once_received(
    make_app: AppFactory, expo: LocalExpo, tmp_path: Path
) -> None:
    # Inline jobs run while the request is still being read: the batch ends when it is sealed.
    world = _world(make_app, expo)
    user_id, headers = world.user()
    world.add_token(user_id, expo_token("phone"))
    world.add_token(user_id, expo_token("tablet"))
    batch_id = post_batch(world.client, headers, distinct_videos(tmp_path, 3)).get_json()["id"]

    assert expo.state.wait_for(lambda s: len(s.delivered) == 2, timeout=30)
    assert {m["to"] for m in expo.state.delivered} == {expo_token("phone"), expo_token("tablet")}
    assert {m["body"] for m in expo.state.delivered} == {"3 videos analysed"}
    assert {m["data"]["batch_id"] for m in expo.state.delivered} == {batch_id}
    rows: list[PushOutbox] = world.rows()
    assert len(rows) == 2
