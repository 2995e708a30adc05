"""Reading, listing, cancelling and deleting a user's batches (ownership in every query)."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from backend.batches.documents import job_ids
from backend.errors import Conflict, NotFound
from backend.jobs import lifecycle
from backend.jobs.listing import decode_cursor, encode_cursor
from backend.jobs.runners import Runner
from backend.jobs.store import JobStore
from backend.models import Batch, Job
from backend.models.status import ACTIVE
from backend.storage import Storage


def batch_not_found() -> NotFound:
    return NotFound("No batch with that id was found.")


def get_batch(session: Session, batch_id: str, user_id: int) -> tuple[Batch, list[Job]]:
    batch = session.scalar(select(Batch).where(Batch.id == batch_id, Batch.user_id == user_id))
    if batch is None:
        raise batch_not_found()
    return batch, _jobs_of(session, batch, user_id)


def _jobs_of(session: Session, batch: Batch, user_id: int) -> list[Job]:
    """The batch's jobs in the order of its parts (an owned batch: the caller checked)."""
    ids = job_ids(batch)
    jobs = list(
        session.scalars(
            select(Job)
            .where(Job.user_id == user_id, or_(Job.batch_id == batch.id, Job.id.in_(ids)))
            .execution_options(populate_existing=True)
        )
    )
    order = {job_id: n for n, job_id in enumerate(ids)}
    jobs.sort(key=lambda job: order.get(job.id, len(order)))
    return jobs


def list_batches(
    session: Session, user_id: int, limit: int, cursor: str | None
) -> tuple[list[tuple[Batch, list[Job]]], str | None]:
    query = select(Batch).where(Batch.user_id == user_id, Batch.received_at.is_not(None))
    if cursor:
        created, batch_id = decode_cursor(cursor)
        query = query.where(
            or_(Batch.created_at < created, and_(Batch.created_at == created, Batch.id < batch_id))
        )
    rows = list(
        session.scalars(query.order_by(Batch.created_at.desc(), Batch.id.desc()).limit(limit + 1))
    )
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return [(row, _jobs_of(session, row, user_id)) for row in rows[:limit]], next_cursor


def _still_arriving(batch: Batch) -> None:
    # Its request is still adding jobs to it: stopping that request is how to stop it.
    if batch.received_at is None:
        raise Conflict(
            "This batch is still being uploaded; stop the upload to cancel it.",
            code="batch_still_arriving",
        )


def cancel_batch(store: JobStore, runner: Runner, batch_id: str, user_id: int) -> None:
    """Cancel every queued or running job of the batch; 409 if none was left."""
    with store.db.session() as session:
        batch, jobs = get_batch(session, batch_id, user_id)
        _still_arriving(batch)
        # Its own jobs only: a duplicate's job belongs to the upload that created it.
        active = [job.id for job in jobs if job.batch_id == batch_id and job.status in ACTIVE]
    if not active:
        raise Conflict(
            "Every video of this batch has already ended; there is nothing to cancel.",
            code="batch_already_finished",
        )
    for job_id in active:
        try:
            store.cancel(job_id, user_id)
        except Conflict:
            continue  # it ended meanwhile
        runner.cancel(job_id)


def delete_batch(
    store: JobStore, storage: Storage, runner: Runner, batch_id: str, user_id: int
) -> None:
    """Delete the batch's own jobs with their files (running ones stop), then the batch."""
    with store.db.session() as session:
        batch, jobs = get_batch(session, batch_id, user_id)
        _still_arriving(batch)
        own = [job.id for job in jobs if job.batch_id == batch_id]
    for job_id in own:
        try:
            lifecycle.delete_job(store, storage, job_id, user_id)
        except NotFound:
            continue
        runner.cancel(job_id)
    with store.db.session() as session:
        gone = session.get(Batch, batch.id)
        if gone is not None:
            session.delete(gone)
