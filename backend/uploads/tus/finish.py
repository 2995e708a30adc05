"""The last byte of a resumable upload arrived: make its job exactly as POST /api/upload does."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from backend.uploads.accept import accepting
from backend.uploads.accepted import Accepted
from backend.uploads.intake import UploadParts
from backend.uploads.on_disk import VideoOnDisk
from backend.uploads.tus import protocol, store
from backend.uploads.tus.store import UploadState

# Refusals worth trying again with the same bytes: they are not recorded as the answer.
TRANSIENT = {409, 423, 429, 500, 503, 507}


def finish(
    svc: UploadParts, state: UploadState, data: Path, sha256: str, expires_at: datetime
) -> Accepted:
    """Create (or find) the job of the complete file at `data`; raises the refusal POST would."""
    metadata = protocol.parse_metadata(state.upload_metadata)
    fields = {k: metadata[k] for k in ("push_token", "platform") if metadata.get(k)}
    video = VideoOnDisk(data, sha256, metadata.get("filename"), fields)
    with accepting(svc, state.user_id, state.idempotency_key, video) as stored:
        # In the job's own transaction: a crash never leaves a job its upload does not name.
        store.record_answer(stored.session, state.id, stored.accepted, expires_at)
    return stored.accepted
