"""Fixtures for push tests: a local Expo service in a thread and an app pointed at it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from backend.jobs.outcome import Outcome
from backend.models import Job, OutboxStatus, PushOutbox, PushToken
from backend.models.status import JobErrorCode
from backend.notify.sender import PushSender
from backend.notify.tokens import register_token
from backend.services import Services
from localexpo import LocalExpo
from tests.conftest import AppFactory

OWNER = "test-runner"
# Short enough that a test with two or three retries stays well under a second.
FAST_RETRIES: dict[str, Any] = {"base_delay_s": 0.05, "max_delay_s": 0.2, "sweep_interval_s": 5}


def expo_token(n: int | str) -> str:
    return f"ExponentPushToken[device-{n}]"


@pytest.fixture
def expo() -> Iterator[LocalExpo]:
    with LocalExpo() as service:
        yield service


@dataclass
class PushWorld:
    """An app with its push sender stopped (tests drive it), and shortcuts for job ends."""

    app: Flask
    expo: LocalExpo

    @property
    def svc(self) -> Services:
        found: Services = self.app.extensions["clipscope"]
        return found

    @property
    def sender(self) -> PushSender:
        sender: PushSender = self.svc.push
        return sender

    @property
    def client(self) -> FlaskClient:
        return self.app.test_client()

    def user(self) -> tuple[int, dict[str, str]]:
        email = f"{uuid.uuid4().hex[:10]}@example.com"
        answer = self.client.post(
            "/api/auth/register", json={"email": email, "password": "correct horse"}
        )
        assert answer.status_code == 201, answer.get_json()
        body = answer.get_json()
        return int(body["user"]["id"]), {"Authorization": f"Bearer {body['token']}"}

    def add_token(self, user_id: int, token: str, platform: str | None = "ios") -> None:
        with self.svc.db.session() as session:
            register_token(session, user_id, token, platform)

    def new_job(self, user_id: int, filename: str = "beach.mov") -> str:
        job_id = str(uuid.uuid4())
        with self.svc.db.session() as session:
            session.add(
                Job(
                    id=job_id,
                    user_id=user_id,
                    filename=filename,
                    content_type="video/quicktime",
                    size_bytes=1,
                    sha256=uuid.uuid4().hex * 2,
                    source_name="source.mov",
                )
            )
        return job_id

    def end_job(
        self, user_id: int, outcome: Outcome | None = None, filename: str = "beach.mov"
    ) -> str:
        """A job that ran and ended through JobStore.finish, as the runner ends one."""
        job_id = self.new_job(user_id, filename)
        assert self.svc.store.claim(job_id, OWNER)
        assert self.svc.store.finish(job_id, OWNER, outcome or completed(scenes=4, seconds=42))
        return job_id

    def rows(self, job_id: str | None = None) -> list[PushOutbox]:
        with self.svc.db.session() as session:
            query = select(PushOutbox).order_by(PushOutbox.id)
            if job_id is not None:
                query = query.where(PushOutbox.job_id == job_id)
            return list(session.scalars(query).all())

    def statuses(self) -> list[OutboxStatus]:
        return [row.status for row in self.rows()]

    def token(self, token: str) -> PushToken:
        with self.svc.db.session() as session:
            found = session.scalars(select(PushToken).where(PushToken.token == token)).one()
            return found


def completed(scenes: int, seconds: float) -> Outcome:
    return Outcome.completed(
        {"scenes": [{"index": i} for i in range(scenes)], "video": {"duration_s": seconds}}
    )


def failed(message: str = "The file is not a video we can read.") -> Outcome:
    return Outcome.failed(JobErrorCode.INVALID_VIDEO, message)


@pytest.fixture
def world(make_app: AppFactory, expo: LocalExpo) -> PushWorld:
    app = make_app(expo_push_url=expo.url, start_background=False)
    return PushWorld(app, expo)
