"""Rate limits and a full disk: refusals in the error shape that lose nothing."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import backend.uploads.writer as writer_module
from backend.models import Job
from tests.conftest import AppFactory
from tests.helpers import AuthActions, distinct_videos, files_under, services_of, upload_file


def test_login_is_rate_limited_per_address(make_app: AppFactory) -> None:
    app = make_app(rate_limits_enabled=True, auth_rate_limit="3/minute")
    client = app.test_client()
    creds = {"email": "r@example.com", "password": "a long password"}
    assert client.post("/api/auth/register", json=creds).status_code == 201
    answers = [client.post("/api/auth/login", json=creds) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    error = answers[-1].get_json()["error"]
    assert error["code"] == "rate_limited" and error["message"]
    assert int(answers[-1].headers["Retry-After"]) > 0


def test_uploads_are_rate_limited_per_user(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app(rate_limits_enabled=True, upload_rate_limit="2/minute")
    client = app.test_client()
    auth = AuthActions(client)
    first, second = auth.register(), auth.register()
    videos = distinct_videos(tmp_path, 4, seconds=0.5)
    codes = [upload_file(client, first, video).status_code for video in videos[:3]]
    assert codes == [202, 202, 429]
    # Another account on the same address has its own allowance.
    assert upload_file(client, second, videos[3]).status_code == 202


class _FullDisk:
    """A file whose disk fills up after a few bytes."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.written = 0

    def write(self, data: bytes) -> int:
        self.written += len(data)
        if self.written > 10_000:
            raise OSError(errno.ENOSPC, "No space left on device")
        return int(self.real.write(data))

    def close(self) -> None:
        self.real.close()


class _FullAtClose(_FullDisk):
    """Writes are buffered; the disk turns out to be full when the file is closed."""

    def write(self, data: bytes) -> int:
        return int(self.real.write(data))

    def close(self) -> None:
        self.real.close()
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("disk", [_FullDisk, _FullAtClose], ids=["while writing", "at close"])
def test_disk_full_is_507_and_removes_the_partial_file(
    make_app: AppFactory,
    small_video: Path,
    monkeypatch: pytest.MonkeyPatch,
    disk: type[_FullDisk],
) -> None:
    app = make_app()
    client = app.test_client()
    headers = AuthActions(client).register()
    real_open = open
    monkeypatch.setattr(
        writer_module, "open", lambda *a, **k: disk(real_open(*a, **k)), raising=False
    )
    response = upload_file(client, headers, small_video)
    assert response.status_code == 507
    assert response.get_json()["error"]["code"] == "insufficient_storage"
    assert files_under(services_of(app).config.upload_dir) == []
    with services_of(app).db.session() as session:
        assert session.scalars(select(Job)).all() == []
