"""A new queued job row, from the plain facts of its stored video."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from backend.models import Job


@dataclass(frozen=True)
class StoredVideo:
    """What the job needs to know of its video, however it arrived (upload, tus, URL)."""

    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    source_name: str  # the file's name in the job's directory


def create_job(
    session: Session, job_id: str, user_id: int, video: StoredVideo, batch_id: str | None = None
) -> Job:
    job = Job(id=job_id, user_id=user_id, batch_id=batch_id, **asdict(video))
    session.add(job)
    session.flush()
    return job
