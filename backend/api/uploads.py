"""POST /api/upload: store a video and queue its analysis."""

from __future__ import annotations

import uuid

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from backend.api.openapi import operation
from backend.api.schemas import UploadAccepted, UploadForm
from backend.api.security import auth_required, current_user_id
from backend.errors import FileTooLarge
from backend.jobs.create import create_job
from backend.jobs.documents import job_document
from backend.services import services
from backend.uploads.receive import receive

bp = Blueprint("uploads", __name__, url_prefix="/api")

# Room for the multipart envelope around a video that is exactly at the limit.
ENVELOPE_BYTES = 64 * 1024


@bp.post("/upload")
@operation(
    "Upload a video and queue its analysis",
    body=UploadForm,
    body_content_type="multipart/form-data",
    responses={202: UploadAccepted, 200: UploadAccepted},
)
@auth_required
def upload() -> ResponseReturnValue:
    svc = services()
    limit = svc.config.max_upload_bytes
    if (request.content_length or 0) > limit + ENVELOPE_BYTES:
        raise FileTooLarge(f"The video is larger than the limit of {limit // 2**20} MB.")
    user_id = current_user_id()
    job_id = str(uuid.uuid4())
    directory = svc.storage.job_dir(user_id, job_id)
    try:
        video = receive(
            request.stream,
            request.content_type or "",
            request.headers.get("X-Filename"),
            directory,
            limit,
        )
        with svc.db.session() as session:
            job = create_job(session, job_id, user_id, video)
            body = accepted_body(job_document(job, with_result=True))
    except BaseException:
        svc.storage.remove_job(user_id, job_id)
        raise
    svc.runner.notify()
    headers = {"Location": f"/api/jobs/{job_id}", "Retry-After": "2"}
    return body, 202, headers


def accepted_body(job: dict[str, object], deduplicated: bool = False) -> dict[str, object]:
    return {
        "job_id": job["id"],
        "status": job["status"],
        "status_url": f"/api/jobs/{job['id']}",
        "result_url": f"/api/results/job/{job['id']}",
        "deduplicated": deduplicated,
        "job": job,
    }
