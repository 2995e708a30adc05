"""Helpers the tests share: uploads, waiting on the runner, files on disk."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from backend.services import Services


def services_of(app: Flask) -> Services:
    svc: Services = app.extensions["clipscope"]
    return svc


def upload_file(client: FlaskClient, headers: dict[str, str], path: Path, **extra: Any) -> Any:
    with open(path, "rb") as handle:
        return client.post(
            "/api/upload",
            data={"video": (handle, path.name), **extra},
            headers=headers,
            content_type="multipart/form-data",
        )


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    """Wait until `predicate()` holds; a timeout fails the test instead of hanging it."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        pause.wait(0.02)


def job_status(client: FlaskClient, headers: dict[str, str], job_id: str) -> str:
    response = client.get(f"/api/jobs/{job_id}", headers=headers)
    assert response.status_code == 200, response.get_json()
    status: str = response.get_json()["status"]
    return status


def wait_for_job(
    client: FlaskClient, headers: dict[str, str], job_id: str, timeout: float = 60.0
) -> dict[str, Any]:
    """Poll the job over HTTP, as the app does, until it is terminal."""
    wait_for(
        lambda: job_status(client, headers, job_id) in {"completed", "failed", "cancelled"},
        timeout,
        f"job {job_id} to end",
    )
    body: dict[str, Any] = client.get(f"/api/results/job/{job_id}", headers=headers).get_json()
    return body


def distinct_videos(directory: Path, count: int, seconds: float = 1.0) -> list[Path]:
    """`count` different small videos (the same bytes twice would be deduplicated)."""
    from tests.videos import make_video

    return [
        make_video(directory / f"clip{n}.mp4", seconds=seconds, seed=n + 1) for n in range(count)
    ]


class AuthActions:
    """Registers users and hands out their Authorization headers."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.count = 0

    def register(self, email: str | None = None, password: str = "correct horse") -> dict[str, str]:
        self.count += 1
        email = email or f"user{self.count}@example.com"
        response = self.client.post(
            "/api/auth/register", json={"email": email, "password": password}
        )
        assert response.status_code == 201, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}


def start_held_job(
    factory: Callable[..., Flask], directory: Path, started: threading.Event
) -> tuple[Flask, FlaskClient, dict[str, str], str]:
    """A thread-pool app running one 20 s job, held by `paused_analysis` once it analyses."""
    from tests.videos import make_video

    app = factory(executor="thread", workers=1)
    client = app.test_client()
    headers = AuthActions(client).register()
    video = make_video(directory / "long.mp4", seconds=20, width=320, height=240)
    job_id = upload_file(client, headers, video).get_json()["job_id"]
    assert started.wait(30), "the analysis never started"
    return app, client, headers, job_id


def idle_app(
    factory: Callable[..., Flask], **overrides: Any
) -> tuple[Flask, FlaskClient, dict[str, str]]:
    """An app whose runner is not started (uploads stay queued), its client and a user."""
    app = factory(executor="thread", start_background=False, **overrides)
    client = app.test_client()
    return app, client, AuthActions(client).register()
