"""The answer to an accepted video: POST /api/upload's, and a finished resumable upload's."""

from __future__ import annotations

from typing import Any

from backend.uploads.accepted import Accepted


def accepted_answer(
    accepted: Accepted, status: int | None = None
) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Body, status (202 a new job, 200 the same video's job) and where to follow the job."""
    status = status or (200 if accepted.deduplicated else 202)
    headers = {"Location": f"/api/jobs/{accepted.job_id}", "Retry-After": "2"}
    return accepted.body, status, headers
