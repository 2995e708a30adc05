"""Job states and phases, as stored (models/job.py) and as shown."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})
ACTIVE = frozenset({JobStatus.QUEUED, JobStatus.PROCESSING})
# A job that ended without a result may be run again from the start.
RETRYABLE = frozenset({JobStatus.FAILED, JobStatus.CANCELLED})


class JobPhase(StrEnum):
    QUEUED = "queued"
    FETCHING = "fetching"  # a job submitted by URL downloads its video first
    PROBING = "probing"
    ANALYZING = "analyzing"
    FINALIZING = "finalizing"
    DONE = "done"


class JobErrorCode(StrEnum):
    INVALID_VIDEO = "invalid_video"
    NO_VIDEO_STREAM = "no_video_stream"
    ANALYSIS_TIMEOUT = "analysis_timeout"
    WORKER_LOST = "worker_lost"
    ANALYSIS_CRASHED = "analysis_crashed"
    RESOURCE_LIMIT = "resource_limit"
    INTERNAL_ERROR = "internal_error"
    FETCH_FAILED = "fetch_failed"
    NOT_A_VIDEO = "not_a_video"
    TOO_LARGE = "too_large"
