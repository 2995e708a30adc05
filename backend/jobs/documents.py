"""The JSON documents clients see for a job and its result."""

from __future__ import annotations

from typing import Any

from backend.jobs.status import JobStatus
from backend.models import Job
from backend.timeutil import isoformat


def job_links(job_id: str) -> dict[str, str]:
    return {
        "self": f"/api/jobs/{job_id}",
        "result": f"/api/jobs/{job_id}/result",
        "events": f"/api/jobs/{job_id}/events",
    }


def job_document(job: Job, *, with_result: bool = False) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": job.id,
        "status": str(job.status),
        "phase": str(job.phase),
        "progress": job.progress,
        "message": job.message,
        "attempts": job.attempts,
        "video": {
            "filename": job.filename,
            "size_bytes": job.size_bytes,
            "content_type": job.content_type,
        },
        "created_at": isoformat(job.created_at),
        "started_at": isoformat(job.started_at),
        "updated_at": isoformat(job.updated_at),
        "finished_at": isoformat(job.finished_at),
        "error": (
            {"code": job.error_code, "message": job.error_message or ""} if job.error_code else None
        ),
        "links": job_links(job.id),
    }
    if with_result:
        doc["result"] = result_document(job) if job.status == JobStatus.COMPLETED else None
    return doc


def result_document(job: Job) -> dict[str, Any]:
    """The stored analysis plus what only the web layer knows: ids and URLs."""
    result = dict(job.result or {})
    result["scenes"] = [
        {**scene, "thumbnail_url": f"/api/jobs/{job.id}/thumbnails/{scene['index']}.jpg"}
        for scene in result.get("scenes", [])
    ]
    return {"job_id": job.id, **result}
