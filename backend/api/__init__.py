"""The HTTP API: one blueprint per resource."""

from __future__ import annotations

from flask import Flask

from backend.api import auth, health, jobs, openapi, push_tokens, tus, uploads


def register_blueprints(app: Flask) -> None:
    for module in (auth, uploads, tus, jobs, push_tokens, health, openapi):
        app.register_blueprint(module.bp)
