"""One error shape for every layer: our own errors, Werkzeug's, and crashes."""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, g, has_request_context, jsonify
from werkzeug.exceptions import HTTPException

from backend.error_body import error_body
from backend.errors import ApiError
from backend.transient import is_transient

log = logging.getLogger(__name__)

# A database restart or failover takes seconds; clients come back after this.
RETRY_AFTER_S = 5

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "file_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}

_MESSAGES = {
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    413: "The upload is larger than the server accepts.",
    429: "Too many requests; wait a little and try again.",
}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    response = jsonify(error_body(code, message))
    if has_request_context():
        g.error_code = code  # for the request's log line and the refusal metrics
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _snake(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "error"


def handle_api_error(error: ApiError) -> Response:
    return error_response(error.status, error.code, error.message, error.headers)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    code = _CODES.get(status, _snake(error.name))
    message = _MESSAGES.get(status) or (error.description or error.name)
    response = error_response(status, code, message)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    if status == 429:
        retry_after = getattr(error, "retry_after", None)
        response.headers["Retry-After"] = str(retry_after or 60)
    return response


def handle_unexpected(error: Exception) -> Response:
    if is_transient(error):
        log.warning("database unavailable: %s", error)
        return error_response(
            503,
            "service_unavailable",
            "The service is briefly unavailable; try again in a few seconds.",
            {"Retry-After": str(RETRY_AFTER_S)},
        )
    # The trace goes to the log, never to the client.
    log.exception("Unhandled error", exc_info=error)
    return error_response(500, "internal_error", "Something went wrong on our side.")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
