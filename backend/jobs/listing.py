"""A user's jobs, newest first, with an opaque keyset cursor."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from backend.errors import ValidationFailed
from backend.models import Batch, Job
from backend.models.status import JobStatus


def encode_cursor(row: Job | Batch) -> str:
    raw = f"{row.created_at.isoformat()}|{row.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, job_id = raw.split("|", 1)
        return datetime.fromisoformat(created), job_id
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed("The cursor is not one this server handed out.") from None


def list_jobs(
    session: Session, user_id: int, status: JobStatus | None, limit: int, cursor: str | None
) -> tuple[list[Job], str | None]:
    query = select(Job).where(Job.user_id == user_id)
    if status is not None:
        query = query.where(Job.status == status)
    if cursor:
        created, job_id = decode_cursor(cursor)
        query = query.where(
            or_(Job.created_at < created, and_(Job.created_at == created, Job.id < job_id))
        )
    rows = list(
        session.scalars(query.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit + 1))
    )
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor
