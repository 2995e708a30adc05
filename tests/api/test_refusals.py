"""Every refused upload leaves nothing on disk: no file and no folder, whatever the refusal."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from backend.models import Job
from tests.conftest import AppFactory
from tests.helpers import AuthActions, services_of

BOUNDARY = "clipscope-test-boundary"


def entries_under(root: Path) -> list[Path]:
    """Every file and every directory below `root` (an empty folder counts)."""
    return sorted(root.rglob("*")) if root.exists() else []


def _form(*parts: tuple[str, str | None, bytes], close: bool = True) -> bytes:
    """A multipart/form-data body; `close=False` ends it right after the last part."""
    body = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        body += (
            f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        body += data + b"\r\n"
    return body + (f"--{BOUNDARY}--\r\n".encode() if close else b"")


def _cases(video: bytes) -> dict[str, tuple[dict[str, Any], int]]:
    multipart = f"multipart/form-data; boundary={BOUNDARY}"
    text = b"this is not a video at all\n" * 400
    return {
        "empty video part": (
            {"data": _form(("video", "a.mp4", b"")), "content_type": multipart},
            400,
        ),
        "text as a video": (
            {"data": _form(("video", "a.mp4", text)), "content_type": multipart},
            415,
        ),
        "no video field": (
            {"data": _form(("file", "a.mp4", video)), "content_type": multipart},
            400,
        ),
        "raw body not a video": (
            {"data": b"GIF89a" + b"\x00" * 5000, "content_type": "application/octet-stream"},
            415,
        ),
        "unknown content type": ({"data": video, "content_type": "text/plain"}, 415),
        # The whole video arrives, then the form stops: the phone lost its connection.
        "form ends after its video part": (
            {"data": _form(("video", "a.mp4", video), close=False), "content_type": multipart},
            400,
        ),
        "body shorter than its Content-Length": (
            {
                "input_stream": io.BytesIO(video[: len(video) // 2]),
                "environ_overrides": {"CONTENT_LENGTH": str(len(video))},
                "content_type": "application/octet-stream",
            },
            400,
        ),
        "video then a form that never closes": (
            {
                "data": _form(("video", "a.mp4", video), ("note", None, b"x" * 100), close=False),
                "content_type": multipart,
            },
            400,
        ),
    }


CASES = list(_cases(b"").keys())


@pytest.mark.parametrize("case", CASES)
def test_a_refused_upload_leaves_no_file_and_no_folder(
    app: Flask, auth: AuthActions, small_video: Path, case: str
) -> None:
    kwargs, status = _cases(small_video.read_bytes())[case]
    headers = {**auth.register(), **kwargs.pop("headers", {})}
    response = app.test_client().post("/api/upload", headers=headers, **kwargs)
    assert response.status_code == status, response.get_json()
    assert set(response.get_json()) == {"error"}
    root = services_of(app).config.upload_dir
    assert entries_under(root) == [], case
    with services_of(app).db.session() as session:
        assert session.scalars(select(Job)).all() == []


def test_an_upload_over_the_limit_leaves_no_file_and_no_folder(
    make_app: AppFactory, small_video: Path
) -> None:
    app = make_app(max_upload_bytes=small_video.stat().st_size // 2)
    client = app.test_client()
    response = client.post(
        "/api/upload",
        data=small_video.read_bytes(),
        content_type="application/octet-stream",
        headers=AuthActions(client).register(),
    )
    assert response.status_code == 413
    assert entries_under(services_of(app).config.upload_dir) == []
