"""Resumable upload rows: created, owned (checked in the query), advanced, answered, removed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.db import Database
from backend.error_body import error_body
from backend.errors import ApiError
from backend.models import TusUpload
from backend.timeutil import utcnow
from backend.uploads.accepted import Accepted, from_record, to_record
from backend.uploads.tus import protocol


@dataclass(frozen=True)
class UploadState:
    """A snapshot of the row, safe to pass around (no ORM object leaves a session)."""

    id: str
    user_id: int
    length: int
    upload_metadata: str | None
    idempotency_key: str | None
    expires_at: datetime
    answer: Accepted | ApiError | None  # once finished: its job, or the refusal that ended it

    @property
    def answered(self) -> bool:
        return self.answer is not None


def _state(row: TusUpload) -> UploadState:
    return UploadState(
        row.id,
        row.user_id,
        row.length,
        row.upload_metadata,
        row.idempotency_key,
        row.expires_at,
        _answer(row.response_status, row.response_body),
    )


def _answer(status: int | None, body: dict[str, Any] | None) -> Accepted | ApiError | None:
    if status is None or body is None:
        return None
    if status < 400:
        return from_record(body)
    return ApiError(body["error"]["message"], code=body["error"]["code"], status=status)


def create(
    db: Database,
    upload_id: str,
    user_id: int,
    length: int,
    upload_metadata: str | None,
    key: str | None,
    expires_at: datetime,
) -> UploadState:
    """A new upload; with a known Idempotency-Key, the upload created for it before."""
    try:
        with db.session() as session:
            row = TusUpload(
                id=upload_id,
                user_id=user_id,
                length=length,
                upload_metadata=upload_metadata,
                idempotency_key=key,
                expires_at=expires_at,
            )
            session.add(row)
            session.flush()
            return _state(row)
    except IntegrityError:
        if key is None:
            raise
    with db.session() as session:
        row = session.scalars(
            select(TusUpload).where(TusUpload.user_id == user_id, TusUpload.idempotency_key == key)
        ).one()
        return _state(row)


def owned(db: Database, user_id: int, upload_id: str) -> UploadState:
    """The user's upload, or 404 (also for another user's)."""
    protocol.check_upload_id(upload_id)
    with db.session() as session:
        row = session.scalars(
            select(TusUpload).where(TusUpload.id == upload_id, TusUpload.user_id == user_id)
        ).one_or_none()
        if row is None:
            raise protocol.not_found()
        return _state(row)


def record_progress(db: Database, upload_id: str, offset: int, expires_at: datetime) -> None:
    with db.session() as session:
        session.execute(
            update(TusUpload)
            .where(TusUpload.id == upload_id)
            .values(offset_bytes=offset, updated_at=utcnow(), expires_at=expires_at)
        )


def record_answer(
    session: Session, upload_id: str, accepted: Accepted, expires_at: datetime
) -> None:
    """What POST /api/upload would have answered; kept for GET until `expires_at`."""
    status, body = to_record(accepted)
    _record(session, upload_id, status, body, accepted.job_id, expires_at)


def record_refusal(db: Database, upload_id: str, error: ApiError, expires_at: datetime) -> None:
    """The refusal that ended the upload, given again to every later request for it."""
    # Kept in the shape rows have always held (a process of the previous release reads it as
    # the answer's body); api/ renders it again as any other refusal.
    body = error_body(error.code, error.message)
    with db.session() as session:
        _record(session, upload_id, error.status, dict(body), None, expires_at)


def _record(
    session: Session,
    upload_id: str,
    status: int,
    body: dict[str, Any],
    job_id: str | None,
    expires_at: datetime,
) -> None:
    now = utcnow()
    session.execute(
        update(TusUpload)
        .where(TusUpload.id == upload_id)
        .values(
            response_status=status,
            response_body=body,
            job_id=job_id,
            finished_at=now,
            updated_at=now,
            expires_at=expires_at,
        )
    )


def remove(db: Database, upload_id: str) -> None:
    with db.session() as session:
        session.execute(delete(TusUpload).where(TusUpload.id == upload_id))


def expired(db: Database, now: datetime) -> list[tuple[str, int]]:
    """(id, user id) of uploads past their expiry, finished or not."""
    with db.session() as session:
        rows = session.execute(
            select(TusUpload.id, TusUpload.user_id).where(TusUpload.expires_at < now)
        ).all()
    return [(upload_id, user_id) for upload_id, user_id in rows]
