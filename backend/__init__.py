"""Clipscope: upload a video, get it analysed in the background, poll or get a push."""

from __future__ import annotations

import atexit

from flask import Flask

from backend.api import register_blueprints
from backend.api.bodies import register_body_limits
from backend.api.caching import register_caching
from backend.api.cors import register_cors
from backend.api.errors import register_error_handlers
from backend.api.limits import init_limits
from backend.api.security import NoCookieSessions
from backend.batches.notify import batch_finish_listener
from backend.cli import jobs_cli
from backend.config import Config
from backend.db import Database
from backend.jobs.runners import make_runner
from backend.jobs.store import JobStore
from backend.jobs.sweeper import Sweeper
from backend.notify import init_notify
from backend.observability.exposition import bp as metrics_bp
from backend.observability.logs import configure_logging
from backend.observability.requests import init_request_logging
from backend.services import Services
from backend.storage import Storage
from backend.uploads.by_url import UrlSource, drop_failed_source, fetch_settings


def create_app(config: Config | None = None) -> Flask:
    """Wire config -> extensions -> blueprints -> error handlers -> runner."""
    config = config or Config.from_env()
    app = Flask(__name__)
    app.config.update(SECRET_KEY=config.secret_key, TESTING=config.testing)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # Bearer tokens, no cookies: Flask's signed cookie session was opened on every request.
    app.session_interface = NoCookieSessions()
    configure_logging(config.log_format)

    db = Database(config.database_url)
    store = JobStore(
        db,
        lease_s=config.lease_s,
        max_attempts=config.max_attempts,
        user_max_running=config.user_max_running,
    )
    storage = Storage(config.upload_dir)
    runner = make_runner(config, store, storage)
    app.extensions["clipscope"] = Services(config, db, store, storage, runner)
    init_notify(app.extensions["clipscope"])
    store.finish_listeners.append(batch_finish_listener)
    store.before_analysis.append(UrlSource(store, storage, fetch_settings(config)))
    store.finish_listeners.append(drop_failed_source(storage))

    init_request_logging(app)  # first, so even a rate-limited request gets its id and line
    init_limits(app, config)
    register_blueprints(app)
    app.register_blueprint(metrics_bp)
    register_cors(app)
    register_caching(app)
    register_body_limits(app)
    register_error_handlers(app)
    app.cli.add_command(jobs_cli)

    sweeper = Sweeper(
        store,
        storage,
        ttl_days=config.job_ttl_days,
        keep_source_hours=config.keep_source_hours,
        interval_s=config.sweep_interval_s,
    )
    app.extensions["clipscope"].extras["sweeper"] = sweeper
    if config.start_background:
        runner.start()
        sweeper.start()
        # The server stops us at its first signal (backend/server/worker.py); this is for the
        # other ways a process ends.
        atexit.register(app.extensions["clipscope"].stop)
    return app
