"""A resumable (tus) upload: its length, where it stands, and the answer once it is finished."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base
from backend.timeutil import utcnow


class TusUpload(Base):
    __tablename__ = "tus_uploads"
    __table_args__ = (
        # One upload per Idempotency-Key: a repeated creation gets the same upload back.
        UniqueConstraint("user_id", "idempotency_key", name="uq_tus_uploads_user_key"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    length: Mapped[int] = mapped_column(BigInteger)
    # The bytes on disk and fsynced when the last PATCH ended; the file itself is the truth.
    offset_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    # The client's Upload-Metadata header as sent (filename, filetype, push_token, ...).
    upload_metadata: Mapped[str | None] = mapped_column(Text, default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), default=None)
    # What POST /api/upload would have answered, kept once the last byte arrived.
    job_id: Mapped[str | None] = mapped_column(String(36), default=None)
    response_status: Mapped[int | None] = mapped_column(default=None)
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
