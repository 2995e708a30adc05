"""A job document with its ETag, or 304 when the client already holds that version."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Response, request


def etag_of(body: bytes) -> str:
    # Of the bytes sent, so any change a client could see changes it; 96 bits are plenty.
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def document_answer(doc: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    """200 with the document and its ETag; 304 (no body) if If-None-Match names that ETag."""
    body = json.dumps(doc, separators=(",", ":")).encode()
    etag = etag_of(body)
    answer_headers = {"ETag": etag, **(headers or {})}
    if _matches(request.headers.get("If-None-Match"), etag):
        return Response(status=304, headers=answer_headers)
    return Response(body, 200, answer_headers, mimetype="application/json")


def _matches(if_none_match: str | None, etag: str) -> bool:
    # RFC 9110 13.1.2: weak comparison, a list of tags or "*".
    if not if_none_match:
        return False
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False
