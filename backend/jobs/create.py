"""Turns a received video into a queued job row."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.models import Job
from backend.uploads.receive import ReceivedVideo


def create_job(
    session: Session, job_id: str, user_id: int, video: ReceivedVideo, batch_id: str | None = None
) -> Job:
    job = Job(
        id=job_id,
        user_id=user_id,
        batch_id=batch_id,
        filename=video.filename,
        content_type=video.container.content_type,
        size_bytes=video.size,
        sha256=video.sha256,
        source_name=video.path.name,
    )
    session.add(job)
    session.flush()
    return job
