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
    body = {
        "status": "ok" if database else "degraded",
        "database": database,
        "executor": svc.config.executor,
        "workers": svc.runner.workers,
        "busy_workers": svc.runner.busy,
        "queue_depth": depth,
    }
    return body, 200 if database else 503
