"""The HTTP API: one blueprint per resource."""

from __future__ import annotations

from flask import Flask

from backend.api import (
    auth,
    batches,
    health,
    jobs,
    jobs_by_url,
    metrics,
    openapi,
    push_tokens,
    tus,
    uploads,
    video,
)


def register_blueprints(app: Flask) -> None:
    modules = (
        auth,
        uploads,
        tus,
        jobs,
        jobs_by_url,
        video,
        batches,
        push_tokens,
        health,
        openapi,
        metrics,  # at /metrics, outside /api
    )
    for module in modules:
        app.register_blueprint(module.bp)
