"""Request bodies: small JSON bodies are capped and read up front; video bodies stream.

A JSON body is read before the view runs, so a client that stalls or cuts it off gets a 408 or
a 400 here rather than a 500 from deep inside a view. Views that stream a video body are marked
with @streams_body and read it themselves, under the upload limit instead of this cap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from backend.errors import FileTooLarge
from backend.services import services
from backend.uploads.receive import read_failure

# Every JSON document of the API fits in a few hundred bytes; 64 KiB leaves room for growth.
MAX_JSON_BYTES = 64 * 1024

F = TypeVar("F", bound=Callable[..., Any])


def streams_body(view: F) -> F:
    """Mark a view that reads a (large) body itself, as a stream."""
    view.streams_body = True  # type: ignore[attr-defined]
    return view


def _too_large() -> FileTooLarge:
    return FileTooLarge(
        f"The request body is larger than the {MAX_JSON_BYTES // 1024} KiB this address accepts.",
        code="request_too_large",
    )


def _read_small_body() -> None:
    if not request.content_length and "HTTP_TRANSFER_ENCODING" not in request.environ:
        return  # no body (every status poll): nothing to read
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or getattr(view, "streams_body", False):
        return  # no route (404/405), or a view that enforces the upload limit as it streams
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        raise _too_large()
    # A chunked body (no Content-Length) is read one byte past the cap to see that it is over.
    request.max_content_length = MAX_JSON_BYTES + 1
    try:
        if len(request.get_data(cache=True)) > MAX_JSON_BYTES:
            raise _too_large()
    except RequestEntityTooLarge:
        raise _too_large() from None
    except (OSError, ClientDisconnected) as error:
        idle_s = services().config.body_idle_timeout_s
        raise read_failure(error, idle_s) from None


def register_body_limits(app: Flask) -> None:
    app.before_request(_read_small_body)
