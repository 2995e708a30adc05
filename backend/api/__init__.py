"""The HTTP API: one blueprint per resource."""

from __future__ import annotations

from flask import Flask

from backend.api import auth, health, jobs, openapi, uploads


def register_blueprints(app: Flask) -> None:
    for module in (auth, uploads, jobs, health, openapi):
        app.register_blueprint(module.bp)
