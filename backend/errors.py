"""Typed errors: every refusal the service makes, with its status and code."""

from __future__ import annotations


class ApiError(Exception):
    """An error a client sees as {"error": {"code", "message"}} with `status`."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.headers = headers or {}


class BadRequest(ApiError):
    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class NotFound(ApiError):
    status, code = 404, "not_found"


class RequestTimeout(ApiError):
    status, code = 408, "request_timeout"


class Conflict(ApiError):
    status, code = 409, "conflict"


class FileTooLarge(ApiError):
    status, code = 413, "file_too_large"


class UnsupportedMediaType(ApiError):
    status, code = 415, "unsupported_media_type"


class ValidationFailed(ApiError):
    status, code = 422, "validation_error"


class InsufficientStorage(ApiError):
    status, code = 507, "insufficient_storage"


def job_not_found() -> NotFound:
    # The same answer for a missing job and another user's job: ids are not probeable.
    return NotFound("No job with that id was found.")


def body_stalled(idle_s: float) -> RequestTimeout:
    return RequestTimeout(
        f"The request body stopped arriving for {idle_s:g} seconds, so the server dropped it; "
        "send it again.",
    )


def body_cut_short() -> BadRequest:
    # Behind gunicorn a client that disconnects mid-body looks like a short or malformed body.
    return BadRequest(
        "The request body ended before all of it arrived (the connection may have dropped); "
        "send it again.",
    )
