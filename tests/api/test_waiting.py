"""Long polls (`Prefer: wait=N`), Server-Sent Events, and uploads that wait for the result."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from tests.conftest import AppFactory
from tests.helpers import AuthActions, idle_app, upload_file


def test_prefer_wait_answers_when_the_job_changes(make_app: AppFactory, small_video: Path) -> None:
    app, client, headers = idle_app(make_app)
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    answer: dict[str, Any] = {}

    def long_poll() -> None:
        started = time.monotonic()
        response = client.get(f"/api/jobs/{job_id}", headers={**headers, "Prefer": "wait=20"})
        answer.update(response=response, seconds=time.monotonic() - started)

    poller = threading.Thread(target=long_poll)
    poller.start()
    # Cancel from "another phone" while the long poll waits.
    assert app.test_client().post(f"/api/jobs/{job_id}/cancel", headers=headers).status_code == 202
    poller.join(25)
    response = answer["response"]
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    assert response.headers["Preference-Applied"] == "wait=20"
    assert answer["seconds"] < 10


def test_prefer_wait_without_a_change_answers_after_n_seconds(
    make_app: AppFactory, small_video: Path
) -> None:
    _app, client, headers = idle_app(make_app)
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    started = time.monotonic()
    response = client.get(f"/api/jobs/{job_id}", headers={**headers, "Prefer": "wait=1"})
    elapsed = time.monotonic() - started
    assert response.status_code == 200 and response.get_json()["status"] == "queued"
    assert 0.9 <= elapsed < 5
    assert response.headers["Preference-Applied"] == "wait=1"


def test_prefer_wait_is_capped_at_30_seconds() -> None:
    from backend.api.live import prefer_wait

    assert prefer_wait("wait=600") == 30
    assert prefer_wait("respond-async, wait=5") == 5
    assert prefer_wait("return=minimal") is None
    assert prefer_wait(None) is None


def _events(body: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in body.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_event_stream_sends_job_documents_until_the_end(
    make_app: AppFactory, tmp_path: Path
) -> None:
    from tests.videos import make_video

    app = make_app(executor="thread", workers=1)
    client: FlaskClient = app.test_client()
    headers = AuthActions(client).register()
    video = make_video(tmp_path / "a.mp4", seconds=4, width=320, height=240)
    job_id = upload_file(client, headers, video).get_json()["job_id"]
    response = client.get(f"/api/jobs/{job_id}/events", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    events = _events(response.get_data(as_text=True))
    assert events[-1][0] == "end" and events[-1][1]["status"] == "completed"
    progress = [doc["progress"] for _, doc in events]
    assert progress == sorted(progress) and progress[-1] == 100


def test_event_stream_of_another_users_job_is_404(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    job_id = upload_file(client, auth.register(), small_video).get_json()["job_id"]
    response = client.get(f"/api/jobs/{job_id}/events", headers=auth.register())
    assert response.status_code == 404


def test_upload_with_prefer_wait_returns_the_result(
    make_app: AppFactory, small_video: Path
) -> None:
    app = make_app(executor="thread")
    client = app.test_client()
    headers = {**AuthActions(client).register(), "Prefer": "wait=30"}
    response = upload_file(client, headers, small_video)
    assert response.status_code == 200
    body = response.get_json()
    assert body["job"]["status"] == "completed"
    assert body["job"]["result"]["video"]["frame_count"] == 48


def test_upload_with_prefer_wait_too_short_is_still_202(
    make_app: AppFactory, small_video: Path
) -> None:
    app = make_app(executor="thread", start_background=False)
    client = app.test_client()
    headers = {**AuthActions(client).register(), "Prefer": "wait=0.2"}
    response = upload_file(client, headers, small_video)
    assert response.status_code == 202
    assert response.get_json()["status"] == "queued"


def test_when_every_waiting_slot_is_taken_polls_answer_at_once_and_streams_are_refused(
    make_app: AppFactory, small_video: Path
) -> None:
    from backend.jobs.changes import MAX_WAITERS
    from tests.helpers import services_of

    app, client, headers = idle_app(make_app)
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    waiters = services_of(app).store.changes.waiters
    for _ in range(MAX_WAITERS):  # as many requests as allowed are already waiting
        assert waiters.acquire(blocking=False)
    started = time.monotonic()
    response = client.get(f"/api/jobs/{job_id}", headers={**headers, "Prefer": "wait=20"})
    assert response.status_code == 200 and time.monotonic() - started < 5
    assert "Preference-Applied" not in response.headers
    stream = client.get(f"/api/jobs/{job_id}/events", headers=headers)
    assert stream.status_code == 503
    assert stream.get_json()["error"]["code"] == "too_many_streams"
    waiters.release()
    assert client.get(f"/api/jobs/{job_id}/events", headers=headers).status_code == 200


def test_event_stream_ends_when_the_job_is_deleted(make_app: AppFactory, small_video: Path) -> None:
    app, client, headers = idle_app(make_app)
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    response = client.get(f"/api/jobs/{job_id}/events", headers=headers, buffered=False)
    chunks = iter(response.response)
    assert b"event: job" in next(chunks)  # the queued job
    assert app.test_client().delete(f"/api/jobs/{job_id}", headers=headers).status_code == 204
    assert b"event: deleted" in next(chunks)
