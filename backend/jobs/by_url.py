"""A job submitted by URL, in the store: its row at once, its video's facts once fetched."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.jobs.store import JobStore, _held, execute_update
from backend.models import Job
from backend.models.status import JobPhase
from backend.timeutil import utcnow

# Names no file: the real source name is known once the video is fetched and sniffed.
PENDING_SOURCE = "source.pending"


class UrlToFetch(NamedTuple):
    user_id: int
    url: str
    source_name: str  # PENDING_SOURCE until an attempt has fetched it


def create_url_job(session: Session, job_id: str, user_id: int, url: str, filename: str) -> Job:
    """The queued job of a URL; its video's facts are unknown until the runner fetches it."""
    job = Job(
        id=job_id,
        user_id=user_id,
        filename=filename,
        content_type="application/octet-stream",
        size_bytes=0,
        sha256="",
        source_name=PENDING_SOURCE,
        source_url=url,
        message="Waiting to download the video",
    )
    session.add(job)
    session.flush()
    return job


def url_to_fetch(store: JobStore, job_id: str) -> UrlToFetch | None:
    """The URL the job's video comes from; None for an uploaded video (or a job now gone)."""
    with store.db.session() as session:
        row = session.execute(
            select(Job.user_id, Job.source_url, Job.source_name).where(Job.id == job_id)
        ).first()
    if row is None or row.source_url is None:
        return None
    return UrlToFetch(row.user_id, row.source_url, row.source_name)


def record_fetched(
    store: JobStore,
    job_id: str,
    claim: str,
    *,
    content_type: str,
    size_bytes: int,
    sha256: str,
    source_name: str,
) -> bool:
    """The fetched video's facts, and the analysis about to start; False if no longer ours."""
    with store.db.session() as session:
        # The analysis's progress starts from 0 in phase `probing`.
        recorded = execute_update(
            session,
            update(Job)
            .where(*_held(job_id, claim))
            .values(
                content_type=content_type,
                size_bytes=size_bytes,
                sha256=sha256,
                source_name=source_name,
                phase=JobPhase.PROBING,
                progress=0,
                message="Starting the analysis",
                updated_at=utcnow(),
            ),
        )
    if recorded:
        store.changes.changed(job_id)
    return recorded == 1
