"""Per request: an X-Request-ID (honoured or made), one log line, and the HTTP metrics."""

from __future__ import annotations

import functools
import logging
import os
import re
import time

from flask import Flask, Response, g, request

from backend.observability import metrics
from backend.observability.logs import event, request_id_var, user_id_var

log = logging.getLogger("clipscope.request")

# A client's id is kept only if it is short and plain, so it cannot forge log lines or fields.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

# Label values are bounded: a method or a path the service does not know is "other", so a
# client inventing methods or paths cannot add series to /metrics.
UNMATCHED = "other"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Their 4xx/5xx answers count as refused uploads, by error code (a batch counts per part).
_CONVERTER = re.compile(r"<[^<>:]+:([^<>]+)>")
UPLOAD_ENDPOINTS = {"uploads.upload", "jobs_by_url.create_from_url"}


def request_id_from(header: str | None) -> str:
    if header and _VALID_ID.match(header):
        return header
    return os.urandom(16).hex()  # as unique as a uuid4, at a third of its cost


def route_of_request() -> str:
    # The URL rule, never the path: paths carry ids and push tokens, and unmatched ones are
    # unbounded (a label per scanner's guess would blow up the metrics).
    if request.url_rule is None:
        return UNMATCHED
    return _route_label(request.url_rule.rule)


@functools.cache
def _route_label(rule: str) -> str:
    # Without converter names (`<job_id:job_id>` -> `<job_id>`): how a route matches its
    # arguments is not part of its name, and dashboards keep their labels when it changes.
    return _CONVERTER.sub(r"<\1>", rule)


def _start() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id_from(request.headers.get("X-Request-ID"))
    # Gunicorn reuses threads: both are set afresh here and reset at teardown.
    g.context_tokens = (request_id_var.set(g.request_id), user_id_var.set(None))


def _finish(response: Response) -> Response:
    started = g.pop("request_started", None)
    if started is None:
        return response
    seconds = time.perf_counter() - started
    route, status = route_of_request(), response.status_code
    user_id = g.get("user_id")
    response.headers["X-Request-ID"] = g.request_id
    method = request.method if request.method in KNOWN_METHODS else UNMATCHED
    metrics.observe_request(method, route, status, seconds)
    if status >= 400 and request.endpoint in UPLOAD_ENDPOINTS:
        metrics.observe_upload_refusal(g.get("error_code") or str(status))
    event(
        log,
        f"{request.method} {route} {status} {seconds * 1000:.1f}ms",
        event="request",
        method=request.method,
        route=route,
        status=status,
        ms=round(seconds * 1000, 2),
        request_id=g.request_id,
        user_id=user_id,
        error_code=g.get("error_code"),
    )
    return response


def _teardown(_error: BaseException | None) -> None:
    tokens = g.pop("context_tokens", None)
    if tokens is not None:
        request_id_var.reset(tokens[0])
        user_id_var.reset(tokens[1])


def init_request_logging(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_teardown)


def remember_user(user_id: int) -> None:
    """Called once the bearer token is checked: later lines of this request carry the user."""
    user_id_var.set(user_id)
