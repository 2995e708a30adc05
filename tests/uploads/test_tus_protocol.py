"""tus 1.0.0 at /api/uploads, in process: the protocol's edges and the refusals."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from backend.api.schemas import UploadAccepted
from backend.models import Job, PushToken
from tests.conftest import AppFactory
from tests.helpers import AuthActions, files_under, services_of, upload_file, wait_for_job
from tests.uploads.helpers import TUS, checksum, create, head, metadata, patch


def test_options_advertises_the_protocol_and_the_limit(make_app: AppFactory) -> None:
    client = make_app(max_upload_bytes=5 * 2**20).test_client()
    headers = AuthActions(client).register()
    response = client.options("/api/uploads", headers=headers)
    assert response.status_code == 204
    assert response.headers["Tus-Version"] == "1.0.0"
    assert response.headers["Tus-Resumable"] == "1.0.0"
    extensions = set(response.headers["Tus-Extension"].split(","))
    assert extensions == {
        "creation",
        "creation-with-upload",
        "termination",
        "expiration",
        "checksum",
    }
    assert "sha1" in response.headers["Tus-Checksum-Algorithm"].split(",")
    assert response.headers["Tus-Max-Size"] == str(5 * 2**20)


def test_every_request_needs_a_token_and_gets_the_error_shape(client: FlaskClient) -> None:
    auth = AuthActions(client)
    url = create(client, auth.register(), 100).headers["Location"]
    for response in (
        client.options("/api/uploads"),
        client.post("/api/uploads", headers={**TUS, "Upload-Length": "100"}),
        client.head(url, headers=TUS),
        client.get(url, headers=TUS),
        patch(client, url, {}, 0, b"x"),
        client.delete(url, headers=TUS),
    ):
        assert response.status_code == 401
        if response.request.method != "HEAD":
            assert response.get_json()["error"]["code"] == "unauthorized"


def test_cors_preflight_lets_the_web_app_speak_tus(client: FlaskClient) -> None:
    for url, method in (("/api/uploads", "POST"), ("/api/uploads/" + "a" * 32, "PATCH")):
        response = client.options(
            url,
            headers={"Origin": "http://localhost:8081", "Access-Control-Request-Method": method},
        )
        assert response.status_code in (200, 204)
        assert "PATCH" in response.headers["Access-Control-Allow-Methods"]
        for name in ("Upload-Offset", "Upload-Length", "Upload-Metadata", "Tus-Resumable"):
            assert name in response.headers["Access-Control-Allow-Headers"]
        for name in ("Location", "Upload-Offset", "Upload-Expires", "Clipscope-Job-Id"):
            assert name in response.headers["Access-Control-Expose-Headers"]


def test_a_request_without_tus_resumable_is_412(client: FlaskClient, auth: AuthActions) -> None:
    response = client.post("/api/uploads", headers={**auth.register(), "Upload-Length": "10"})
    assert response.status_code == 412
    assert response.headers["Tus-Version"] == "1.0.0"
    assert response.get_json()["error"]["code"] == "tus_version_unsupported"


def test_creation_past_the_limit_is_413_and_leaves_nothing(make_app: AppFactory) -> None:
    app = make_app(max_upload_bytes=2**20)
    client = app.test_client()
    headers = AuthActions(client).register()
    response = create(client, headers, 2**20 + 1)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "file_too_large"
    assert create(client, headers, 0).status_code == 400
    assert client.post("/api/uploads", headers={**headers, **TUS}).status_code == 400
    bad_metadata = create(client, headers, 10, **{"Upload-Metadata": "filename ***"})
    assert bad_metadata.status_code == 400
    assert files_under(services_of(app).config.upload_dir) == []


def test_chunks_resume_from_head_and_the_job_is_the_one_post_would_make(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    data = small_video.read_bytes()
    created = create(client, headers, len(data))
    assert created.status_code == 201
    url = created.headers["Location"]
    assert created.headers["Upload-Offset"] == "0" and "Upload-Expires" in created.headers
    offset = 0
    for size in (5000, 7000):
        response = patch(client, url, headers, offset, data[offset : offset + size])
        assert response.status_code == 204
        offset = int(head(client, url, headers).headers["Upload-Offset"])
        assert offset == int(response.headers["Upload-Offset"])
    assert offset == 12000
    early = client.get(url, headers={**headers, **TUS})
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "upload_incomplete"
    last = patch(client, url, headers, offset, data[offset:])
    assert last.status_code == 204
    job_id = last.headers["Clipscope-Job-Id"]
    answer = client.get(url, headers={**headers, **TUS})
    assert answer.status_code == 202
    assert answer.headers["Location"] == f"/api/jobs/{job_id}"
    body = UploadAccepted.model_validate(answer.get_json())
    assert body.job_id == job_id and body.job.video.filename == "clip.mp4"
    assert body.job.video.size_bytes == len(data)
    assert wait_for_job(client, headers, job_id)["status"] == "completed"
    # The finished upload's bytes now belong to the job alone.
    assert head(client, url, headers).headers["Upload-Offset"] == str(len(data))


def test_a_patch_at_the_wrong_offset_is_409_and_changes_nothing(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    data = small_video.read_bytes()
    url = create(client, headers, len(data)).headers["Location"]
    assert patch(client, url, headers, 0, data[:6000]).status_code == 204
    wrong = patch(client, url, headers, 4000, data[4000:9000])
    assert wrong.status_code == 409
    assert wrong.get_json()["error"]["code"] == "upload_offset_mismatch"
    assert wrong.headers["Upload-Offset"] == "6000"
    assert head(client, url, headers).headers["Upload-Offset"] == "6000"
    too_long = patch(client, url, headers, 6000, data[6000:] + b"extra")
    assert too_long.status_code == 413
    not_octets = client.patch(
        url,
        headers={**headers, **TUS, "Upload-Offset": "6000"},
        data=b"x",
        content_type="video/mp4",
    )
    assert not_octets.status_code == 415
    assert head(client, url, headers).headers["Upload-Offset"] == "6000"


def test_a_checksum_mismatch_is_460_and_keeps_the_offset(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    data = small_video.read_bytes()
    url = create(client, headers, len(data)).headers["Location"]
    good = patch(
        client, url, headers, 0, data[:5000], **{"Upload-Checksum": checksum("sha1", data[:5000])}
    )
    assert good.status_code == 204
    lie = checksum("sha1", b"something else")
    bad = patch(client, url, headers, 5000, data[5000:9000], **{"Upload-Checksum": lie})
    assert bad.status_code == 460
    assert bad.get_json()["error"]["code"] == "checksum_mismatch"
    assert head(client, url, headers).headers["Upload-Offset"] == "5000"
    unknown = patch(client, url, headers, 5000, data[5000:], **{"Upload-Checksum": "crc32 AAAA"})
    assert unknown.status_code == 400
    rest = data[5000:]
    last = patch(client, url, headers, 5000, rest, **{"Upload-Checksum": checksum("sha256", rest)})
    assert last.status_code == 204
    job = wait_for_job(client, headers, last.headers["Clipscope-Job-Id"])
    assert job["status"] == "completed"


def test_another_users_upload_is_404_everywhere(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    owner, stranger = auth.register(), auth.register()
    url = create(client, owner, 1000).headers["Location"]
    assert head(client, url, stranger).status_code == 404
    assert patch(client, url, stranger, 0, b"\0" * 10).status_code == 404
    assert client.delete(url, headers={**stranger, **TUS}).status_code == 404
    missing = client.get(url, headers={**stranger, **TUS})
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/uploads/../etc", headers={**owner, **TUS}).status_code == 404
    assert head(client, url, owner).headers["Upload-Offset"] == "0"


def test_termination_removes_the_bytes(
    app: Flask, client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    data = small_video.read_bytes()
    url = create(client, headers, len(data), data[:8000]).headers["Location"]
    assert files_under(services_of(app).config.upload_dir) != []
    assert client.delete(url, headers={**headers, **TUS}).status_code == 204
    assert files_under(services_of(app).config.upload_dir) == []
    assert head(client, url, headers).status_code == 404


def test_creation_with_upload_of_the_whole_video_answers_with_the_job(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    data = small_video.read_bytes()
    created = create(client, headers, len(data), data)
    assert created.status_code == 201
    assert created.headers["Upload-Offset"] == str(len(data))
    job_id = created.headers["Clipscope-Job-Id"]
    assert wait_for_job(client, headers, job_id)["status"] == "completed"


def test_a_non_video_is_refused_at_its_first_bytes_and_leaves_nothing(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    headers = auth.register()
    text = b"not a video at all " * 1000
    url = create(client, headers, len(text)).headers["Location"]
    refused = patch(client, url, headers, 0, text[:5000])
    assert refused.status_code == 415
    assert refused.get_json()["error"]["code"] == "unsupported_media_type"
    assert list(services_of(app).config.upload_dir.rglob("*")) == []  # no file, no folder
    answer = client.get(url, headers={**headers, **TUS})
    assert answer.status_code == 415 and answer.get_json() == refused.get_json()
    assert head(client, url, headers).status_code == 415
    assert client.get("/api/jobs", headers=headers).get_json()["jobs"] == []


def test_the_same_video_again_is_the_dedup_answer(
    app: Flask, client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    first = upload_file(client, headers, small_video).get_json()
    data = small_video.read_bytes()
    created = create(client, headers, len(data), data)
    assert created.headers["Clipscope-Job-Id"] == first["job_id"]
    answer = client.get(created.headers["Location"], headers={**headers, **TUS})
    assert answer.status_code == 200 and answer.get_json()["deduplicated"] is True
    sources = [p for p in files_under(services_of(app).config.upload_dir) if p.stem == "source"]
    assert len(sources) == 1


def test_metadata_carries_the_name_and_the_push_token(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    data = small_video.read_bytes()
    meta = metadata(
        filename="../../beach day.mp4",
        filetype="text/plain",
        push_token="ExponentPushToken[abc123]",
        platform="ios",
    )
    created = create(client, headers, len(data), data, **{"Upload-Metadata": meta})
    body = client.get(created.headers["Location"], headers={**headers, **TUS}).get_json()
    # The name is for display only; the type is sniffed, never taken from the client.
    assert body["job"]["video"]["filename"] == "beach day.mp4"
    assert body["job"]["video"]["content_type"] == "video/mp4"
    with services_of(client.application).db.session() as session:
        tokens = [t.token for t in session.query(PushToken).all()]
    assert tokens == ["ExponentPushToken[abc123]"]


def test_the_upload_sha256_is_the_files_across_processes(
    make_app: AppFactory, small_video: Path
) -> None:
    """Two apps on one database stand for two gunicorn workers: each keeps its own hash."""
    first, second = make_app(), make_app()
    one, two = first.test_client(), second.test_client()
    headers = AuthActions(one).register()
    data = small_video.read_bytes()
    url = create(one, headers, len(data), data[:9000]).headers["Location"]
    last = patch(two, url, headers, 9000, data[9000:])
    assert last.status_code == 204
    caught_up = services_of(second).tus.hashes.caught_up_bytes
    assert caught_up == 9000  # the second process hashed from disk only what it had not seen
    job = wait_for_job(two, headers, last.headers["Clipscope-Job-Id"])
    assert job["status"] == "completed"
    with services_of(second).db.session() as session:
        stored = session.get(Job, job["id"])
        assert stored is not None
        assert stored.sha256 == hashlib.sha256(data).hexdigest()


def test_the_openapi_document_lists_the_tus_routes(client: FlaskClient) -> None:
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/uploads"]
    assert {"get", "patch", "delete"} <= set(paths["/api/uploads/{upload_id}"])
    assert paths["/api/uploads/{upload_id}"]["patch"]["security"] == [{"bearer": []}]
