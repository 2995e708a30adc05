"""What a user (or an operator) does to jobs: cancel, delete, retry, clean up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from backend.errors import ApiError, Conflict, job_not_found
from backend.jobs.status import ACTIVE, TERMINAL, JobStatus
from backend.jobs.store import JobStore, execute_update, queued_again
from backend.models import Job
from backend.storage import Storage
from backend.timeutil import utcnow


def already_finished(job: Job) -> Conflict:
    return Conflict(
        f"The job has already ended ({job.status}); there is nothing to cancel.",
        code="job_already_finished",
    )


def source_expired() -> ApiError:
    return ApiError(
        "The video of this job is no longer kept on the server; upload it again.",
        code="source_expired",
        status=410,
    )


def cancel(store: JobStore, job_id: str, user_id: int | None) -> Job:
    """Cancel a queued or running job (user_id None: any user's, for the CLI)."""
    now = utcnow()
    with store.db.session() as session:
        query = update(Job).where(Job.id == job_id, Job.status.in_(ACTIVE))
        if user_id is not None:
            query = query.where(Job.user_id == user_id)
        rows = execute_update(
            session,
            query.values(
                status=JobStatus.CANCELLED,
                message="Cancelled",
                lease_expires_at=None,
                finished_at=now,
                updated_at=now,
            ),
        )
        job = _get(session, job_id, user_id)
    if rows == 0:
        raise already_finished(job)
    store.changes.changed(job_id)
    return job


def delete_job(store: JobStore, storage: Storage, job_id: str, user_id: int) -> None:
    """Remove the row and every file; a running job stops as its row disappears."""
    with store.db.session() as session:
        job = _get(session, job_id, user_id)
        session.delete(job)
    storage.remove_job(user_id, job_id)
    store.changes.changed(job_id)


def retry(store: JobStore, storage: Storage, job_id: str, user_id: int | None = None) -> Job:
    """Put a failed (or cancelled) job back in the queue, if its video is still here."""
    with store.db.session() as session:
        job = _get(session, job_id, user_id)
        if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
            raise Conflict(
                f"Only failed or cancelled jobs can be retried; this one is {job.status}.",
                code="job_not_retryable",
            )
        if not storage.source_path(job.user_id, job.id, job.source_name).is_file():
            raise source_expired()
        execute_update(
            session,
            update(Job)
            .where(Job.id == job_id, Job.status.in_((JobStatus.FAILED, JobStatus.CANCELLED)))
            .values(
                attempts=0,
                error_code=None,
                error_message=None,
                result=None,
                started_at=None,
                finished_at=None,
                **queued_again("Waiting for a worker", utcnow()),
            ),
        )
        job = _get(session, job_id, None)
    store.changes.changed(job_id)
    return job


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


def _get(session: Session, job_id: str, user_id: int | None) -> Job:
    query = select(Job).where(Job.id == job_id)
    if user_id is not None:
        query = query.where(Job.user_id == user_id)
    job = session.scalar(query.execution_options(populate_existing=True))
    if job is None:
        raise job_not_found()
    return job
