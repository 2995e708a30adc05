"""POST /api/upload: store a video and queue its analysis."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from backend.api.limits import limiter, upload_limit, user_key
from backend.api.openapi import operation
from backend.api.schemas import UploadAccepted, UploadForm
from backend.api.security import auth_required, current_user_id
from backend.errors import FileTooLarge, ValidationFailed
from backend.jobs.create import create_job
from backend.jobs.dedup import find_duplicate
from backend.jobs.documents import job_document
from backend.jobs.watch import prefer_wait, wait_until_done
from backend.notify.tokens import register_token
from backend.services import Services, services
from backend.uploads import idempotency
from backend.uploads.receive import ReceivedVideo, receive

log = logging.getLogger(__name__)
bp = Blueprint("uploads", __name__, url_prefix="/api")

# Room for the multipart envelope around a video that is exactly at the limit.
ENVELOPE_BYTES = 64 * 1024


@bp.post("/upload")
@operation(
    "Upload a video and queue its analysis (`Prefer: wait=N` waits for the result)",
    body=UploadForm,
    body_content_type="multipart/form-data",
    responses={202: UploadAccepted, 200: UploadAccepted},
)
@auth_required
@limiter.limit(upload_limit, key_func=user_key)
def upload() -> ResponseReturnValue:
    svc, user_id = services(), current_user_id()
    limit = svc.config.max_upload_bytes
    if (request.content_length or 0) > limit + ENVELOPE_BYTES:
        raise FileTooLarge(f"The video is larger than the limit of {limit // 2**20} MB.")
    key = request.headers.get("Idempotency-Key")
    key = idempotency.check_key(key) if key is not None else None
    earlier = idempotency.begin(svc.db, user_id, key) if key else None
    job_id = str(uuid.uuid4())
    try:
        video = receive(
            request.stream,
            request.content_type or "",
            request.headers.get("X-Filename"),
            svc.storage.job_dir(user_id, job_id),
            limit,
        )
        if earlier is not None:
            svc.storage.remove_job(user_id, job_id)
            if error := idempotency.reused(earlier, video.sha256):
                raise error
            return earlier.body, earlier.status, {"Idempotent-Replayed": "true"}
        status, body = _store(svc, user_id, job_id, video, key)
    except BaseException:
        svc.storage.remove_job(user_id, job_id)
        if key and earlier is None:
            idempotency.release(svc.db, user_id, key)
        raise
    job_id = body["job_id"]
    if status == 202:
        svc.runner.submit(job_id)
        wait = prefer_wait(request.headers.get("Prefer"))
        if wait is not None:
            doc = wait_until_done(svc.store, job_id, user_id, wait)
            if doc["status"] == "completed":
                status, body = 200, accepted_body(doc, body["deduplicated"])
    headers = {"Location": f"/api/jobs/{job_id}", "Retry-After": "2"}
    return body, status, headers


def _store(
    svc: Services, user_id: int, job_id: str, video: ReceivedVideo, key: str | None
) -> tuple[int, dict[str, Any]]:
    """Create the job, or find the same video's job; remember the answer for the key."""
    with svc.db.session() as session:
        duplicate = find_duplicate(session, user_id, video.sha256)
        if duplicate is not None:
            status, body = 200, accepted_body(job_document(duplicate, with_result=True), True)
        else:
            job = create_job(session, job_id, user_id, video)
            status, body = 202, accepted_body(job_document(job, with_result=True))
        if key:
            idempotency.complete(session, user_id, key, video.sha256, status, body)
        _register_push_token(session, user_id, video.fields)
    if duplicate is not None:
        svc.storage.remove_job(user_id, job_id)
    return status, body


def _register_push_token(session: Session, user_id: int, fields: dict[str, str]) -> None:
    """The form's optional push_token; a bad one is logged, never a reason to lose the video."""
    if not fields.get("push_token"):
        return
    try:
        register_token(session, user_id, fields["push_token"], fields.get("platform") or None)
    except ValidationFailed as error:
        log.warning("upload by user %s: push token ignored: %s", user_id, error.message)


def accepted_body(job: dict[str, Any], deduplicated: bool = False) -> dict[str, Any]:
    return {
        "job_id": job["id"],
        "status": job["status"],
        "status_url": f"/api/jobs/{job['id']}",
        "result_url": f"/api/results/job/{job['id']}",
        "deduplicated": deduplicated,
        "job": job,
    }
