"""Request validation with the schemas, with errors a person can read."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from backend.errors import BadRequest, ValidationFailed

M = TypeVar("M", bound=BaseModel)


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "body"
        parts.append(f"{where}: {item['msg']}")
    return "Some fields are not valid: " + "; ".join(parts) + "."


def parse(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(_describe(error)) from None


def json_body(model: type[M]) -> M:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("Send a JSON object as the request body.")
    return parse(model, data)


def query_args(model: type[M]) -> M:
    return parse(model, request.args.to_dict())
