"""Writing the outbox: one row per active device when a job ends, in that job's transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from backend.db import Database
from backend.models import Job, OutboxStatus, PushOutbox, PushToken
from backend.models.status import JobStatus
from backend.notify.message import build_message
from backend.notify.sql import upsert_insert
from backend.timeutil import utcnow

log = logging.getLogger(__name__)

NOTIFIED = frozenset({JobStatus.COMPLETED, JobStatus.FAILED})
# Set on a session that wrote outbox rows; read after its commit to wake the sender.
WAKE_KEY = "clipscope.push.wake"


def write_outbox(session: Session, job: Job) -> int:
    """Queue the job's notification for each active token of its owner; rows written."""
    if job.status not in NOTIFIED:
        return 0
    return queue_message(session, job.user_id, job.id, lambda: build_message(job))


def queue_message(
    session: Session, user_id: int, job_id: str, build: Callable[[], dict[str, Any]]
) -> int:
    """One outbox row per active token of the user, keyed by `job_id`; rows written."""
    try:
        # A savepoint: whatever goes wrong here is undone alone and the job still ends.
        with session.begin_nested():
            token_ids = session.scalars(
                select(PushToken.id).where(PushToken.user_id == user_id, PushToken.active.is_(True))
            ).all()
            if not token_ids:
                return 0
            message = build()
            now = utcnow()
            rows = [
                {
                    "job_id": job_id,
                    "user_id": user_id,
                    "token_id": token_id,
                    "message": message,
                    "status": OutboxStatus.PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for token_id in token_ids
            ]
            # (job, token) is unique: a replayed end of the same job adds nothing.
            session.execute(
                upsert_insert(session, PushOutbox)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["job_id", "token_id"])
            )
    except Exception:
        log.exception("push for job %s not queued; the job's end is kept", job_id)
        return 0
    session.info[WAKE_KEY] = True
    return len(token_ids)


def wake_after_commit(db: Database, wake: Callable[[], None]) -> None:
    """Call `wake` once a transaction that wrote outbox rows has committed.

    Waking earlier would let the sender look before the rows are visible; a crash between
    the commit and the wake only delays the push until the sender's next sweep.
    """

    def after_commit(session: Session) -> None:
        if session.info.pop(WAKE_KEY, False):
            wake()

    def after_rollback(session: Session) -> None:
        session.info.pop(WAKE_KEY, None)

    event.listen(db.sessions, "after_commit", after_commit)
    event.listen(db.sessions, "after_rollback", after_rollback)
