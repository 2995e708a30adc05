"""The sender's database side: claim due rows under a lease, then record what Expo said.

Claims are conditional UPDATEs stamped with a fresh claim id, like the job store's: two
senders (threads or gunicorn workers) racing for the same row cannot both win it, and a
sender that died frees its rows when the lease runs out.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from backend.db import Database
from backend.models import OutboxStatus, PushOutbox, PushToken
from backend.notify.tokens import deactivate_token, is_expo_token


@dataclass(frozen=True)
class SendClaim:
    row_id: int
    token_id: int
    token: str
    message: dict[str, Any]
    attempt: int  # 1 for the first try


@dataclass(frozen=True)
class ReceiptClaim:
    row_id: int
    token_id: int
    ticket_id: str
    sent_at: datetime


def _free(now: datetime) -> Any:
    return or_(PushOutbox.lease_until.is_(None), PushOutbox.lease_until < now)


def claim_for_send(
    db: Database, now: datetime, limit: int, lease_s: float
) -> tuple[str, list[SendClaim]]:
    """Take up to `limit` due rows; rows whose token died or moved are closed here."""
    claim_id = uuid.uuid4().hex
    due = and_(
        PushOutbox.status == OutboxStatus.PENDING,
        PushOutbox.next_attempt_at <= now,
        _free(now),
    )
    candidates = (
        select(PushOutbox.id)
        .where(due)
        .order_by(PushOutbox.next_attempt_at, PushOutbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL: skip rows another sender is taking
    )
    with db.session() as session:
        session.execute(
            update(PushOutbox)
            .where(PushOutbox.id.in_(candidates), due)
            .values(
                claim_id=claim_id,
                lease_until=now + timedelta(seconds=lease_s),
                attempts=PushOutbox.attempts + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        rows = session.execute(
            select(
                PushOutbox.id,
                PushOutbox.token_id,
                PushOutbox.user_id,
                PushOutbox.message,
                PushOutbox.attempts,
                PushToken.token,
                PushToken.active,
                PushToken.user_id.label("owner_id"),
            )
            .join(PushToken, PushToken.id == PushOutbox.token_id)
            .where(PushOutbox.claim_id == claim_id)
            .order_by(PushOutbox.id)
        ).all()
        claims: list[SendClaim] = []
        for row in rows:
            skip = _unusable(row.active, row.owner_id, row.user_id, row.token)
            if skip is not None:
                _close(session, row.id, claim_id, OutboxStatus.DEAD, now, error=skip)
            else:
                claims.append(SendClaim(row.id, row.token_id, row.token, row.message, row.attempts))
    return claim_id, claims


def _unusable(active: bool, owner_id: int, user_id: int, token: str) -> str | None:
    if not active:
        return "token deactivated before sending"
    if owner_id != user_id:
        # The device signed in to another account since: it must not see this user's jobs.
        return "token moved to another account before sending"
    if not is_expo_token(token):
        return "not an Expo push token"
    return None


def _close(
    session: Session,
    row_id: int,
    claim_id: str,
    status: OutboxStatus,
    now: datetime,
    **values: Any,
) -> None:
    """Write a row's new state, only if our claim on it still stands."""
    session.execute(
        update(PushOutbox)
        .where(PushOutbox.id == row_id, PushOutbox.claim_id == claim_id)
        .values(status=status, lease_until=None, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )


def record_sent(
    session: Session,
    claim: SendClaim,
    claim_id: str,
    ticket_id: str,
    now: datetime,
    receipt_due: datetime,
) -> None:
    _close(
        session,
        claim.row_id,
        claim_id,
        OutboxStatus.SENT,
        now,
        ticket_id=ticket_id,
        sent_at=now,
        receipt_due_at=receipt_due,
        error=None,
    )


def record_retry(
    session: Session, claim: SendClaim, claim_id: str, now: datetime, at: datetime, reason: str
) -> None:
    _close(
        session,
        claim.row_id,
        claim_id,
        OutboxStatus.PENDING,
        now,
        next_attempt_at=at,
        error=reason[:500],
    )


def record_dead(
    session: Session,
    claim: SendClaim,
    claim_id: str,
    now: datetime,
    reason: str,
    *,
    device_gone: bool = False,
) -> None:
    _close(session, claim.row_id, claim_id, OutboxStatus.DEAD, now, error=reason[:500])
    if device_gone:
        deactivate_token(session, claim.token_id, reason, registered_before=now)


# --- receipts -----------------------------------------------------------------------------


def claim_receipts(
    db: Database, now: datetime, limit: int, lease_s: float
) -> tuple[str, list[ReceiptClaim]]:
    """Take up to `limit` sent rows whose receipt is due; pushing receipt_due_at is the lease."""
    claim_id = uuid.uuid4().hex
    due = and_(PushOutbox.status == OutboxStatus.SENT, PushOutbox.receipt_due_at <= now)
    candidates = (
        select(PushOutbox.id)
        .where(due)
        .order_by(PushOutbox.receipt_due_at, PushOutbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    with db.session() as session:
        session.execute(
            update(PushOutbox)
            .where(PushOutbox.id.in_(candidates), due)
            .values(claim_id=claim_id, receipt_due_at=now + timedelta(seconds=lease_s))
            .execution_options(synchronize_session=False)
        )
        rows = session.execute(
            select(PushOutbox.id, PushOutbox.token_id, PushOutbox.ticket_id, PushOutbox.sent_at)
            .where(PushOutbox.claim_id == claim_id)
            .order_by(PushOutbox.id)
        ).all()
    return claim_id, [
        ReceiptClaim(r.id, r.token_id, r.ticket_id or "", r.sent_at or now) for r in rows
    ]


def record_receipt(
    session: Session,
    claim: ReceiptClaim,
    claim_id: str,
    now: datetime,
    status: OutboxStatus,
    *,
    error: str | None = None,
    device_gone: bool = False,
) -> None:
    _close(session, claim.row_id, claim_id, status, now, error=error, receipt_checked_at=now)
    if device_gone and error is not None:
        # Only if the app has not registered the token again since this message was sent.
        deactivate_token(session, claim.token_id, error, registered_before=claim.sent_at)


def receipt_later(
    session: Session,
    claim: ReceiptClaim,
    claim_id: str,
    now: datetime,
    at: datetime,
    note: str | None = None,
) -> None:
    session.execute(
        update(PushOutbox)
        .where(PushOutbox.id == claim.row_id, PushOutbox.claim_id == claim_id)
        .values(receipt_due_at=at, receipt_checked_at=now, error=note)
        .execution_options(synchronize_session=False)
    )


# --- when to look again -------------------------------------------------------------------


def next_due(db: Database) -> datetime | None:
    """The earliest moment a pending row or a receipt becomes due (leases included)."""
    send_at = case(
        (
            and_(
                PushOutbox.lease_until.is_not(None),
                PushOutbox.lease_until > PushOutbox.next_attempt_at,
            ),
            PushOutbox.lease_until,
        ),
        else_=PushOutbox.next_attempt_at,
    )
    with db.session() as session:
        first_send = session.scalar(
            select(func.min(send_at)).where(PushOutbox.status == OutboxStatus.PENDING)
        )
        first_receipt = session.scalar(
            select(func.min(PushOutbox.receipt_due_at)).where(
                PushOutbox.status == OutboxStatus.SENT
            )
        )
    found = [t for t in (first_send, first_receipt) if t is not None]
    return min(found) if found else None
