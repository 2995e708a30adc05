"""GET /metrics, for a bearer token or this machine only; observability/exposition.py renders."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue

from backend.api.openapi import operation
from backend.errors import ApiError, NotFound
from backend.observability.exposition import render
from backend.services import services

bp = Blueprint("metrics", __name__)


def _allowed() -> None:
    expected = services().config.metrics_token
    if expected:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), expected):
            return
        raise ApiError(
            "Metrics need 'Authorization: Bearer <CLIPSCOPE_METRICS_TOKEN>'.",
            code="unauthorized",
            status=401,
        )
    try:
        local = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        local = False
    if not local:
        # Without a token the metrics exist only for this machine; to others they are not here.
        raise NotFound("There is nothing at this address.")


@bp.get("/metrics")
@operation(
    "Prometheus metrics (bearer CLIPSCOPE_METRICS_TOKEN, or from localhost when unset)",
    responses={200: "text/plain"},
)
def metrics_view() -> ResponseReturnValue:
    _allowed()
    from prometheus_client import CONTENT_TYPE_LATEST

    return Response(render(services().db), mimetype=None, content_type=CONTENT_TYPE_LATEST)
