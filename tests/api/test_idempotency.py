"""Idempotency-Key on uploads: per user, two requests at once, and an abandoned reservation."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from backend.models import IdempotencyKey
from backend.timeutil import utcnow
from backend.uploads import idempotency
from tests.helpers import AuthActions, files_under, services_of, upload_file


def test_one_key_from_two_users_gives_each_their_own_job(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    alice = {**auth.register(), "Idempotency-Key": "same-key"}
    bob = {**auth.register(), "Idempotency-Key": "same-key"}
    first = upload_file(client, alice, small_video)
    second = upload_file(client, bob, small_video)
    assert first.status_code == second.status_code == 202, second.get_json()
    assert "Idempotent-Replayed" not in second.headers
    bobs_job = second.get_json()["job_id"]
    assert bobs_job != first.get_json()["job_id"]
    assert [j["id"] for j in client.get("/api/jobs", headers=bob).get_json()["jobs"]] == [bobs_job]
    assert client.get(f"/api/jobs/{first.get_json()['job_id']}", headers=bob).status_code == 404


class HeldBody(io.BytesIO):
    """A request body that stops halfway until the test lets it go on (a slow phone)."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.half = len(data) // 2
        self.halfway = threading.Event()
        self.go_on = threading.Event()

    def read(self, size: int | None = -1) -> bytes:
        position = self.tell()
        if position >= self.half and not self.go_on.is_set():
            self.halfway.set()
            assert self.go_on.wait(30), "the test never let the body go on"
        if position < self.half:
            wanted = self.half - position if size is None or size < 0 else size
            size = min(wanted, self.half - position)
        return super().read(size)

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_a_second_request_while_the_first_is_still_arriving_is_409(
    app: Flask, auth: AuthActions, small_video: Path
) -> None:
    headers = {**auth.register(), "Idempotency-Key": "slow-upload", "X-Filename": "clip.mp4"}
    data = small_video.read_bytes()
    body = HeldBody(data)
    answers: dict[str, Any] = {}

    def first_request() -> None:
        response = app.test_client().post(
            "/api/upload",
            input_stream=body,
            content_type="application/octet-stream",
            headers=headers,
        )
        answers["first"] = (response.status_code, response.get_json())

    thread = threading.Thread(target=first_request)
    thread.start()
    try:
        assert body.halfway.wait(30), "the first upload never started arriving"
        second = app.test_client().post(
            "/api/upload", data=data, content_type="application/octet-stream", headers=headers
        )
        assert second.status_code == 409
        assert second.get_json()["error"]["code"] == "idempotency_request_in_progress"
        assert second.headers["Retry-After"]
    finally:
        body.go_on.set()
        thread.join(60)
    status, first = answers["first"]
    assert status == 202, first
    # Only the first request's video was kept, and a retry now replays its answer.
    assert (
        len([p for p in files_under(services_of(app).config.upload_dir) if "source" in p.name]) == 1
    )
    retry = app.test_client().post(
        "/api/upload", data=data, content_type="application/octet-stream", headers=headers
    )
    assert retry.status_code == 202 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json()["job_id"] == first["job_id"]


def _reserve(app: Flask, key: str, age: timedelta) -> None:
    """A reservation left by a request whose server died `age` ago, mid-upload."""
    db = services_of(app).db
    assert idempotency.begin(db, 1, key) is None
    with db.session() as session:
        session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key == key)
            # Its lease, renewed while the body arrived, lapsed then too.
            .values(created_at=utcnow() - age, lease_expires_at=utcnow() - age)
        )


def test_a_key_abandoned_for_an_hour_is_taken_over(
    app: Flask, client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()  # user 1
    _reserve(app, "abandoned", timedelta(hours=1, minutes=1))
    _reserve(app, "recent", timedelta(minutes=59))

    taken = upload_file(client, {**headers, "Idempotency-Key": "abandoned"}, small_video)
    assert taken.status_code == 202, taken.get_json()
    replay = upload_file(client, {**headers, "Idempotency-Key": "abandoned"}, small_video)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json()["job_id"] == taken.get_json()["job_id"]

    still_arriving = upload_file(client, {**headers, "Idempotency-Key": "recent"}, small_video)
    assert still_arriving.status_code == 409
    assert still_arriving.get_json()["error"]["code"] == "idempotency_request_in_progress"
