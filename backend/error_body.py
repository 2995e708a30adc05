"""The one body every refusal carries, whichever layer answers: {"error": {"code", "message"}}.

The Flask app (api/errors.py) and the gunicorn worker (server/refusals.py) both build it here,
so the shape the clients parse is written once.
"""

from __future__ import annotations

from typing import TypedDict


class ErrorDetail(TypedDict):
    code: str  # snake_case, stable: what a client branches on
    message: str  # a sentence for a person


class ErrorBody(TypedDict):
    error: ErrorDetail


def error_body(code: str, message: str) -> ErrorBody:
    return {"error": {"code": code, "message": message}}
