"""POST /api/upload: accepted uploads, every refusal, and no file left behind."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from backend.models import Job
from tests.conftest import AppFactory
from tests.helpers import AuthActions, files_under, services_of, upload_file


def test_multipart_upload_answers_202_and_stores_the_file(
    app: Flask, client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    response = upload_file(client, headers, small_video)
    assert response.status_code == 202
    body = response.get_json()
    job_id = body["job_id"]
    assert response.headers["Location"] == f"/api/jobs/{job_id}"
    assert response.headers["Retry-After"] == "2"
    assert body["status"] == "queued"
    assert body["status_url"] == f"/api/jobs/{job_id}"
    assert body["result_url"] == f"/api/results/job/{job_id}"
    assert body["job"]["video"] == {
        "filename": "clip.mp4",
        "size_bytes": small_video.stat().st_size,
        "content_type": "video/mp4",
    }
    with services_of(app).db.session() as session:
        job = session.scalars(select(Job)).one()
    assert job.sha256 == hashlib.sha256(small_video.read_bytes()).hexdigest()
    stored = services_of(app).storage.source_path(job.user_id, job.id, job.source_name)
    assert stored.read_bytes() == small_video.read_bytes()


def test_raw_body_upload_with_x_filename(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = {**auth.register(), "X-Filename": "My%20Beach%20Day.mp4"}
    response = client.post(
        "/api/upload",
        data=small_video.read_bytes(),
        headers=headers,
        content_type="application/octet-stream",
    )
    assert response.status_code == 202
    assert response.get_json()["job"]["video"]["filename"] == "My Beach Day.mp4"


def test_file_names_are_never_trusted_for_paths(
    app: Flask, client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    with open(small_video, "rb") as handle:
        response = client.post(
            "/api/upload",
            data={"video": (handle, "../../../etc/evil\x00name.mp4")},
            headers=headers,
        )
    assert response.status_code == 202
    assert response.get_json()["job"]["video"]["filename"] == "evilname.mp4"
    root = services_of(app).config.upload_dir
    assert all(root in p.parents for p in files_under(root))
    names = [p.name for p in files_under(root)]
    assert "source.mp4" in names and not any("evil" in name for name in names)


def _refusals(tmp_path: Path) -> list[tuple[str, dict[str, object], int, str]]:
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video at all\n" * 400)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    return [
        ("empty", {"data": {"video": (io.BytesIO(b""), "empty.mp4")}}, 400, "bad_request"),
        (
            "not a video",
            {"data": {"video": (open(text, "rb"), "notes.mp4")}},
            415,
            "unsupported_media_type",
        ),
        (
            "missing field",
            {"data": {"file": (io.BytesIO(b"\x00" * 100), "a.mp4")}},
            400,
            "bad_request",
        ),
        (
            "unknown content type",
            {"data": b"hello", "content_type": "text/plain"},
            415,
            "unsupported_media_type",
        ),
        (
            "raw body not a video",
            {"data": b"GIF89a" + b"\x00" * 5000, "content_type": "application/octet-stream"},
            415,
            "unsupported_media_type",
        ),
    ]


@pytest.mark.parametrize("case", range(5))
def test_refused_uploads_leave_no_file(
    app: Flask, client: FlaskClient, auth: AuthActions, tmp_path: Path, case: int
) -> None:
    name, kwargs, status, code = _refusals(tmp_path)[case]
    response = client.post("/api/upload", headers=auth.register(), **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, name
    assert response.get_json()["error"]["code"] == code
    assert files_under(services_of(app).config.upload_dir) == [], name
    with services_of(app).db.session() as session:
        assert session.scalars(select(Job)).all() == []


def test_over_the_limit_is_413_and_leaves_no_file(make_app: AppFactory, small_video: Path) -> None:
    app = make_app(max_upload_bytes=small_video.stat().st_size - 1)
    client = app.test_client()
    headers = AuthActions(client).register()
    response = upload_file(client, headers, small_video)
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "file_too_large" and "limit" in error["message"]
    assert files_under(services_of(app).config.upload_dir) == []


def test_over_the_limit_without_content_length_is_413(
    make_app: AppFactory, small_video: Path
) -> None:
    """A chunked upload announces no size: the limit is enforced while streaming."""
    app = make_app(max_upload_bytes=1000)
    client = app.test_client()
    headers = AuthActions(client).register()

    response = client.post(
        "/api/upload",
        input_stream=io.BytesIO(small_video.read_bytes()),
        headers={**headers, "Transfer-Encoding": "chunked"},
        content_type="video/mp4",
        # What a server that de-chunks the body (gunicorn) tells the app.
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert files_under(services_of(app).config.upload_dir) == []


def test_upload_needs_a_token(client: FlaskClient, small_video: Path) -> None:
    response = upload_file(client, {}, small_video)
    assert response.status_code == 401


def test_upload_registers_its_push_token(
    client: FlaskClient, auth: AuthActions, small_video: Path, app: Flask
) -> None:
    from backend.models.push import PushToken

    headers = auth.register()
    token = "ExponentPushToken[abcdefghijklmnopqrstuv]"
    response = upload_file(client, headers, small_video, push_token=token, platform="ios")
    assert response.status_code == 202
    with services_of(app).db.session() as session:
        stored = session.scalars(select(PushToken)).one()
    assert stored.token == token and stored.platform == "ios" and stored.active


def test_a_bad_push_token_does_not_lose_the_upload(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    response = upload_file(client, auth.register(), small_video, push_token="not-a-token")
    assert response.status_code == 202


def test_a_form_whose_boundary_never_comes_is_refused_not_buffered(
    client: FlaskClient, auth: AuthActions, app: Flask
) -> None:
    """Without a boundary the decoder would hold the whole body in memory."""
    response = client.post(
        "/api/upload",
        input_stream=io.BytesIO(b"x" * (3 * 1024 * 1024)),
        headers={**auth.register(), "Transfer-Encoding": "chunked"},
        content_type="multipart/form-data; boundary=never-sent",
        environ_overrides={"wsgi.input_terminated": True},
    )
    # A malformed form, not a large file (issue 21: it said file_too_large).
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "part_headers_too_large"
    assert files_under(services_of(app).config.upload_dir) == []
