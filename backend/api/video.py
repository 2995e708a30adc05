"""A job's source video, for the app's player: owner-only, with HTTP Range requests."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from backend.api.caching import private_file
from backend.api.openapi import operation
from backend.api.security import auth_required, current_user_id
from backend.jobs.lifecycle import source_expired
from backend.services import services

bp = Blueprint("video", __name__, url_prefix="/api")


@bp.get("/jobs/<job_id>/video")
@operation(
    "The uploaded video while the server keeps it (Range requests answer 206; 410 once removed)",
    responses={200: "video/*", 206: "video/*"},
)
@auth_required
def video(job_id: str) -> ResponseReturnValue:
    svc = services()
    with svc.db.session() as session:
        job = svc.store.get_for_user(session, job_id, current_user_id())
    path = svc.storage.source_path(job.user_id, job.id, job.source_name)
    if job.source_deleted_at is not None or not path.is_file():
        raise source_expired()
    # Werkzeug answers a Range with 206 and Content-Range, If-None-Match with 304.
    return private_file(path, job.content_type, max_age=3600)
