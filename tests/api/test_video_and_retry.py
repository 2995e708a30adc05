"""The app's player and History actions: the source video with Range requests, and retry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from backend.jobs.sweeper import Sweeper
from backend.models import Job
from backend.timeutil import utcnow
from tests.conftest import AppFactory
from tests.helpers import AuthActions, idle_app, services_of, upload_file


def _sweep_sources(app: Flask, job_id: str) -> None:
    """The job ended two days ago and the sweeper ran: its source video is gone."""
    with services_of(app).db.session() as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(finished_at=utcnow() - timedelta(days=2))
        )
    sweeper: Sweeper = services_of(app).sweeper
    assert sweeper.sweep().sources_removed == 1


def test_the_owner_streams_the_video_with_range_requests(
    make_app: AppFactory, small_video: Path
) -> None:
    app = make_app(keep_source_hours=24)
    client = app.test_client()
    auth = AuthActions(client)
    headers = auth.register()
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    data = small_video.read_bytes()

    whole = client.get(f"/api/jobs/{job_id}/video", headers=headers)
    assert whole.status_code == 200
    assert whole.mimetype == "video/mp4" and whole.data == data
    assert whole.headers["Accept-Ranges"] == "bytes"

    part = client.get(f"/api/jobs/{job_id}/video", headers={**headers, "Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.data == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    tail = client.get(f"/api/jobs/{job_id}/video", headers={**headers, "Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.data == data[-10:]

    stranger = client.get(f"/api/jobs/{job_id}/video", headers=auth.register())
    assert stranger.status_code == 404
    assert stranger.get_json()["error"]["code"] == "not_found"
    assert client.get(f"/api/jobs/{job_id}/video").status_code == 401

    _sweep_sources(app, job_id)
    gone = client.get(f"/api/jobs/{job_id}/video", headers=headers)
    assert gone.status_code == 410
    error = gone.get_json()["error"]
    assert error["code"] == "source_expired"
    assert error["message"] == (
        "The video of this job is no longer kept on the server; upload it again."
    )


def test_retry_runs_a_failed_job_again(
    client: FlaskClient, auth: AuthActions, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    headers = auth.register()
    job_id = upload_file(client, headers, broken).get_json()["job_id"]
    assert client.get(f"/api/jobs/{job_id}", headers=headers).get_json()["status"] == "failed"

    assert client.post(f"/api/jobs/{job_id}/retry", headers=auth.register()).status_code == 404
    response = client.post(f"/api/jobs/{job_id}/retry", headers=headers)
    assert response.status_code == 202
    assert response.get_json()["id"] == job_id
    # The inline runner of the test app ran it again at once: the file is still broken.
    job = client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
    assert job["status"] == "failed" and job["attempts"] == 1
    assert job["error"]["code"] in {"invalid_video", "no_video_stream"}


def test_retry_queues_a_cancelled_job_and_refuses_a_live_one(
    make_app: AppFactory, small_video: Path
) -> None:
    app, client, headers = idle_app(make_app)
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]

    live = client.post(f"/api/jobs/{job_id}/retry", headers=headers)
    assert live.status_code == 409
    assert live.get_json()["error"] == {
        "code": "job_not_retryable",
        "message": "Only failed or cancelled jobs can be retried; this one is queued.",
    }

    assert client.post(f"/api/jobs/{job_id}/cancel", headers=headers).status_code == 202
    retried = client.post(f"/api/jobs/{job_id}/retry", headers=headers)
    assert retried.status_code == 202
    body = retried.get_json()
    assert (body["status"], body["progress"], body["error"]) == ("queued", 0, None)

    assert client.post(f"/api/jobs/{job_id}/cancel", headers=headers).status_code == 202
    _sweep_sources(app, job_id)
    expired = client.post(f"/api/jobs/{job_id}/retry", headers=headers)
    assert expired.status_code == 410
    assert expired.get_json()["error"]["code"] == "source_expired"


def test_both_routes_are_in_the_openapi_document(client: FlaskClient) -> None:
    paths = client.get("/api/openapi.json").get_json()["paths"]
    video = paths["/api/jobs/{job_id}/video"]["get"]
    assert set(video["responses"]) >= {"200", "206"}
    assert video["security"] == [{"bearer": []}]
    assert "202" in paths["/api/jobs/{job_id}/retry"]["post"]["responses"]


def test_a_signed_link_streams_the_video_without_a_token(
    make_app: AppFactory, small_video: Path
) -> None:
    """Browsers: the player gets a signed URL and streams it with Range, like a phone does."""
    app = make_app(keep_source_hours=24)
    client = app.test_client()
    auth = AuthActions(client)
    headers = auth.register()
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    data = small_video.read_bytes()

    link = client.post(f"/api/jobs/{job_id}/video-link", headers=headers)
    assert link.status_code == 200
    body = link.get_json()
    assert body["expires_in"] == 3600
    url = body["url"]
    assert url.startswith(f"/api/jobs/{job_id}/video/signed?access=")

    part = client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"

    # Only the job it was made for, only as signed, and only for its owner's job.
    wrong_job = client.get(url.replace(job_id, "another-job", 1))
    assert wrong_job.status_code == 401
    assert wrong_job.get_json()["error"]["code"] == "unauthorized"
    tampered = client.get(url[:-2] + ("AA" if not url.endswith("AA") else "BB"))
    assert tampered.status_code == 401
    assert client.post(f"/api/jobs/{job_id}/video-link", headers=auth.register()).status_code == 404
    assert client.post(f"/api/jobs/{job_id}/video-link").status_code == 401
