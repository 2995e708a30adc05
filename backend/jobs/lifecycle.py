"""What a user (or an operator) does to jobs beyond their state: delete, retry, clean up.

The state changes themselves (cancel, the retry's re-queue) are the store's, like every other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from backend.errors import ApiError, Conflict
from backend.jobs.quota import check_queue_room
from backend.jobs.store import JobStore, fetch
from backend.models import Job
from backend.models.status import RETRYABLE, TERMINAL
from backend.storage import Storage


def source_expired() -> ApiError:
    return ApiError(
        "The video of this job is no longer kept on the server; upload it again.",
        code="source_expired",
        status=410,
    )


def delete_job(store: JobStore, storage: Storage, job_id: str, user_id: int) -> None:
    """Remove the row and every file; a running job stops as its row disappears."""
    with store.db.session() as session:
        job = fetch(session, job_id, user_id)
        session.delete(job)
    storage.remove_job(user_id, job_id)
    store.changes.changed(job_id)


def retry(
    store: JobStore,
    storage: Storage,
    job_id: str,
    user_id: int | None = None,
    *,
    max_queued: int | None = None,
) -> Job:
    """Put a failed (or cancelled) job back in the queue, if its video is still here (or,
    for a job submitted by URL, can be fetched again).

    `max_queued` is the user's queued limit (429 past it), as for a new job: a retry queues
    one. The operator's `flask jobs retry` passes none.
    """
    with store.db.session() as session:
        job = fetch(session, job_id, user_id)
        if job.status not in RETRYABLE:
            raise Conflict(
                f"Only failed or cancelled jobs can be retried; this one is {job.status}.",
                code="job_not_retryable",
            )
        if max_queued is not None:
            check_queue_room(session, job.user_id, max_queued)
    # A URL job fetches its URL again when its file is gone (uploads/by_url.py UrlSource):
    # a failed one's file is removed at once, so that is the usual case, not an expiry.
    kept = storage.source_path(job.user_id, job.id, job.source_name).is_file()
    if job.source_url is None and not kept:
        raise source_expired()
    store.retry(job_id)
    with store.db.session() as session:
        return fetch(session, job_id, None)


def cleanup(store: JobStore, storage: Storage, older_than: datetime, user_id: int | None) -> int:
    """Delete finished jobs (one user's, or everyone's) that ended before `older_than`."""
    with store.db.session() as session:
        query = select(Job.id, Job.user_id).where(
            Job.status.in_(TERMINAL), Job.finished_at < older_than
        )
        if user_id is not None:
            query = query.where(Job.user_id == user_id)
        doomed = session.execute(query).all()
        if doomed:
            # The status condition again: a retried job is not deleted under its new run.
            session.execute(
                delete(Job).where(
                    Job.id.in_([job_id for job_id, _ in doomed]), Job.status.in_(TERMINAL)
                )
            )
    for job_id, owner_id in doomed:
        storage.remove_job(owner_id, job_id)
    return len(doomed)
