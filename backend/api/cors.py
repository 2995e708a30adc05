"""CORS for the web build of the app: bearer tokens, no cookies, so any origin may call."""

from __future__ import annotations

from flask import Flask, Response, request

ALLOWED_HEADERS = (
    "Authorization, Content-Type, Idempotency-Key, X-Filename, Prefer, If-None-Match, "
    "Tus-Resumable, Upload-Length, Upload-Offset, Upload-Metadata, Upload-Checksum"
)
EXPOSED_HEADERS = (
    "Location, Retry-After, Preference-Applied, ETag, Tus-Resumable, Tus-Version, Tus-Extension, "
    "Tus-Max-Size, Tus-Checksum-Algorithm, Upload-Offset, Upload-Length, Upload-Metadata, "
    "Upload-Expires, Clipscope-Job-Id"
)


def _add_headers(response: Response) -> Response:
    if request.headers.get("Origin"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = (
                "GET, HEAD, POST, PATCH, DELETE, OPTIONS"
            )
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"
    return response


def register_cors(app: Flask) -> None:
    app.after_request(_add_headers)
