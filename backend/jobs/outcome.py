"""How a job attempt ended, as the runner hands it to the store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.models.status import JobErrorCode, JobStatus


@dataclass(frozen=True)
class Outcome:
    status: JobStatus
    result: dict[str, Any] | None = None
    error_code: str | None = None
    error_message: str | None = None

    @classmethod
    def completed(cls, result: dict[str, Any]) -> Outcome:
        return cls(JobStatus.COMPLETED, result=result)

    @classmethod
    def failed(cls, code: JobErrorCode | str, message: str) -> Outcome:
        return cls(JobStatus.FAILED, error_code=str(code), error_message=message)
