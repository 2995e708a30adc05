"""The notification's text and data, and Expo's 4096-byte limit."""

from __future__ import annotations

import json

import pytest

from backend.models import Job
from backend.models.status import JobStatus
from backend.notify.expo import ExpoMessage
from backend.notify.message import build_message, fit_payload, format_duration


def _job(status: JobStatus, **fields: object) -> Job:
    values: dict[str, object] = {
        "id": "0f3c2a8e-1111-4222-8333-944455556666",
        "user_id": 1,
        "filename": "beach.mov",
        "status": status,
    }
    values.update(fields)
    return Job(**values)


def test_a_completed_job_says_scenes_and_duration() -> None:
    job = _job(
        JobStatus.COMPLETED,
        result={"scenes": [{}, {}, {}, {}], "video": {"duration_s": 42.4}},
    )
    message = build_message(job)
    assert message["title"] == "Your video is analysed"
    assert message["body"] == "beach.mov: 4 scenes, 0:42"
    assert message["data"] == {
        "job_id": job.id,
        "status": "completed",
        "url": f"/results/{job.id}",
    }
    assert (message["sound"], message["channel_id"], message["priority"]) == (
        "default",
        "jobs",
        "high",
    )


def test_one_scene_is_singular() -> None:
    job = _job(JobStatus.COMPLETED, result={"scenes": [{}], "video": {"duration_s": 3725}})
    assert build_message(job)["body"] == "beach.mov: 1 scene, 1:02:05"


def test_a_failed_job_gives_the_error_sentence() -> None:
    job = _job(JobStatus.FAILED, error_message="The file is not a video we can read.")
    message = build_message(job)
    assert message["title"] == "We couldn't analyse your video"
    assert message["body"] == "beach.mov: The file is not a video we can read."
    assert message["data"]["status"] == "failed"


@pytest.mark.parametrize(
    ("seconds", "shown"), [(0, "0:00"), (9.6, "0:10"), (61, "1:01"), (3600, "1:00:00")]
)
def test_durations(seconds: float, shown: str) -> None:
    assert format_duration(seconds) == shown


def test_long_text_is_cut_to_fit_4096_bytes_with_the_token() -> None:
    job = _job(JobStatus.FAILED, filename="é" * 250, error_message="ü😀" * 5000)
    message = build_message(job)
    payload = ExpoMessage(to="ExpoPushToken[" + "x" * 200 + "]", **message).get_payload()
    assert len(json.dumps(payload).encode()) <= 4096
    assert message["body"].endswith("…")
    assert message["data"]["job_id"] == job.id  # data is never cut


def test_fit_payload_cuts_the_body_before_the_title() -> None:
    fitted = fit_payload({"title": "T" * 100, "body": "B" * 10_000, "data": {}}, limit=1000)
    assert fitted["title"] == "T" * 100
    assert len(json.dumps(fitted)) <= 1000 - 300


def test_both_token_forms_make_a_payload() -> None:
    for token in ("ExponentPushToken[abc]", "ExpoPushToken[abc]"):
        payload = ExpoMessage(to=token, title="t", channel_id="jobs").get_payload()
        assert payload == {"to": token, "title": "t", "channelId": "jobs"}
    with pytest.raises(ValueError):
        ExpoMessage(to="apns:abc", title="t").get_payload()
