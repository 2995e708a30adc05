"""Request and response schemas: they validate input and generate the OpenAPI document."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.analysis.schema import AnalysisResult, Scene
from backend.models.status import JobPhase, JobStatus
from backend.notify.tokens import TOKEN_PATTERN

EXPO_TOKEN_PATTERN = TOKEN_PATTERN.pattern


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # No control or format characters (\p{C}): an address is shown in terminals and logs,
    # where an escape sequence or a direction override would rewrite what is displayed.
    email: str = Field(pattern=r"^[^@\s\p{C}]+@[^@\s\p{C}]+\.[^@\s\p{C}]+$", max_length=254)
    password: str = Field(min_length=8, max_length=200)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(max_length=200)
    new_password: str = Field(min_length=8, max_length=200)


class UserOut(BaseModel):
    id: int
    email: str
    created_at: str


class AuthOut(BaseModel):
    token: str
    user: UserOut


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


class VideoFile(BaseModel):
    filename: str
    size_bytes: int
    content_type: str


class JobLinks(BaseModel):
    self: str
    result: str
    events: str


class JobOut(BaseModel):
    id: str
    status: JobStatus
    phase: JobPhase
    progress: int = Field(ge=0, le=100)
    message: str
    attempts: int
    video: VideoFile
    created_at: str
    started_at: str | None
    updated_at: str
    finished_at: str | None
    error: ErrorBody | None
    links: JobLinks


class SignedVideoQuery(BaseModel):
    access: str = Field(description="The signature from POST /api/jobs/{job_id}/video-link.")


class VideoLinkOut(BaseModel):
    url: str = Field(description="Relative URL of the video; no token needed, Range requests work.")
    expires_in: int = Field(description="Seconds the link stays valid.")


class SceneOut(Scene):
    thumbnail_url: str


class JobResult(AnalysisResult):
    """The analysis as served: with the job's id and each scene's thumbnail URL."""

    job_id: str
    scenes: list[SceneOut]  # type: ignore[assignment]


class JobWithResult(JobOut):
    result: JobResult | None = Field(
        default=None, description="The result document, present once the job completed."
    )


class JobList(BaseModel):
    jobs: list[JobOut]
    next_cursor: str | None


class JobListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: JobStatus | None = None
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = None


class CleanupQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: int = Field(ge=0, le=36500, description="Delete finished jobs older than this.")


class CleanupOut(BaseModel):
    deleted: int


class UploadAccepted(BaseModel):
    job_id: str
    status: JobStatus
    status_url: str
    result_url: str
    deduplicated: bool = False
    job: JobWithResult


class UrlJobIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(
        max_length=2048,
        pattern=r"^https?://",
        description="An http(s) address of the video; the server downloads it.",
        examples=["https://example.com/clips/beach.mp4"],
    )


class UploadForm(BaseModel):
    """The multipart form of POST /api/upload (or the raw video as the body)."""

    video: bytes = Field(description="The video file.", json_schema_extra={"format": "binary"})
    push_token: str | None = Field(default=None, json_schema_extra={"pattern": EXPO_TOKEN_PATTERN})
    platform: Literal["ios", "android", "web"] | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: bool
    executor: str
    workers: int
    busy_workers: int
    queue_depth: int | None
    # Celery mode only: can the broker be reached, and which workers answer a ping.
    broker: bool | None = None
    live_workers: list[str] | None = None
    # Celery mode: when the broker was last asked (in the background, every 2 s), and how
    # many seconds ago that was; `broker` and `live_workers` are that ask's answer. All four
    # are null in a process's first moments, before its first ask has answered: not known yet.
    workers_checked_at: str | None = None
    workers_age_s: float | None = None


class PushTokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(
        max_length=255,
        description="An Expo push token: ExponentPushToken[…] or ExpoPushToken[…].",
        # Checked by the view, with its own message (notify/tokens.py).
        json_schema_extra={"pattern": EXPO_TOKEN_PATTERN},
        examples=["ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]"],
    )
    platform: Literal["ios", "android", "web"] | None = None


class PushTokenOut(BaseModel):
    token: str
    platform: str | None
    active: bool
    created_at: str
    registered_at: str


class BatchPart(BaseModel):
    index: int
    filename: str
    job_id: str | None = Field(description="The part's job; null when the part was refused.")
    deduplicated: bool = Field(description="The same video was already being analysed.")
    error: ErrorBody | None = Field(description="Why the part was refused, in the error shape.")


class BatchCounts(BaseModel):
    queued: int
    processing: int
    completed: int
    failed: int
    cancelled: int


class BatchLinks(BaseModel):
    self: str
    cancel: str


class BatchOut(BaseModel):
    id: str
    status: Literal["queued", "processing", "completed", "partial", "failed", "cancelled"]
    progress: int = Field(ge=0, le=100)
    total: int
    counts: BatchCounts
    parts: list[BatchPart]
    jobs: list[JobOut]
    created_at: str
    finished_at: str | None
    links: BatchLinks


class BatchList(BaseModel):
    batches: list[BatchOut]
    next_cursor: str | None


class BatchListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = None


class BatchForm(BaseModel):
    """The multipart form of POST /api/batches: the field `video` repeated, one per file."""

    video: list[bytes] = Field(
        min_length=1,
        max_length=20,  # batches/accept.py MAX_VIDEOS
        description="The videos (at most 20), each checked like an upload.",
        json_schema_extra={"items": {"type": "string", "format": "binary"}},
    )
