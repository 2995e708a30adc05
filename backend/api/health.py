"""GET /api/health: liveness, database, workers and queue depth."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from backend.api.openapi import operation
from backend.api.schemas import Health
from backend.services import services

bp = Blueprint("health", __name__, url_prefix="/api")


@bp.get("/health")
@operation("Liveness, database, workers and queue depth", responses={200: Health, 503: Health})
def health() -> ResponseReturnValue:
    svc = services()
    try:
        with svc.db.session() as session:
            session.execute(text("SELECT 1"))
        depth: int | None = svc.store.queue_depth()
        database = True
    except Exception:
        depth, database = None, False
    runner = svc.runner.health()  # celery mode: the broker and the live workers
    # The broker counts against health only when known down: a process's probes before its
    # first ask has answered (its first half second) say `broker: null`, not 503.
    healthy = database and runner.get("broker") is not False
    body = {
        "status": "ok" if healthy else "degraded",
        "database": database,
        "executor": svc.config.executor,
        "workers": svc.runner.workers,
        "busy_workers": svc.runner.busy,
        "queue_depth": depth,
        **runner,
    }
    return body, 200 if healthy else 503
