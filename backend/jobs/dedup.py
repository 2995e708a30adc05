"""The same video from the same user is analysed once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Job
from backend.models.status import JobStatus


def find_duplicate(session: Session, user_id: int, sha256: str) -> Job | None:
    """The user's newest job of this exact video that did not fail or get cancelled.

    A cancelled job has no result to give back, so uploading its video again starts over.
    """
    return session.scalar(
        select(Job)
        .where(
            Job.user_id == user_id,
            Job.sha256 == sha256,
            Job.status.not_in((JobStatus.FAILED, JobStatus.CANCELLED)),
        )
        .order_by(Job.created_at.desc())
        .limit(1)
    )
