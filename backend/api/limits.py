"""Rate limits (Flask-Limiter): sign-ups and logins per address, uploads per user."""

from __future__ import annotations

from flask import Flask, g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from backend.config import Config
from backend.services import services

limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


def auth_limit() -> str:
    return services().config.auth_rate_limit


def upload_limit() -> str:
    return services().config.upload_rate_limit


def user_key() -> str:
    # Runs after auth_required, so uploads count per account, not per (shared) address.
    return f"user:{g.get('user_id') or get_remote_address()}"


def init_limits(app: Flask, config: Config) -> None:
    app.config.update(
        RATELIMIT_ENABLED=config.rate_limits_enabled,
        # Per process by default; with REDIS_URL all processes and machines share the counts.
        RATELIMIT_STORAGE_URI=config.redis_url or "memory://",
        RATELIMIT_SWALLOW_ERRORS=True,
    )
    limiter.init_app(app)
    # Every limit here decorates its view and is checked by that decorator. Flask-Limiter's
    # before_request hook is for default and application-wide limits, which there are none
    # of, yet it looked for them on every request: 10-15 % of a status poll's CPU.
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # not there when limits are off
        hooks.remove(limiter._check_request_limit)
