"""tus requests for the in-process tests, spelled as a tus client sends them."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from flask.testing import FlaskClient

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def create(
    client: FlaskClient,
    headers: dict[str, str],
    length: int,
    body: bytes | None = None,
    **extra: str,
) -> Any:
    sent = {**headers, **TUS, "Upload-Length": str(length), **extra}
    sent.setdefault("Upload-Metadata", metadata(filename="clip.mp4", filetype="video/mp4"))
    if body is None:
        return client.post("/api/uploads", headers=sent)
    return client.post("/api/uploads", headers=sent, data=body, content_type=OCTETS)


def patch(
    client: FlaskClient, url: str, headers: dict[str, str], offset: int, data: bytes, **extra: str
) -> Any:
    sent = {**headers, **TUS, "Upload-Offset": str(offset), **extra}
    return client.patch(url, headers=sent, data=data, content_type=OCTETS)


def head(client: FlaskClient, url: str, headers: dict[str, str]) -> Any:
    return client.head(url, headers={**headers, **TUS})


def checksum(algorithm: str, data: bytes) -> str:
    return f"{algorithm} {base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"
