"""An accepted upload: the job it made or found, and what a retry of it gets back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Accepted:
    """A video that became a job, or found the job the same video made before."""

    job_id: str
    job: dict[str, Any]  # the job's document when the video was accepted
    deduplicated: bool = False  # the same video's earlier job: nothing new was queued
    replayed: bool = False  # an answer given before (the same Idempotency-Key, a finished upload)

    @property
    def queued(self) -> bool:
        """Whether this request queued a new job, which the runner is then given."""
        return not self.deduplicated and not self.replayed

    @property
    def body(self) -> dict[str, Any]:
        return accepted_body(self.job, self.deduplicated)


def accepted_body(job: dict[str, Any], deduplicated: bool = False) -> dict[str, Any]:
    """The upload's answer document (UploadAccepted): the job and where to follow it."""
    return {
        "job_id": job["id"],
        "status": job["status"],
        "status_url": f"/api/jobs/{job['id']}",
        "result_url": f"/api/results/job/{job['id']}",
        "deduplicated": deduplicated,
        "job": job,
    }


def to_record(accepted: Accepted) -> tuple[int, dict[str, Any]]:
    """What an Idempotency-Key or a resumable upload keeps to answer a retry.

    The status and body POST /api/upload answered: the shape these rows have always held, so
    that rows written before, and a process of the previous release, read them the same.
    """
    return (200 if accepted.deduplicated else 202), accepted.body


def from_record(body: dict[str, Any]) -> Accepted:
    """The answer `to_record` kept, given back."""
    job: dict[str, Any] = body["job"]
    return Accepted(str(job["id"]), job, deduplicated=bool(body["deduplicated"]), replayed=True)
