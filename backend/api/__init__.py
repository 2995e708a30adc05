"""The HTTP API: one blueprint per resource."""

from __future__ import annotations

from flask import Flask

from backend.api import (
    auth,
    batches,
    health,
    jobs,
    jobs_by_url,
    openapi,
    push_tokens,
    tus,
    uploads,
)


def register_blueprints(app: Flask) -> None:
    for module in (auth, uploads, tus, jobs, jobs_by_url, batches, push_tokens, health, openapi):
        app.register_blueprint(module.bp)
