"""The OpenAPI 3.1 document, built from the schemas the views declare and validate with."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, current_app, jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel

from backend.api.schemas import ErrorOut, JobOut

F = TypeVar("F", bound=Callable[..., Any])

# A request header the operation reads: its name, whether it must be there, its JSON schema.
Header = tuple[str, bool, dict[str, Any]]
EVENT_STREAM = "text/event-stream"
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_WERKZEUG_STRINGS = {"", "default", "string", "path"}


@dataclass(frozen=True)
class Operation:
    summary: str
    body: type[BaseModel] | str | None = None
    body_content_type: str = "application/json"
    body_required: bool = True
    query: type[BaseModel] | None = None
    headers: tuple[Header, ...] = ()
    responses: dict[int, type[BaseModel] | str | None] = field(default_factory=dict)
    # Refusals a request the schemas accept can still meet (the bytes are not a video, the
    # password is too easy to guess), each with why: answered in the one error shape.
    refusals: dict[int, str] = field(default_factory=dict)


# Refusals several operations share.
UPLOAD_REFUSALS = {
    400: "The file is empty.",
    413: "The upload is larger than the server accepts.",
    415: "The file is not a video the server can read (sniffed from its bytes, not its name).",
    422: "The Idempotency-Key was used before for another upload.",
}
CURSOR_REFUSAL = {422: "The cursor is not one this server handed out (cursors are opaque)."}


def operation(
    summary: str,
    *,
    body: type[BaseModel] | str | None = None,
    body_content_type: str = "application/json",
    body_required: bool = True,
    query: type[BaseModel] | None = None,
    headers: tuple[Header, ...] = (),
    responses: dict[int, type[BaseModel] | str | None] | None = None,
    refusals: dict[int, str] | None = None,
) -> Callable[[F], F]:
    """Attach the operation's schemas to a view; the document is built from them.

    `body` is a model, or a media type whose bytes are the body (tus' offset+octet-stream).
    """

    def mark(view: F) -> F:
        view._operation = Operation(  # type: ignore[attr-defined]
            summary,
            body,
            body_content_type,
            body_required,
            query,
            headers,
            responses or {},
            refusals or {},
        )
        return view

    return mark


def _ref(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _content(
    value: type[BaseModel] | str | None, components: dict[str, Any], ctype: str
) -> dict[str, Any]:
    if value is None:
        return {}
    if value == EVENT_STREAM:  # the schema of each event (OpenAPI 3.1)
        job = _ref(JobOut, components)
        data = {"anyOf": [job, {"type": "object", "maxProperties": 0}]}  # deleted: {}
        event = {
            "type": "object",
            "required": ["event", "data"],
            "properties": {
                "event": {"type": "string", "enum": ["job", "end", "deleted"]},
                "data": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "contentSchema": data,
                },
            },
        }
        return {"content": {value: {"schema": event}}}
    if isinstance(value, str):  # a media type such as image/jpeg
        return {"content": {value: {"schema": {"type": "string", "format": "binary"}}}}
    return {"content": {ctype: {"schema": _ref(value, components)}}}


def _path_schema(app: Flask, converter: str) -> dict[str, Any]:
    """A path argument as its Werkzeug converter takes it (`<int:index>`: digits only)."""
    if converter == "int":
        return {"type": "integer", "minimum": 0}
    if converter in _WERKZEUG_STRINGS:
        return {"type": "string"}
    # One of ours (api/jobs.py's job ids): its own expression, for one path segment.
    return {"type": "string", "pattern": f"^{app.url_map.converters[converter].regex}$"}


def build_document(app: Flask) -> dict[str, Any]:
    components: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    error_ref = _ref(ErrorOut, components)
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        op: Operation | None = getattr(view, "_operation", None)
        if op is None:
            continue
        converters = {arg: conv for conv, arg in _CONVERTER.findall(rule.rule)}
        path = _CONVERTER.sub(r"{\2}", rule.rule)
        doc: dict[str, Any] = {"summary": op.summary, "operationId": rule.endpoint}
        params = [
            {
                "name": arg,
                "in": "path",
                "required": True,
                "schema": _path_schema(app, converters.get(arg, "")),
            }
            for arg in sorted(rule.arguments)
        ]
        if op.query is not None:
            # Enums used by a query (a job's status) are components like the bodies' ones: a
            # "#/$defs/..." reference would point nowhere in this document.
            query = op.query.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(query.pop("$defs", {}))
            required = set(query.get("required", []))
            for name, prop in query.get("properties", {}).items():
                params.append(
                    {"name": name, "in": "query", "required": name in required, "schema": prop}
                )
        for name, required_header, schema in op.headers:
            params.append(
                {"name": name, "in": "header", "required": required_header, "schema": schema}
            )
        if params:
            doc["parameters"] = params
        if op.body is not None:
            doc["requestBody"] = {
                "required": op.body_required,
                **_content(op.body, components, op.body_content_type),
            }
        responses: dict[str, Any] = {}
        for status, model in op.responses.items():
            entry = {"description": str(status)}
            entry.update(_content(model, components, "application/json"))
            responses[str(status)] = entry
        for status, why in op.refusals.items():
            responses[str(status)] = {
                "description": why,
                "content": {"application/json": {"schema": error_ref}},
            }
        responses["default"] = {
            "description": "An error, in the one error shape.",
            "content": {"application/json": {"schema": error_ref}},
        }
        doc["responses"] = responses
        if getattr(view, "_auth_required", False):
            doc["security"] = [{"bearer": []}]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = doc
    return {
        "openapi": "3.1.0",
        "info": {"title": "Clipscope API", "version": "1.0"},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


bp = Blueprint("openapi", __name__)


@bp.get("/api/openapi.json")
def openapi_json() -> ResponseReturnValue:
    # Built on the first request, once the app is whole, and kept: the routes never change
    # while the process runs, and building it took a third of a second of CPU.
    cached: Response | None = current_app.extensions.get("openapi_body")
    if cached is None:
        cached = jsonify(build_document(current_app))
        current_app.extensions["openapi_body"] = cached
    return Response(cached.get_data(), 200, mimetype="application/json")
