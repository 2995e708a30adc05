"""The JSON documents clients see for a job and its result."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from backend.models.status import JobStatus
from backend.timeutil import isoformat


class JobFields(Protocol):
    """What a job's document is made of: an ORM Job, or a row of the poll's plain query."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def phase(self) -> str: ...
    @property
    def progress(self) -> int: ...
    @property
    def message(self) -> str: ...
    @property
    def attempts(self) -> int: ...
    @property
    def filename(self) -> str: ...
    @property
    def size_bytes(self) -> int: ...
    @property
    def content_type(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def finished_at(self) -> datetime | None: ...
    @property
    def error_code(self) -> str | None: ...
    @property
    def error_message(self) -> str | None: ...
    @property
    def result(self) -> dict[str, Any] | None: ...  # read only for a document with its result


def job_links(job_id: str) -> dict[str, str]:
    return {
        "self": f"/api/jobs/{job_id}",
        "result": f"/api/jobs/{job_id}/result",
        "events": f"/api/jobs/{job_id}/events",
    }


def job_document(job: JobFields, *, with_result: bool = False) -> dict[str, Any]:
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


def result_document(job: JobFields) -> dict[str, Any]:
    """The stored analysis plus what only the web layer knows: ids and URLs."""
    result = dict(job.result or {})
    result["scenes"] = [
        {**scene, "thumbnail_url": f"/api/jobs/{job.id}/thumbnails/{scene['index']}.jpg"}
        for scene in result.get("scenes", [])
    ]
    return {"job_id": job.id, **result}
