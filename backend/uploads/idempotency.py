"""Idempotency-Key for uploads: a retried request gets the first answer, not a second job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.db import Database
from backend.errors import ApiError, Conflict, ValidationFailed
from backend.jobs.store import execute_update
from backend.models import IdempotencyKey
from backend.timeutil import utcnow
from backend.uploads.holder import holder_alive, new_holder

# A reservation made before holders existed, or one a live process stopped renewing, is
# abandoned after this.
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


def begin(
    db: Database, user_id: int, key: str, holder: str | None = None, lease_s: float = 30.0
) -> Answer | None:
    """Reserve the key for this request (as `holder`); the earlier answer if it has one."""
    holder = holder or new_holder()
    now = utcnow()
    lease = now + timedelta(seconds=lease_s)
    try:
        with db.session() as session:
            session.add(
                IdempotencyKey(user_id=user_id, key=key, holder=holder, lease_expires_at=lease)
            )
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
        if _abandoned(row, now):
            # Take the abandoned reservation over; the condition lets one retry win, not two.
            same_holder = (
                IdempotencyKey.holder.is_(None)
                if row.holder is None
                else IdempotencyKey.holder == row.holder
            )
            taken = execute_update(
                session,
                update(IdempotencyKey)
                .where(
                    IdempotencyKey.id == row.id,
                    IdempotencyKey.response_status.is_(None),
                    IdempotencyKey.created_at == row.created_at,
                    same_holder,
                )
                .values(created_at=now, holder=holder, lease_expires_at=lease),
            )
            if taken:
                return None
    raise _in_progress()


def _abandoned(row: IdempotencyKey, now: datetime) -> bool:
    """Whether the request that reserved the key is gone (its process died or stopped reading)."""
    if row.holder is None or row.lease_expires_at is None:
        return now - row.created_at > ABANDONED_AFTER
    alive = holder_alive(row.holder)
    if alive is False:
        return True  # its process on this machine is gone: a restart frees the key at once
    if row.lease_expires_at > now:
        return False
    # The lease lapsed. A holder elsewhere stopped renewing it; one alive here is a slow reader
    # that the body idle timeout will end, so it keeps the key until the hour is up.
    return alive is None or now - row.lease_expires_at > ABANDONED_AFTER


def renew(db: Database, user_id: int, key: str, holder: str, lease_s: float) -> None:
    """Push the reservation's lease on while its body is still arriving."""
    with db.session() as session:
        session.execute(
            update(IdempotencyKey)
            .where(
                IdempotencyKey.user_id == user_id,
                IdempotencyKey.key == key,
                IdempotencyKey.holder == holder,
                IdempotencyKey.response_status.is_(None),
            )
            .values(lease_expires_at=utcnow() + timedelta(seconds=lease_s))
        )


def _in_progress() -> Conflict:
    return Conflict(
        "An upload with this Idempotency-Key is still being received; wait for it to finish.",
        code="idempotency_request_in_progress",
        headers={"Retry-After": "5"},
    )


def complete(
    session: Session,
    user_id: int,
    key: str,
    request_hash: str,
    status: int,
    body: dict[str, Any],
    holder: str | None = None,
) -> None:
    """Record the answer, in the transaction that created (or found) the job."""
    query = select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id,
        IdempotencyKey.key == key,
        IdempotencyKey.response_status.is_(None),
    )
    if holder is not None:
        query = query.where(IdempotencyKey.holder == holder)
    row = session.scalars(query.with_for_update()).one_or_none()
    if row is None:
        # A retry took the key over while this request was stalled; the retry's answer counts.
        raise _in_progress()
    row.request_hash, row.response_status, row.response_body = request_hash, status, body


def release(db: Database, user_id: int, key: str, holder: str | None = None) -> None:
    """Forget a reservation whose request failed, so that a corrected retry can proceed."""
    query = delete(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id,
        IdempotencyKey.key == key,
        IdempotencyKey.response_status.is_(None),
    )
    if holder is not None:
        query = query.where(IdempotencyKey.holder == holder)
    with db.session() as session:
        session.execute(query)


def reused(answer: Answer, request_hash: str) -> ApiError | None:
    if answer.request_hash == request_hash:
        return None
    return ApiError(
        "This Idempotency-Key was already used for a different video; use a new key.",
        code="idempotency_key_reused",
        status=422,
    )
