"""Accepting an upload: idempotency, streaming to disk, dedup, the job row — or nothing at all."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from sqlalchemy.orm import Session

from backend.errors import FileTooLarge, ValidationFailed
from backend.jobs.create import StoredVideo, create_job
from backend.jobs.dedup import find_duplicate
from backend.jobs.documents import job_document
from backend.jobs.quota import check_queue_room
from backend.notify.tokens import register_token
from backend.observability import metrics
from backend.uploads import idempotency
from backend.uploads.holder import new_holder
from backend.uploads.intake import UploadParts
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


# Writes the video into the job directory it is given; `alive()` is to be called as bytes come.
Producer = Callable[[Path, Callable[[], None]], ReceivedVideo]
# Runs in the transaction that creates (or finds) the job, with the answer.
OnStored = Callable[[Session, Accepted], None]


def accept_upload(svc: UploadParts, user_id: int, upload: UploadRequest) -> Accepted:
    """Store the video and queue its job; on any refusal, leave no file and no row."""
    limit = svc.config.max_upload_bytes
    if (upload.content_length or 0) > limit + ENVELOPE_BYTES:
        raise FileTooLarge(f"The video is larger than the limit of {limit // 2**20} MB.")

    def produce(directory: Path, alive: Callable[[], None]) -> ReceivedVideo:
        stream = cast(IO[bytes], _Renewing(upload.stream, alive))
        body = BodyReader(
            stream, upload.content_length, limit + ENVELOPE_BYTES, svc.config.body_idle_timeout_s
        )
        return receive(body, upload.content_type, upload.filename, directory, limit)

    return accept_video(svc, user_id, upload.idempotency_key, produce, batch_id=upload.batch_id)


def accept_video(
    svc: UploadParts,
    user_id: int,
    idempotency_key: str | None,
    produce: Producer,
    on_stored: OnStored | None = None,
    batch_id: str | None = None,
) -> Accepted:
    """The one way a received video becomes a job (one-shot and resumable uploads alike)."""
    key = idempotency.check_key(idempotency_key) if idempotency_key else None
    holder = new_holder() if key else ""  # reads /proc: only when a key is reserved
    lease_s = svc.config.body_idle_timeout_s
    earlier = idempotency.begin(svc.db, user_id, key, holder, lease_s) if key else None
    alive = _lease_keeper(svc, user_id, key, holder) if key and earlier is None else _nothing
    job_id = str(uuid.uuid4())
    try:
        video = produce(svc.storage.job_dir(user_id, job_id), alive)
        if earlier is not None:
            svc.storage.remove_job(user_id, job_id)
            if error := idempotency.reused(earlier, video.sha256):
                raise error
            return Accepted(earlier.status, earlier.body, replayed=True)
        accepted = _store(svc, user_id, job_id, video, key, holder, on_stored, batch_id)
        metrics.observe_upload(video.size, "batch" if batch_id else "upload")
    except BaseException:
        svc.storage.remove_job(user_id, job_id)
        if key and earlier is None:
            idempotency.release(svc.db, user_id, key, holder)
        raise
    if accepted.status == 202:
        svc.runner.submit(job_id)
    return accepted


def _store(
    svc: UploadParts,
    user_id: int,
    job_id: str,
    video: ReceivedVideo,
    key: str | None,
    holder: str,
    on_stored: OnStored | None,
    batch_id: str | None,
) -> Accepted:
    """Create the job, or find the same video's job; remember the answer for the key."""
    with svc.db.session() as session:
        duplicate = find_duplicate(session, user_id, video.sha256)
        if duplicate is not None:
            accepted = Accepted(200, accepted_body(job_document(duplicate, with_result=True), True))
        else:
            check_queue_room(session, user_id, svc.config.user_max_queued)
            job = create_job(session, job_id, user_id, stored_video(video), batch_id)
            accepted = Accepted(202, accepted_body(job_document(job, with_result=True)))
        if key:
            idempotency.complete(
                session, user_id, key, video.sha256, accepted.status, accepted.body, holder
            )
        _register_push_token(session, user_id, video.fields)
        if on_stored is not None:
            on_stored(session, accepted)
    if duplicate is not None:
        svc.storage.remove_job(user_id, job_id)
    return accepted


def _nothing() -> None:
    return None


def _lease_keeper(svc: UploadParts, user_id: int, key: str, holder: str) -> Callable[[], None]:
    """Renews the key's lease at most every third of it, as long as bytes keep coming."""
    lease_s = svc.config.body_idle_timeout_s
    renewed = time.monotonic()

    def alive() -> None:
        nonlocal renewed
        now = time.monotonic()
        if now - renewed >= lease_s / 3:
            renewed = now
            idempotency.renew(svc.db, user_id, key, holder, lease_s)

    return alive


class _Renewing:
    """The request body, telling the reservation it is alive each time a read returns."""

    def __init__(self, stream: IO[bytes], alive: Callable[[], None]) -> None:
        self.stream = stream
        self.alive = alive

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.alive()
        return data


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
