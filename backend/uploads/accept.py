"""Accepting an upload: idempotency, streaming to disk, dedup, the job row — or nothing at all."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy.orm import Session

from backend.errors import FileTooLarge, ValidationFailed
from backend.jobs.create import StoredVideo, create_job
from backend.jobs.dedup import find_duplicate
from backend.jobs.documents import job_document
from backend.notify.tokens import register_token
from backend.observability import metrics
from backend.services import Services
from backend.uploads import idempotency
from backend.uploads.receive import BodyReader, ReceivedVideo, receive

log = logging.getLogger(__name__)

# Room for the multipart envelope around a video that is exactly at the limit.
ENVELOPE_BYTES = 64 * 1024


@dataclass(frozen=True)
class UploadRequest:
    stream: IO[bytes]
    content_type: str
    content_length: int | None
    filename: str | None
    idempotency_key: str | None
    batch_id: str | None = None  # a part of POST /api/batches


@dataclass(frozen=True)
class Accepted:
    status: int  # 202 a new job, 200 the same video's job
    body: dict[str, Any]
    replayed: bool = False


def accept_upload(svc: Services, user_id: int, upload: UploadRequest) -> Accepted:
    """Store the video and queue its job; on any refusal, leave no file and no row."""
    limit = svc.config.max_upload_bytes
    if (upload.content_length or 0) > limit + ENVELOPE_BYTES:
        raise FileTooLarge(f"The video is larger than the limit of {limit // 2**20} MB.")
    key = idempotency.check_key(upload.idempotency_key) if upload.idempotency_key else None
    earlier = idempotency.begin(svc.db, user_id, key) if key else None
    job_id = str(uuid.uuid4())
    try:
        body = BodyReader(
            upload.stream,
            upload.content_length,
            limit + ENVELOPE_BYTES,
            svc.config.body_idle_timeout_s,
        )
        video = receive(
            body,
            upload.content_type,
            upload.filename,
            svc.storage.job_dir(user_id, job_id),
            limit,
        )
        if earlier is not None:
            svc.storage.remove_job(user_id, job_id)
            if error := idempotency.reused(earlier, video.sha256):
                raise error
            return Accepted(earlier.status, earlier.body, replayed=True)
        accepted = _store(svc, user_id, job_id, video, key, upload.batch_id)
        metrics.observe_upload(video.size, "batch" if upload.batch_id else "upload")
    except BaseException:
        svc.storage.remove_job(user_id, job_id)
        if key and earlier is None:
            idempotency.release(svc.db, user_id, key)
        raise
    if accepted.status == 202:
        svc.runner.submit(job_id)
    return accepted


def _store(
    svc: Services,
    user_id: int,
    job_id: str,
    video: ReceivedVideo,
    key: str | None,
    batch_id: str | None,
) -> Accepted:
    """Create the job, or find the same video's job; remember the answer for the key."""
    with svc.db.session() as session:
        duplicate = find_duplicate(session, user_id, video.sha256)
        if duplicate is not None:
            accepted = Accepted(200, accepted_body(job_document(duplicate, with_result=True), True))
        else:
            job = create_job(session, job_id, user_id, stored_video(video), batch_id)
            accepted = Accepted(202, accepted_body(job_document(job, with_result=True)))
        if key:
            idempotency.complete(
                session, user_id, key, video.sha256, accepted.status, accepted.body
            )
        _register_push_token(session, user_id, video.fields)
    if duplicate is not None:
        svc.storage.remove_job(user_id, job_id)
    return accepted


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


def stored_video(video: ReceivedVideo) -> StoredVideo:
    return StoredVideo(
        filename=video.filename,
        content_type=video.container.content_type,
        size_bytes=video.size,
        sha256=video.sha256,
        source_name=video.path.name,
    )
