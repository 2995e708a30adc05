"""Idempotency-Key for uploads: a retried request gets the first answer, not a second job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.db import Database
from backend.errors import ApiError, Conflict, ValidationFailed
from backend.jobs.store import execute_update
from backend.models import IdempotencyKey
from backend.timeutil import utcnow

# An upload still "in progress" after this long was abandoned (its server died mid-way).
ABANDONED_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    request_hash: str


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > 255 or not key.isprintable():
        raise ValidationFailed("Idempotency-Key must be 1 to 255 printable characters.")
    return key


def begin(db: Database, user_id: int, key: str) -> Answer | None:
    """Reserve the key for this request; the earlier answer if it already has one."""
    try:
        with db.session() as session:
            session.add(IdempotencyKey(user_id=user_id, key=key))
        return None
    except IntegrityError:
        pass  # the key is known: look at what it holds
    with db.session() as session:
        row = session.scalars(
            select(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
            )
        ).one()
        if row.response_status is not None and row.response_body is not None:
            return Answer(row.response_status, row.response_body, row.request_hash or "")
        if utcnow() - row.created_at > ABANDONED_AFTER:
            # Take the abandoned reservation over; the condition lets one retry win, not two.
            taken = execute_update(
                session,
                update(IdempotencyKey)
                .where(
                    IdempotencyKey.id == row.id,
                    IdempotencyKey.response_status.is_(None),
                    IdempotencyKey.created_at == row.created_at,
                )
                .values(created_at=utcnow()),
            )
            if taken:
                return None
    raise Conflict(
        "An upload with this Idempotency-Key is still being received; wait for it to finish.",
        code="idempotency_request_in_progress",
        headers={"Retry-After": "5"},
    )


def complete(
    session: Session, user_id: int, key: str, request_hash: str, status: int, body: dict[str, Any]
) -> None:
    """Record the answer, in the transaction that created (or found) the job."""
    row = session.scalars(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    ).one()
    row.request_hash, row.response_status, row.response_body = request_hash, status, body


def release(db: Database, user_id: int, key: str) -> None:
    """Forget a reservation whose request failed, so that a corrected retry can proceed."""
    with db.session() as session:
        session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id,
                IdempotencyKey.key == key,
                IdempotencyKey.response_status.is_(None),
            )
        )


def reused(answer: Answer, request_hash: str) -> ApiError | None:
    if answer.request_hash == request_hash:
        return None
    return ApiError(
        "This Idempotency-Key was already used for a different video; use a new key.",
        code="idempotency_key_reused",
        status=422,
    )
