"""Batches over HTTP: parts refused one by one, aggregate progress, cancel, delete, listing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from backend.models import Batch, Job, User
from tests.helpers import (
    AuthActions,
    distinct_videos,
    files_under,
    idle_app,
    services_of,
    wait_for,
)


def post_batch(client: FlaskClient, headers: dict[str, str], paths: list[Path]) -> Any:
    with ExitStack() as stack:
        files = [(stack.enter_context(open(path, "rb")), path.name) for path in paths]
        return client.post(
            "/api/batches",
            data={"video": files},
            headers=headers,
            content_type="multipart/form-data",
        )


def count(app: Flask, model: type[Batch] | type[Job]) -> int:
    with services_of(app).db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_batch_with_one_refused_part(
    app: Flask, client: FlaskClient, auth: AuthActions, tmp_path: Path
) -> None:
    headers = auth.register()
    first, second = distinct_videos(tmp_path, 2)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a video, just words " * 100)

    answer = post_batch(client, headers, [first, notes, second])

    assert answer.status_code == 202, answer.get_json()
    batch = answer.get_json()
    assert answer.headers["Location"] == f"/api/batches/{batch['id']}"
    ok, refused, ok2 = batch["parts"]
    assert ok["filename"] == first.name and ok["job_id"] and ok["error"] is None
    assert refused == {
        "index": 1,
        "filename": "notes.txt",
        "job_id": None,
        "deduplicated": False,
        "error": {
            "code": "unsupported_media_type",
            "message": refused["error"]["message"],
        },
    }
    assert "not a video" in refused["error"]["message"]
    assert ok2["filename"] == second.name and ok2["job_id"]
    # The inline executor ran both jobs while the request was being read.
    assert batch["status"] == "completed" and batch["progress"] == 100
    assert batch["total"] == 2 and batch["counts"]["completed"] == 2
    assert [job["id"] for job in batch["jobs"]] == [ok["job_id"], ok2["job_id"]]
    assert batch["finished_at"] is not None
    assert client.get(f"/api/batches/{batch['id']}", headers=headers).get_json() == batch
    # The refused part left nothing: only the two jobs' folders exist.
    job_dirs = {path.parent.name for path in files_under(tmp_path / "uploads")}
    assert job_dirs <= {ok["job_id"], ok2["job_id"], "thumbnails"}


def test_a_batch_with_nothing_acceptable_is_refused_and_leaves_nothing(
    app: Flask, client: FlaskClient, auth: AuthActions, tmp_path: Path
) -> None:
    headers = auth.register()
    text, empty = tmp_path / "a.txt", tmp_path / "b.mp4"
    text.write_text("hello " * 1000)
    empty.write_bytes(b"")

    one = post_batch(client, headers, [text])
    assert one.status_code == 415
    assert one.get_json()["error"]["code"] == "unsupported_media_type"

    two = post_batch(client, headers, [text, empty])
    assert two.status_code == 422
    error = two.get_json()["error"]
    assert error["code"] == "no_video_accepted"
    assert "a.txt" in error["message"] and "b.mp4" in error["message"]

    none = client.post(
        "/api/batches", data={"note": "hi"}, headers=headers, content_type="multipart/form-data"
    )
    assert none.status_code == 400
    raw = client.post("/api/batches", data=b"x", headers=headers, content_type="video/mp4")
    assert raw.status_code == 415

    assert count(app, Batch) == 0 and count(app, Job) == 0
    assert files_under(tmp_path / "uploads") == []


def test_batch_progress_follows_its_jobs(
    make_app: Callable[..., Flask],
    tmp_path: Path,
    paused_analysis: tuple[threading.Event, threading.Event],
) -> None:
    started, go_on = paused_analysis
    app = make_app(executor="thread", workers=1, start_background=False)
    client = app.test_client()
    headers = AuthActions(client).register()
    videos = distinct_videos(tmp_path, 2, seconds=2.0)
    batch_id = post_batch(client, headers, videos).get_json()["id"]

    def batch() -> dict[str, Any]:
        answer = client.get(f"/api/batches/{batch_id}", headers=headers)
        assert answer.status_code == 200
        body: dict[str, Any] = answer.get_json()
        return body

    queued = batch()
    assert (queued["status"], queued["progress"], queued["counts"]["queued"]) == ("queued", 0, 2)

    services_of(app).runner.start()
    assert started.wait(30), "the first analysis never started"
    held = batch()
    assert held["status"] == "processing"
    assert held["counts"]["processing"] == 1 and held["counts"]["queued"] == 1
    assert 0 <= held["progress"] < 50
    go_on.set()
    wait_for(lambda: batch()["status"] == "completed", timeout=60, what="the batch to end")
    done = batch()
    assert done["progress"] == 100 and done["counts"]["completed"] == 2


def test_cancel_delete_and_ownership(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    _, client, headers = idle_app(make_app)
    other = AuthActions(client).register("other@example.com")
    batch = post_batch(client, headers, distinct_videos(tmp_path, 2)).get_json()
    url = f"/api/batches/{batch['id']}"
    assert client.get(url, headers=other).status_code == 404
    assert client.post(f"{url}/cancel", headers=other).status_code == 404
    assert client.delete(url, headers=other).status_code == 404

    cancelled = client.post(f"{url}/cancel", headers=headers)
    assert cancelled.status_code == 202
    assert cancelled.get_json()["status"] == "cancelled"
    assert cancelled.get_json()["counts"]["cancelled"] == 2
    again = client.post(f"{url}/cancel", headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "batch_already_finished"

    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404
    for part in batch["parts"]:
        assert client.get(f"/api/jobs/{part['job_id']}", headers=headers).status_code == 404
    assert files_under(tmp_path / "uploads") == []


def test_batches_are_listed_newest_first(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    _, client, headers = idle_app(make_app)
    first, second, third = distinct_videos(tmp_path, 3)
    older = post_batch(client, headers, [first]).get_json()["id"]
    newer = post_batch(client, headers, [second, third]).get_json()["id"]

    page = client.get("/api/batches?limit=1", headers=headers).get_json()
    assert [b["id"] for b in page["batches"]] == [newer]
    assert page["batches"][0]["total"] == 2
    rest = client.get(f"/api/batches?limit=1&cursor={page['next_cursor']}", headers=headers)
    assert [b["id"] for b in rest.get_json()["batches"]] == [older]
    assert rest.get_json()["next_cursor"] is None
    stranger = AuthActions(client).register("s@example.com")
    assert client.get("/api/batches", headers=stranger).get_json()["batches"] == []


def test_a_batch_still_arriving_cannot_be_cancelled_or_deleted(
    make_app: Callable[..., Flask],
) -> None:
    app, client, headers = idle_app(make_app)
    # A batch row whose request is still reading parts (received_at not set yet).
    with services_of(app).db.session() as session:
        user_id = session.scalar(select(User.id))
        session.add(Batch(id="b" * 36, user_id=user_id, parts=[]))
    url = f"/api/batches/{'b' * 36}"
    for answer in (
        client.post(f"{url}/cancel", headers=headers),
        client.delete(url, headers=headers),
    ):
        assert answer.status_code == 409
        assert answer.get_json()["error"]["code"] == "batch_still_arriving"
    assert client.get(url, headers=headers).get_json()["parts"] == []
    assert client.get("/api/batches", headers=headers).get_json()["batches"] == []
