"""Accepting an upload: idempotency, the video into its job's directory, dedup, the job row.

On any refusal it leaves nothing: no file, no row, no reserved key.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from sqlalchemy.orm import Session

from backend.errors import FileTooLarge, ValidationFailed
from backend.jobs.create import StoredVideo, create_job
from backend.jobs.dedup import find_duplicate
from backend.jobs.documents import job_document
from backend.jobs.quota import check_queue_room
from backend.notify.tokens import register_token
from backend.observability import metrics
from backend.uploads import idempotency, on_disk
from backend.uploads.accepted import Accepted, from_record, to_record
from backend.uploads.accepted import accepted_body as accepted_body  # where by_url.py finds it
from backend.uploads.holder import new_holder
from backend.uploads.intake import UploadParts
from backend.uploads.on_disk import VideoOnDisk
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
class Stored:
    """An accepted video, inside the transaction that made (or found) its job."""

    session: Session
    accepted: Accepted


def accept_upload(svc: UploadParts, user_id: int, upload: UploadRequest) -> Accepted:
    """Store the video and queue its job; on any refusal, leave no file and no row."""
    limit = svc.config.max_upload_bytes
    if (upload.content_length or 0) > limit + ENVELOPE_BYTES:
        raise FileTooLarge(f"The video is larger than the limit of {limit // 2**20} MB.")
    with accepting(svc, user_id, upload.idempotency_key, upload, upload.batch_id) as stored:
        return stored.accepted


@contextmanager
def accepting(
    svc: UploadParts,
    user_id: int,
    idempotency_key: str | None,
    source: UploadRequest | VideoOnDisk,
    batch_id: str | None = None,
) -> Iterator[Stored]:
    """The one way a video becomes a job (one-shot and resumable uploads alike).

    The caller's block runs in the job's transaction: what it writes stands or falls with the job.
    """
    key = idempotency.check_key(idempotency_key) if idempotency_key else None
    holder = new_holder() if key else ""  # reads /proc: only when a key is reserved
    lease_s = svc.config.body_idle_timeout_s
    earlier = idempotency.begin(svc.db, user_id, key, holder, lease_s) if key else None
    alive = _lease_keeper(svc, user_id, key, holder) if key and earlier is None else _nothing
    job_id = str(uuid.uuid4())
    try:
        video = _place(svc, source, svc.storage.job_dir(user_id, job_id), alive)
        if earlier is not None:
            svc.storage.remove_job(user_id, job_id)
            if error := idempotency.reused(earlier, video.sha256):
                raise error
            # The caller may still record the earlier answer (a tus upload does); a one-shot
            # retry writes nothing, and an unused session never touches the database.
            with svc.db.session() as session:
                yield Stored(session, from_record(earlier.body))
            return
        with svc.db.session() as session:
            accepted = _store(svc, session, user_id, job_id, video, key, holder, batch_id)
            yield Stored(session, accepted)
        if accepted.deduplicated:
            svc.storage.remove_job(user_id, job_id)
        metrics.observe_upload(video.size, "batch" if batch_id else "upload")
    except BaseException:
        svc.storage.remove_job(user_id, job_id)
        if key and earlier is None:
            idempotency.release(svc.db, user_id, key, holder)
        raise
    if accepted.queued:
        svc.runner.submit(job_id)


def _place(
    svc: UploadParts,
    source: UploadRequest | VideoOnDisk,
    directory: Path,
    alive: Callable[[], None],
) -> ReceivedVideo:
    """The video in the job's directory: received from the request, or linked from disk."""
    limit = svc.config.max_upload_bytes
    if isinstance(source, VideoOnDisk):
        return on_disk.place(source, directory, limit)
    stream = cast(IO[bytes], _Renewing(source.stream, alive))
    body = BodyReader(
        stream, source.content_length, limit + ENVELOPE_BYTES, svc.config.body_idle_timeout_s
    )
    return receive(body, source.content_type, source.filename, directory, limit)


def _store(
    svc: UploadParts,
    session: Session,
    user_id: int,
    job_id: str,
    video: ReceivedVideo,
    key: str | None,
    holder: str,
    batch_id: str | None,
) -> Accepted:
    """Create the job, or find the same video's job; remember the answer for the key."""
    duplicate = find_duplicate(session, user_id, video.sha256)
    if duplicate is not None:
        document = job_document(duplicate, with_result=True)
        accepted = Accepted(duplicate.id, document, deduplicated=True)
    else:
        check_queue_room(session, user_id, svc.config.user_max_queued)
        job = create_job(session, job_id, user_id, stored_video(video), batch_id)
        accepted = Accepted(job.id, job_document(job, with_result=True))
    if key:
        status, body = to_record(accepted)
        idempotency.complete(session, user_id, key, video.sha256, status, body, holder)
    _register_push_token(session, user_id, video.fields)
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


def stored_video(video: ReceivedVideo) -> StoredVideo:
    return StoredVideo(
        filename=video.filename,
        content_type=video.container.content_type,
        size_bytes=video.size,
        sha256=video.sha256,
        source_name=video.path.name,
    )
