"""The OpenAPI 3.1 document, built from the schemas the views declare and validate with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, current_app, jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel

from backend.api.schemas import ErrorOut

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Operation:
    summary: str
    body: type[BaseModel] | None = None
    body_content_type: str = "application/json"
    query: type[BaseModel] | None = None
    responses: dict[int, type[BaseModel] | str | None] = field(default_factory=dict)


def operation(
    summary: str,
    *,
    body: type[BaseModel] | None = None,
    body_content_type: str = "application/json",
    query: type[BaseModel] | None = None,
    responses: dict[int, type[BaseModel] | str | None] | None = None,
) -> Callable[[F], F]:
    """Attach the operation's schemas to a view; the document is built from them."""

    def mark(view: F) -> F:
        view._operation = Operation(  # type: ignore[attr-defined]
            summary, body, body_content_type, query, responses or {}
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
    if isinstance(value, str):  # a media type such as image/jpeg
        return {"content": {value: {"schema": {"type": "string", "format": "binary"}}}}
    return {"content": {ctype: {"schema": _ref(value, components)}}}


def build_document(app: Flask) -> dict[str, Any]:
    components: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    error_ref = _ref(ErrorOut, components)
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        op: Operation | None = getattr(view, "_operation", None)
        if op is None:
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        for conv in ("int:", "string:", "path:"):
            path = path.replace("{" + conv, "{")
        doc: dict[str, Any] = {"summary": op.summary, "operationId": rule.endpoint}
        params = [
            {"name": arg, "in": "path", "required": True, "schema": {"type": "string"}}
            for arg in sorted(rule.arguments)
        ]
        if op.query is not None:
            # Enums used by a query (a job's status) are components like the bodies' ones: a
            # "#/$defs/..." reference would point nowhere in this document.
            query = op.query.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(query.pop("$defs", {}))
            for name, prop in query.get("properties", {}).items():
                params.append({"name": name, "in": "query", "required": False, "schema": prop})
        if params:
            doc["parameters"] = params
        if op.body is not None:
            doc["requestBody"] = {
                "required": True,
                **_content(op.body, components, op.body_content_type),
            }
        responses: dict[str, Any] = {}
        for status, model in op.responses.items():
            entry = {"description": str(status)}
            entry.update(_content(model, components, "application/json"))
            responses[str(status)] = entry
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
