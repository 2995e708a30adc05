"""A batch's one push: queued in the transaction that ends its last job (or seals it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from backend.batches.documents import aggregate_status, job_ids
from backend.jobs.store import execute_update
from backend.models import Batch, Job
from backend.models.status import ACTIVE, JobStatus
from backend.notify.message import fit_payload
from backend.notify.outbox import queue_message
from backend.timeutil import utcnow


def _videos(count: int) -> str:
    return f"{count} video" if count == 1 else f"{count} videos"


def batch_message(batch_id: str, jobs: list[Job]) -> dict[str, Any]:
    """ "3 videos analysed", or "2 videos analysed, 1 failed"."""
    done = sum(job.status == JobStatus.COMPLETED for job in jobs)
    failed = sum(job.status == JobStatus.FAILED for job in jobs)
    body = f"{_videos(done)} analysed" + (f", {failed} failed" if failed else "")
    title = "Your videos are analysed" if done else "We couldn't analyse your videos"
    data = {"batch_id": batch_id, "status": aggregate_status(jobs), "url": f"/batches/{batch_id}"}
    message = {
        "title": title,
        "body": body,
        "data": data,
        "sound": "default",
        "channel_id": "jobs",
        "priority": "high",
    }
    return fit_payload(message)


def end_if_done(session: Session, batch_id: str, last_job_id: str | None = None) -> bool:
    """End the batch once it is received and none of its jobs is active; queue its push once."""
    # The no-op UPDATE locks the row: two jobs ending at once are counted one after the other.
    locked = execute_update(
        session, update(Batch).where(Batch.id == batch_id).values(ended_at=Batch.ended_at)
    )
    batch = session.get(Batch, batch_id, populate_existing=True) if locked else None
    if batch is None or batch.received_at is None or batch.ended_at is not None:
        return False
    ids = job_ids(batch)
    active = session.scalar(
        select(func.count()).select_from(Job).where(Job.id.in_(ids), Job.status.in_(ACTIVE))
    )
    if active:
        return False
    now = utcnow()
    ended = execute_update(
        session,
        update(Batch).where(Batch.id == batch_id, Batch.ended_at.is_(None)).values(ended_at=now),
    )
    if not ended:
        return False
    own = list(session.scalars(select(Job).where(Job.batch_id == batch_id, Job.id.in_(ids))))
    notified = [job for job in own if job.status in (JobStatus.COMPLETED, JobStatus.FAILED)]
    if notified:
        # Keyed by one of its jobs (the outbox row needs one); those jobs send no push of their own.
        key = last_job_id if last_job_id in {job.id for job in notified} else notified[-1].id
        queue_message(session, batch.user_id, key, lambda: batch_message(batch_id, own))
    return True
