"""How many jobs one user may have waiting: past the limit a new one is refused (429)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.errors import ApiError
from backend.models import Job
from backend.models.status import JobStatus


class TooManyJobs(ApiError):
    status, code = 429, "too_many_jobs"


def check_queue_room(session: Session, user_id: int, limit: int) -> None:
    """Refuse a new job when the user already has `limit` jobs waiting to run."""
    queued = session.scalar(
        select(func.count())
        .select_from(Job)
        .where(Job.user_id == user_id, Job.status == JobStatus.QUEUED)
    )
    if int(queued or 0) >= limit:
        raise TooManyJobs(
            f"You already have {limit} videos waiting to be analysed; send more once some of "
            "them have started.",
            headers={"Retry-After": "30"},
        )
