"""The whole product flow over HTTP, on the real thread pool, with a real generated video."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from tests.conftest import AppFactory
from tests.helpers import AuthActions, upload_file, wait_for_job
from tests.videos import make_video


def test_upload_poll_and_fetch_result(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app(executor="thread", workers=2)
    client: FlaskClient = app.test_client()
    headers = AuthActions(client).register()
    video = make_video(
        tmp_path / "beach.mp4",
        seconds=3.0,
        fps=25,
        width=192,
        height=108,
        cuts=(1.0, 2.0),
        audio="tone",
    )

    accepted = upload_file(client, headers, video)
    assert accepted.status_code == 202
    job_id = accepted.get_json()["job_id"]

    pending = client.get(f"/api/jobs/{job_id}/result", headers=headers)
    if pending.status_code == 409:  # the pool may already have finished a 3 s clip
        assert pending.get_json()["error"]["code"] == "job_not_finished"

    job = wait_for_job(client, headers, job_id)
    assert job["status"] == "completed", job
    assert job["progress"] == 100 and job["phase"] == "done"
    assert job["finished_at"] and job["started_at"] and job["attempts"] == 1
    assert job["result"]["job_id"] == job_id

    result = client.get(f"/api/jobs/{job_id}/result", headers=headers)
    assert result.status_code == 200
    doc = result.get_json()
    v = doc["video"]
    assert (v["width"], v["height"]) == (192, 108)
    assert abs(v["fps"] - 25) < 0.01
    assert abs(v["duration_s"] - 3.0) < 0.1
    assert v["codec"] == "h264"
    assert doc["frames_analyzed"] == 75
    assert doc["audio"] is not None and doc["audio"]["channels"] >= 1
    assert len(doc["scenes"]) == 3
    thumb = client.get(doc["scenes"][0]["thumbnail_url"], headers=headers)
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert thumb.data[:3] == b"\xff\xd8\xff"
