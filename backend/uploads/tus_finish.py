"""The last byte of a resumable upload arrived: make its job exactly as POST /api/upload does."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from backend.errors import ApiError, FileTooLarge
from backend.storage import make_dir
from backend.uploads import tus_protocol, tus_store
from backend.uploads.accept import Accepted, accept_video
from backend.uploads.intake import UploadParts
from backend.uploads.receive import ReceivedVideo, clean_filename
from backend.uploads.sniff import SNIFF_BYTES, require_video
from backend.uploads.tus_files import UploadFile
from backend.uploads.tus_store import UploadState

# Refusals worth trying again with the same bytes: they are not recorded as the answer.
TRANSIENT = {409, 423, 429, 500, 503, 507}


def finish(
    svc: UploadParts, state: UploadState, upload: UploadFile, sha256: str, expires_at: datetime
) -> Accepted:
    """Create (or find) the job of the complete file; raises the refusal POST would have."""
    metadata = tus_protocol.parse_metadata(state.upload_metadata)
    limit = svc.config.max_upload_bytes

    def produce(directory: Path, _alive: Callable[[], None]) -> ReceivedVideo:
        container = require_video(upload.read_at(SNIFF_BYTES, 0))
        size = upload.size
        if size > limit:
            raise FileTooLarge(f"The video is larger than the limit of {limit // 2**20} MB.")
        make_dir(directory)
        source = directory / f"source{container.extension}"
        _link(upload.path, source)
        name = clean_filename(metadata.get("filename"), "video" + container.extension)
        fields = {k: metadata[k] for k in ("push_token", "platform") if metadata.get(k)}
        return ReceivedVideo(source, name, size, sha256, container, fields)

    def on_stored(session: Session, accepted: Accepted) -> None:
        # In the job's own transaction: a crash never leaves a job its upload does not name.
        job_id = accepted.body.get("job_id")
        tus_store.record_answer(
            session, state.id, accepted.status, accepted.body, job_id, expires_at
        )

    accepted = accept_video(svc, state.user_id, state.idempotency_key, produce, on_stored)
    if accepted.replayed:  # an earlier request's answer: no transaction of ours recorded it
        with svc.db.session() as session:
            on_stored(session, accepted)
    return accepted


def refusal_body(error: ApiError) -> dict[str, Any]:
    return {"error": {"code": error.code, "message": error.message}}


def record_refusal(
    svc: UploadParts, state: UploadState, error: ApiError, expires_at: datetime
) -> None:
    with svc.db.session() as session:
        tus_store.record_answer(
            session, state.id, error.status, refusal_body(error), None, expires_at
        )


def _link(source: Path, target: Path) -> None:
    """The job's source is the upload's file: a hard link, a copy where links are refused."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
