"""A batch: several videos sent in one request, followed and notified as one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base
from backend.timeutil import utcnow


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (Index("ix_batches_user_created", "user_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Every part of the request in order: its file name and its job, or why it was refused.
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the request's last part was read: only then can the batch end.
    received_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set once, in the transaction that ended its last job: the batch's push is queued then.
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
