"""POST /api/upload: store a video and queue its analysis."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from backend.api.accepted import accepted_answer
from backend.api.bodies import streams_body
from backend.api.limits import limiter, upload_limit, user_key
from backend.api.live import prefer_wait
from backend.api.openapi import UPLOAD_REFUSALS, operation
from backend.api.schemas import UploadAccepted, UploadForm
from backend.api.security import auth_required, current_user_id
from backend.jobs.quota import check_queue_room
from backend.jobs.watch import wait_until_done, waiting_slot
from backend.services import services
from backend.uploads.accept import UploadRequest, accept_upload

bp = Blueprint("uploads", __name__, url_prefix="/api")


@bp.post("/upload")
@streams_body
@operation(
    "Upload a video and queue its analysis (`Prefer: wait=N` waits for the result)",
    body=UploadForm,
    body_content_type="multipart/form-data",
    responses={202: UploadAccepted, 200: UploadAccepted},
    refusals=UPLOAD_REFUSALS,
)
@auth_required
@limiter.limit(upload_limit, key_func=user_key)
def upload() -> ResponseReturnValue:
    svc, user_id = services(), current_user_id()
    with svc.db.session() as session:  # before the body: a refused video is not received
        check_queue_room(session, user_id, svc.config.user_max_queued)
    upload = UploadRequest(
        stream=request.stream,
        content_type=request.content_type or "",
        content_length=request.content_length,
        filename=request.headers.get("X-Filename"),
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    accepted = accept_upload(svc, user_id, upload)
    status: int | None = None
    wait = prefer_wait(request.headers.get("Prefer"))
    if wait is not None and not accepted.replayed and accepted.job["status"] != "completed":
        with waiting_slot(svc.store) as free:
            job = wait_until_done(svc.store, accepted.job_id, user_id, wait if free else 0)
        if job["status"] == "completed":
            accepted, status = replace(accepted, job=job), 200
    body, status, headers = accepted_answer(accepted, status)
    if accepted.replayed:
        headers["Idempotent-Replayed"] = "true"
    return body, status, headers
