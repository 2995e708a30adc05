"""The HTTP API: one blueprint per resource."""

from __future__ import annotations

from flask import Flask

from backend.api import auth, health, jobs, openapi, push_tokens, uploads, video


def register_blueprints(app: Flask) -> None:
    for module in (auth, uploads, jobs, video, push_tokens, health, openapi):
        app.register_blueprint(module.bp)
