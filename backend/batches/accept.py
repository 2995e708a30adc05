"""POST /api/batches: each `video` part goes through the upload's accept path on its own."""

from __future__ import annotations

import uuid
from typing import IO, Any, cast

from sqlalchemy import delete, select, update
from werkzeug.http import parse_options_header

from backend.batches.notify import end_if_done
from backend.errors import (
    ApiError,
    BadRequest,
    FileTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from backend.jobs.quota import check_queue_room
from backend.models import Batch, Job
from backend.observability import metrics
from backend.timeutil import utcnow
from backend.uploads.accept import ENVELOPE_BYTES, UploadRequest, accept_upload
from backend.uploads.intake import UploadParts
from backend.uploads.parts import BodyFailure, VideoParts
from backend.uploads.receive import BodyReader, clean_filename

MAX_VIDEOS = 20


def _part(index: int, filename: str, **rest: Any) -> dict[str, Any]:
    return {
        "index": index,
        "filename": filename,
        "job_id": None,
        "deduplicated": False,
        "error": None,
        **rest,
    }


def accept_batch(
    svc: UploadParts, user_id: int, stream: IO[bytes], content_type: str, length: int | None
) -> str:
    """Receive every part; returns the batch id, or raises when no video was accepted."""
    mimetype, options = parse_options_header(content_type)
    if mimetype != "multipart/form-data" or not options.get("boundary"):
        raise UnsupportedMediaType(
            "Send the videos as multipart/form-data, each in a form field named 'video'."
        )
    limit = (svc.config.max_upload_bytes + ENVELOPE_BYTES) * MAX_VIDEOS
    if (length or 0) > limit:
        raise FileTooLarge(f"A batch may hold at most {MAX_VIDEOS} videos within the size limit.")
    batch_id = str(uuid.uuid4())
    with svc.db.session() as session:
        check_queue_room(session, user_id, svc.config.user_max_queued)  # before the body
        session.add(Batch(id=batch_id, user_id=user_id, parts=[]))
    parts: list[dict[str, Any]] = []
    try:
        videos = VideoParts(
            BodyReader(stream, length, limit, svc.config.body_idle_timeout_s),
            options["boundary"].encode(),
            MAX_VIDEOS,
        )
        for index, (raw_name, part) in enumerate(videos):
            name = clean_filename(raw_name, f"video {index + 1}")
            if index >= MAX_VIDEOS:
                error = ApiError(
                    f"A batch holds at most {MAX_VIDEOS} videos.",
                    code="too_many_videos",
                    status=413,
                )
                parts.append(_refused(index, name, error))
                continue
            # The part's claimed type is ignored: the accept path sniffs the bytes.
            stream = cast(IO[bytes], part)  # PartStream reads like a request stream
            request = UploadRequest(
                stream, "application/octet-stream", None, raw_name, None, batch_id
            )
            try:
                body = accept_upload(svc, user_id, request).body
            except ApiError as error:
                parts.append(_refused(index, name, error))
                continue
            parts.append(
                _part(
                    index,
                    body["job"]["video"]["filename"],
                    job_id=body["job_id"],
                    deduplicated=body["deduplicated"],
                )
            )
    except BodyFailure as failure:
        _undo(svc, user_id, batch_id)
        raise failure.error from None
    except BaseException:
        _undo(svc, user_id, batch_id)
        raise
    if not any(part["job_id"] for part in parts):
        _undo(svc, user_id, batch_id)
        raise _nothing_accepted(parts)
    with svc.db.session() as session:
        session.execute(
            update(Batch).where(Batch.id == batch_id).values(parts=parts, received_at=utcnow())
        )
        # Short videos may all have ended while later parts were still arriving.
        end_if_done(session, batch_id)
    return batch_id


def _refused(index: int, filename: str, error: ApiError) -> dict[str, Any]:
    metrics.observe_upload_refusal(error.code)
    return _part(index, filename, error={"code": error.code, "message": error.message})


def _nothing_accepted(parts: list[dict[str, Any]]) -> ApiError:
    if not parts:
        return BadRequest("Attach one or more videos, each in a form field named 'video'.")
    if len(parts) == 1:
        only = parts[0]["error"]
        return ApiError(only["message"], code=only["code"], status=_STATUS.get(only["code"], 400))
    reasons = "; ".join(f"{part['filename']}: {part['error']['message']}" for part in parts)
    return ValidationFailed(
        f"None of the {len(parts)} videos was accepted. {reasons}", code="no_video_accepted"
    )


# The status of a single refused part, when it is the whole answer.
_STATUS = {
    "file_too_large": 413,
    "unsupported_media_type": 415,
    "insufficient_storage": 507,
    "too_many_videos": 413,
    "too_many_jobs": 429,
}


def _undo(svc: UploadParts, user_id: int, batch_id: str) -> None:
    """Remove what a failed request created: its jobs (with their files) and the batch."""
    with svc.db.session() as session:
        own = list(session.scalars(select(Job.id).where(Job.batch_id == batch_id)))
        session.execute(delete(Job).where(Job.batch_id == batch_id))
        session.execute(delete(Batch).where(Batch.id == batch_id))
    for job_id in own:
        svc.runner.cancel(job_id)
        svc.storage.remove_job(user_id, job_id)
