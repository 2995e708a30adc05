"""What caches may keep: per-user answers are private, and the files honour only sane Ranges."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, Response, request, send_file

# One byte range, as RFC 9110 spells it, in ASCII digits ("bytes=0-99", "bytes=100-", "bytes=-5").
_ONE_RANGE = re.compile(r"bytes=(?:([0-9]{1,19})-([0-9]{0,19})|-([0-9]{1,19}))", re.ASCII)
# Answers that hand out a token: no cache anywhere may keep them (RFC 6749 5.1).
# The signed video link is one too: whoever holds it can watch the video without a token.
_TOKEN_ENDPOINTS = frozenset(
    {"auth.register", "auth.login", "auth.change_password", "video.video_link"}
)


def private_file(path: Path, mimetype: str, max_age: int) -> Response:
    """A user's own file (video, thumbnail): Range as RFC 9110 allows, for the user's cache only.

    Werkzeug answers 416 to several ranges and to a malformed one; RFC 9110 lets a server
    ignore both and send the whole file (200), which every client understands.
    """
    if not _one_valid_range(request.headers.get("Range")):
        request.environ.pop("HTTP_RANGE", None)
    response = send_file(path, mimetype=mimetype, conditional=True, max_age=max_age)
    response.cache_control.public = False
    response.cache_control.private = True
    return response


def _one_valid_range(header: str | None) -> bool:
    if header is None:
        return True
    match = _ONE_RANGE.fullmatch(header.strip(" \t"))  # HTTP's whitespace, not Unicode's
    if match is None:
        return False
    first, last = match.group(1), match.group(2)
    return not (first and last and int(last) < int(first))


def _private_answers(response: Response) -> Response:
    """Whatever was answered to a bearer token is that user's: no shared cache may keep it."""
    headers = response.headers
    if request.endpoint in _TOKEN_ENDPOINTS:
        headers["Cache-Control"] = "no-store"
    elif request.headers.get("Authorization"):
        if "Cache-Control" not in headers:
            # Every status poll comes here: the header written out, as werkzeug's cache_control
            # would write it (that parses and rebuilds it, ~15 % of a poll's time in the app).
            headers["Cache-Control"] = "private, no-cache"  # keep it, but ask again each time
        elif response.cache_control.public:
            response.cache_control.public = False
            response.cache_control.private = True
            if response.cache_control.max_age is None:
                response.cache_control.no_cache = True
    else:
        return response
    if "Vary" in headers:
        response.vary.add("Authorization")
    else:
        headers["Vary"] = "Authorization"
    return response


def register_caching(app: Flask) -> None:
    app.after_request(_private_answers)
