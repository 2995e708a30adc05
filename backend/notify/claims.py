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

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.orm import Session

from backend.db import Database
from backend.models import OutboxStatus, PushOutbox, PushToken
from backend.notify.tokens import is_expo_token


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


def claim_for_send(
    db: Database, now: datetime, limit: int, lease_s: float
) -> tuple[str, list[SendClaim]]:
    """Take up to `limit` due rows; rows whose token died or moved are closed here."""
    claim_id = uuid.uuid4().hex
    due = and_(
        PushOutbox.status == OutboxStatus.PENDING,
        PushOutbox.next_attempt_at <= now,
        PushOutbox.lease_until.is_(None),
    )
    candidates = (
        select(PushOutbox.id)
        .where(due)
        .order_by(PushOutbox.next_attempt_at, PushOutbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL: skip rows another sender is taking
    )
    with db.session() as session:
        _close_uncertain(session, now)
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
        closed: list[dict[str, Any]] = []
        for row in rows:
            skip = _unusable(row.active, row.owner_id, row.user_id, row.token)
            if skip is not None:
                closed.append(dead(row.id, now, skip))
            else:
                claims.append(SendClaim(row.id, row.token_id, row.token, row.message, row.attempts))
        apply(session, claim_id, closed)
    return claim_id, claims


UNCERTAIN = (
    "not sent again: the sender stopped while Expo may already have accepted it, and a "
    "second copy would show twice on the phone"
)


def _close_uncertain(session: Session, now: datetime) -> None:
    """Rows whose sender died mid-send (lease run out, no outcome) end here, unsent again.

    Every outcome of a send (sent, retry, dead) ends the lease; a lapsed lease on a pending
    row means the sender died between claiming it and recording Expo's answer. Expo takes no
    idempotency key, so sending again could show the notification twice: at most once wins.
    """
    session.execute(
        update(PushOutbox)
        .where(
            PushOutbox.status == OutboxStatus.PENDING,
            PushOutbox.lease_until.is_not(None),
            PushOutbox.lease_until < now,
        )
        .values(status=OutboxStatus.DEAD, error=UNCERTAIN, lease_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def _unusable(active: bool, owner_id: int, user_id: int, token: str) -> str | None:
    if not active:
        return "token deactivated before sending"
    if owner_id != user_id:
        # The device signed in to another account since: it must not see this user's jobs.
        return "token moved to another account before sending"
    if not is_expo_token(token):
        return "not an Expo push token"
    return None


# A row's next state, as a dict for apply(); each ends our lease on the row.


def sent(row_id: int, now: datetime, ticket_id: str, receipt_due: datetime) -> dict[str, Any]:
    return {
        "id": row_id,
        "status": OutboxStatus.SENT,
        "ticket_id": ticket_id,
        "sent_at": now,
        "receipt_due_at": receipt_due,
        "error": None,
        "lease_until": None,
        "updated_at": now,
    }


def retry(row_id: int, now: datetime, at: datetime, reason: str) -> dict[str, Any]:
    return {
        "id": row_id,
        "status": OutboxStatus.PENDING,
        "next_attempt_at": at,
        "error": reason[:500],
        "lease_until": None,
        "updated_at": now,
    }


def dead(row_id: int, now: datetime, reason: str) -> dict[str, Any]:
    return {
        "id": row_id,
        "status": OutboxStatus.DEAD,
        "error": reason[:500],
        "lease_until": None,
        "updated_at": now,
    }


def receipt_done(
    row_id: int, now: datetime, status: OutboxStatus, error: str | None = None
) -> dict[str, Any]:
    return {
        "id": row_id,
        "status": status,
        "error": None if error is None else error[:500],
        "receipt_checked_at": now,
        "updated_at": now,
    }


def receipt_later(row_id: int, now: datetime, at: datetime, note: str | None) -> dict[str, Any]:
    return {
        "id": row_id,
        "receipt_due_at": at,
        "receipt_checked_at": now,
        "error": None if note is None else note[:500],
        "updated_at": now,
    }


def apply(session: Session, claim_id: str, changes: list[dict[str, Any]]) -> None:
    """Write rows' new states in one executemany per shape, only where our claim stands."""
    shapes: dict[frozenset[str], list[dict[str, Any]]] = {}
    for change in changes:
        shapes.setdefault(frozenset(change), []).append(change)
    for group in shapes.values():
        session.execute(
            update(PushOutbox)
            .where(PushOutbox.claim_id == claim_id)
            .execution_options(synchronize_session=False),
            group,
        )


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


# --- when to look again -------------------------------------------------------------------


def next_send_due(db: Database) -> datetime | None:
    """The earliest moment a pending row becomes due (a lease held elsewhere included)."""
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
        found: datetime | None = session.scalar(
            select(func.min(send_at)).where(PushOutbox.status == OutboxStatus.PENDING)
        )
    return found
