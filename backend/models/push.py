"""Expo push tokens of the users, and the outbox of notifications to send to them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import Base
from backend.timeutil import utcnow


class PushToken(Base):
    __tablename__ = "push_tokens"
    __table_args__ = (Index("ix_push_tokens_user_active", "user_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: a device belongs to one account at a time; registering it elsewhere moves it.
    token: Mapped[str] = mapped_column(String(255), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    platform: Mapped[str | None] = mapped_column(String(16), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Last time the app registered it: a DeviceNotRegistered about an older send is stale.
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(default=None)
    deactivated_reason: Mapped[str | None] = mapped_column(String(200), default=None)


class OutboxStatus(StrEnum):
    PENDING = "pending"  # to send (again, after next_attempt_at)
    SENT = "sent"  # Expo accepted it (a ticket); its receipt is due at receipt_due_at
    DELIVERED = "delivered"  # the receipt says Expo handed it to Apple or Google
    FAILED = "failed"  # the receipt reports an error
    UNCONFIRMED = "unconfirmed"  # no receipt came before Expo forgets them (24 h)
    DEAD = "dead"  # given up before Expo accepted it; `error` says why


class PushOutbox(Base):
    __tablename__ = "push_outbox"
    __table_args__ = (
        # One notification per job and device, so a replayed job end sends nothing twice.
        UniqueConstraint("job_id", "token_id", name="uq_push_outbox_job_token"),
        Index("ix_push_outbox_status_next", "status", "next_attempt_at"),
        Index("ix_push_outbox_status_receipt", "status", "receipt_due_at"),
        Index("ix_push_outbox_claim", "claim_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    # The job's owner when the row was written: the token may move to another account later.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_id: Mapped[int] = mapped_column(ForeignKey("push_tokens.id", ondelete="CASCADE"))
    # The Expo message without `to`, rendered when the job ended.
    message: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[OutboxStatus] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A sender claims rows by stamping its claim id and a lease; an expired lease is free.
    claim_id: Mapped[str | None] = mapped_column(String(32), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    ticket_id: Mapped[str | None] = mapped_column(String(100), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    receipt_due_at: Mapped[datetime | None] = mapped_column(default=None)
    receipt_checked_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
