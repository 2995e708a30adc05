"""A video analysis job: the row is the source of truth for its state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base
from backend.models.status import JobPhase, JobStatus
from backend.timeutil import utcnow


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_user_created", "user_id", "created_at", "id"),
        # The fair claim (jobs/fair.py) asks, per waiting user, for their running count, when
        # they were last served and their oldest queued job: without these, each claim read
        # every job the user ever had, under the claim lock (bench/claims.py).
        Index("ix_jobs_user_status_created", "user_id", "status", "created_at", "id"),
        Index("ix_jobs_user_started", "user_id", "started_at"),
        Index("ix_jobs_status_created", "status", "created_at"),
        Index("ix_jobs_user_sha256", "user_id", "sha256"),
        Index("ix_jobs_batch_id", "batch_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    batch_id: Mapped[str | None] = mapped_column(
        ForeignKey("batches.id", ondelete="CASCADE"), default=None
    )
    status: Mapped[JobStatus] = mapped_column(String(16), default=JobStatus.QUEUED)
    phase: Mapped[JobPhase] = mapped_column(String(16), default=JobPhase.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(300), default="Waiting for a worker")
    attempts: Mapped[int] = mapped_column(default=0)
    # Attempts whose analysis child was killed by a signal its supervisor did not send (an
    # operator, the kernel's OOM killer, a decoder crash): a job killed on every attempt by the
    # same signal ends `analysis_crashed`; one that also lost a worker, or whose children died
    # by different signals, ends `worker_lost` (jobs/lost.py).
    crashes: Mapped[int] = mapped_column(default=0, server_default="0")
    # The signal every crash so far died by, or CRASH_SIGNALS_DIFFER once two differed (an OOM
    # kill then a segfault says nothing consistent about the video); None before any crash.
    crash_signal: Mapped[str | None] = mapped_column(String(16), default=None)
    # Who holds the job and until when; an expired lease means the holder died.
    owner: Mapped[str | None] = mapped_column(String(120), default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(default=None)

    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str] = mapped_column(String(64))
    source_deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    # Submitted by URL: the runner fetches it before the analysis (phase `fetching`).
    source_url: Mapped[str | None] = mapped_column(Text, default=None)

    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    error_code: Mapped[str | None] = mapped_column(String(40), default=None)
    error_message: Mapped[str | None] = mapped_column(Text, default=None)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
