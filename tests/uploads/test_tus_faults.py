"""Resumable uploads when things go wrong: cut bodies, a full disk, expiry, dead processes."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from backend.config import PROJECT_ROOT
from backend.jobs.sweeper import Sweeper
from backend.models import Job, TusUpload, User
from backend.timeutil import utcnow
from backend.uploads import idempotency
from tests.helpers import AuthActions, files_under, services_of, upload_file, wait_for_job
from tests.uploads.helpers import OCTETS, TUS, checksum, create, head, patch
from tests.videos import make_video


def _cut_patch(
    client: FlaskClient, url: str, headers: dict[str, str], offset: int, sent: bytes, announced: int
) -> Any:
    """A PATCH whose connection drops after `sent` of the `announced` bytes."""
    return client.patch(
        url,
        headers={**headers, **TUS, "Upload-Offset": str(offset)},
        input_stream=io.BytesIO(sent),
        content_type=OCTETS,
        environ_overrides={"CONTENT_LENGTH": str(announced)},
    )


def test_the_bytes_before_a_cut_are_kept_and_the_upload_resumes(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    data = small_video.read_bytes()
    url = create(client, headers, len(data)).headers["Location"]
    cut = _cut_patch(client, url, headers, 0, data[:7000], len(data))
    assert cut.status_code == 400
    offset = int(head(client, url, headers).headers["Upload-Offset"])
    assert offset == 7000
    last = patch(client, url, headers, offset, data[offset:])
    assert last.status_code == 204
    assert wait_for_job(client, headers, last.headers["Clipscope-Job-Id"])["status"] == "completed"


def test_a_cut_patch_with_a_checksum_keeps_nothing_of_it(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    data = small_video.read_bytes()
    url = create(client, headers, len(data), data[:4000]).headers["Location"]
    whole = data[4000:]
    response = client.patch(
        url,
        headers={
            **headers,
            **TUS,
            "Upload-Offset": "4000",
            "Upload-Checksum": checksum("sha1", whole),
        },
        input_stream=io.BytesIO(whole[:5000]),
        content_type=OCTETS,
        environ_overrides={"CONTENT_LENGTH": str(len(whole))},
    )
    assert response.status_code == 400
    # Bytes that could not be checked against their checksum are not part of the upload.
    assert head(client, url, headers).headers["Upload-Offset"] == "4000"


def test_a_full_disk_is_507_and_keeps_what_was_written(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    small_video: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers = auth.register()
    data = small_video.read_bytes()
    url = create(client, headers, len(data)).headers["Location"]
    real_pwrite = os.pwrite
    room = [6000]

    def full_disk(fd: int, chunk: Any, offset: int) -> int:
        if room[0] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        written = real_pwrite(fd, bytes(chunk[: room[0]]), offset)
        room[0] -= written
        return written

    monkeypatch.setattr(os, "pwrite", full_disk)
    response = patch(client, url, headers, 0, data[:10000])
    assert response.status_code == 507
    assert response.get_json()["error"]["code"] == "insufficient_storage"
    monkeypatch.undo()
    assert head(client, url, headers).headers["Upload-Offset"] == "6000"
    last = patch(client, url, headers, 6000, data[6000:])
    assert last.status_code == 204
    job = wait_for_job(client, headers, last.headers["Clipscope-Job-Id"])
    with services_of(app).db.session() as session:
        stored = session.get(Job, job["id"])
        assert stored is not None and stored.sha256 == hashlib.sha256(data).hexdigest()


def _expire_uploads(app: Flask) -> None:
    with services_of(app).db.session() as session:
        session.execute(update(TusUpload).values(expires_at=utcnow() - timedelta(seconds=1)))


def test_an_expired_upload_is_410_and_the_sweeper_removes_its_bytes(
    app: Flask, client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    data = small_video.read_bytes()
    url = create(client, headers, len(data), data[:8000]).headers["Location"]
    done = create(client, headers, len(data), data)
    assert done.status_code == 201
    _expire_uploads(app)
    assert head(client, url, headers).status_code == 410
    assert patch(client, url, headers, 8000, data[8000:]).status_code == 410
    sweeper: Sweeper = services_of(app).sweeper
    assert sweeper.sweep().uploads_expired == 2
    assert head(client, url, headers).status_code == 404
    assert client.get(done.headers["Location"], headers={**headers, **TUS}).status_code == 404
    # The job made from the finished upload is the job's own business, untouched.
    root = services_of(app).config.upload_dir
    remaining = files_under(root)
    assert [p for p in remaining if p.relative_to(root).parts[0] == "tus"] == []
    assert [p.name for p in remaining if p.stem == "source"] == ["source.mp4"]
    job_id = done.headers["Clipscope-Job-Id"]
    assert client.get(f"/api/jobs/{job_id}", headers=headers).status_code == 200


def test_the_expiry_comes_from_the_environment() -> None:
    from backend.config import Config

    assert Config.from_env({"CLIPSCOPE_UPLOAD_EXPIRY_H": "6"}).upload_expiry_h == 6
    assert Config.from_env({}).upload_expiry_h == 24


def test_an_idempotency_key_on_creation_gives_the_same_upload_and_the_same_job(
    client: FlaskClient, auth: AuthActions, small_video: Path, tmp_path: Path
) -> None:
    headers = auth.register()
    data = small_video.read_bytes()
    keyed = {"Idempotency-Key": "phone-clip-1"}
    first = create(client, headers, len(data), data[:5000], **keyed)
    again = create(client, headers, len(data), **keyed)
    assert again.status_code == 201
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Upload-Offset"] == "5000"
    url = first.headers["Location"]
    job_id = patch(client, url, headers, 5000, data[5000:]).headers["Clipscope-Job-Id"]
    # The key is the same one POST /api/upload knows: a one-shot retry gets the same answer.
    retry = upload_file(client, {**headers, **keyed}, small_video)
    assert retry.status_code == 202 and retry.get_json()["job_id"] == job_id
    assert retry.headers["Idempotent-Replayed"] == "true"
    other = make_video(tmp_path / "other.mp4", seconds=0.5, seed=4)
    assert upload_file(client, {**headers, **keyed}, other).status_code == 422


def _user_id(app: Flask) -> int:
    with services_of(app).db.session() as session:
        return int(session.scalars(select(User.id)).one())


def _holder_of_a_process_that_ended() -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from backend.uploads.holder import new_holder; print(new_holder())",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_a_key_held_by_a_process_that_died_is_free_at_once(
    app: Flask, client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = {**auth.register(), "Idempotency-Key": "crashed-upload"}
    db = services_of(app).db
    dead = _holder_of_a_process_that_ended()
    assert idempotency.begin(db, _user_id(app), "crashed-upload", dead, lease_s=3600) is None
    response = upload_file(client, headers, small_video)
    assert response.status_code == 202


def test_a_key_held_elsewhere_is_free_once_its_lease_lapses(
    app: Flask, client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = {**auth.register(), "Idempotency-Key": "other-machine"}
    db = services_of(app).db
    elsewhere = "another-host|boot|4242|1000|abcdef"
    assert idempotency.begin(db, _user_id(app), "other-machine", elsewhere, lease_s=30) is None
    assert upload_file(client, headers, small_video).status_code == 409
    with db.session() as session:
        session.execute(
            update(idempotency.IdempotencyKey).values(
                lease_expires_at=utcnow() - timedelta(seconds=1)
            )
        )
    assert upload_file(client, headers, small_video).status_code == 202


def test_tus_orphan_directories_go_after_an_hour(app: Flask) -> None:
    orphan = services_of(app).config.upload_dir / "tus" / "1" / ("b" * 32)
    orphan.mkdir(parents=True)
    (orphan / "data").write_bytes(b"x" * 100)
    sweeper: Sweeper = services_of(app).sweeper
    assert sweeper.sweep().uploads_expired == 0  # young: perhaps a creation in progress
    old = (utcnow() - timedelta(hours=2)).timestamp()
    os.utime(orphan, (old, old))
    assert sweeper.sweep().uploads_expired == 1
    assert files_under(services_of(app).config.upload_dir) == []


def test_a_key_already_answered_for_another_video_refuses_the_finished_upload(
    app: Flask, client: FlaskClient, auth: AuthActions, small_video: Path, tmp_path: Path
) -> None:
    headers = auth.register()
    keyed = {"Idempotency-Key": "used-before"}
    first = upload_file(client, {**headers, **keyed}, small_video).get_json()
    same = small_video.read_bytes()
    replay = create(client, headers, len(same), same, **keyed)
    assert replay.headers["Clipscope-Job-Id"] == first["job_id"]
    other = make_video(tmp_path / "other.mp4", seconds=0.5, seed=7).read_bytes()
    again = create(client, headers, len(same), **{"Idempotency-Key": "used-before"})
    assert again.headers["Location"] == replay.headers["Location"]  # the key names that upload
    # Another length under that key is another upload: refused as POST /api/upload refuses it.
    reused = create(client, headers, len(other), **{"Idempotency-Key": "used-before"})
    assert reused.status_code == 422
    assert reused.get_json()["error"]["code"] == "idempotency_key_reused"
    fresh = create(client, headers, len(other), **{"Idempotency-Key": "second-key"})
    upload_file(client, {**headers, "Idempotency-Key": "second-key"}, small_video)
    refused = patch(client, fresh.headers["Location"], headers, 0, other)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "idempotency_key_reused"
    answer = client.get(fresh.headers["Location"], headers={**headers, **TUS})
    assert answer.status_code == 422 and answer.get_json() == refused.get_json()
    root = services_of(app).config.upload_dir
    assert [p for p in files_under(root) if p.relative_to(root).parts[0] == "tus"] == []
