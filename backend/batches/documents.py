"""The batch document: its parts, its jobs, and their aggregate status and progress."""

from __future__ import annotations

from typing import Any

from backend.jobs.documents import job_document
from backend.models import Batch, Job
from backend.models.status import TERMINAL, JobStatus
from backend.timeutil import isoformat


def aggregate_status(jobs: list[Job]) -> str:
    """queued, processing, completed, partial (some failed or cancelled), failed or cancelled."""
    statuses = {job.status for job in jobs}
    if not statuses or statuses == {JobStatus.QUEUED}:
        return "queued"
    if statuses - TERMINAL:
        return "processing"
    if statuses == {JobStatus.COMPLETED}:
        return "completed"
    if JobStatus.COMPLETED in statuses:
        return "partial"
    return "cancelled" if statuses == {JobStatus.CANCELLED} else "failed"


def batch_progress(jobs: list[Job]) -> int:
    # A job that ended counts as done whatever its outcome: progress says how much is left.
    if not jobs:
        return 0
    done = sum(100 if job.status in TERMINAL else job.progress for job in jobs)
    return done // len(jobs)


def batch_document(batch: Batch, jobs: list[Job]) -> dict[str, Any]:
    counts = {status.value: 0 for status in JobStatus}
    for job in jobs:
        counts[str(job.status)] += 1
    ended = all(job.status in TERMINAL for job in jobs) and batch.received_at is not None
    finished = [job.finished_at for job in jobs if job.finished_at is not None]
    return {
        "id": batch.id,
        "status": aggregate_status(jobs),
        "progress": batch_progress(jobs),
        "total": len(jobs),
        "counts": counts,
        "parts": batch.parts,
        "jobs": [job_document(job) for job in jobs],
        "created_at": isoformat(batch.created_at),
        "finished_at": isoformat(max(finished)) if ended and finished else None,
        "links": {"self": f"/api/batches/{batch.id}", "cancel": f"/api/batches/{batch.id}/cancel"},
    }


def job_ids(batch: Batch) -> list[str]:
    """The jobs a batch follows: the ones it created and those its duplicates pointed to."""
    return [part["job_id"] for part in batch.parts if part.get("job_id")]
