"""The web application: create_app() wires config, parts, blueprints, handlers and runner."""

from __future__ import annotations

from flask import Flask

from backend.api import register_blueprints
from backend.api.bodies import register_body_limits
from backend.api.caching import register_caching
from backend.api.cors import register_cors
from backend.api.errors import register_error_handlers
from backend.api.limits import init_limits
from backend.api.security import NoCookieSessions
from backend.assembly import assemble, start_background
from backend.cli import jobs_cli
from backend.config import Config
from backend.observability.logs import configure_logging
from backend.observability.requests import init_request_logging


def create_app(config: Config | None = None) -> Flask:
    """Wire config -> extensions -> blueprints -> error handlers -> runner."""
    config = config or Config.from_env()
    app = Flask(__name__)
    app.config.update(SECRET_KEY=config.secret_key, TESTING=config.testing)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # Bearer tokens, no cookies: Flask's signed cookie session was opened on every request.
    app.session_interface = NoCookieSessions()
    configure_logging(config.log_format)

    app.extensions["clipscope"] = services = assemble(config)

    init_request_logging(app)  # first, so even a rate-limited request gets its id and line
    init_limits(app, config)
    register_blueprints(app)
    register_cors(app)
    register_caching(app)
    register_body_limits(app)
    register_error_handlers(app)
    app.cli.add_command(jobs_cli)

    if config.start_background:
        start_background(services)
    return app
