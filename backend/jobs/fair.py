"""Which queued job runs next: round-robin across users, each capped while others wait.

One account's hundred uploads must not keep everyone else's single video waiting. The next job
belongs to the waiting user with the fewest running jobs (a user at `user_max_running` comes
after every user below it), and among those, to the one served longest ago; that user's oldest
queued job is taken. A user at the cap still gets a free slot when every waiting user is at it:
no slot stays idle while work waits.

The choice and the claim happen under one database-wide claim lock (SQLite's write lock, a
PostgreSQL advisory lock), so two runners deciding at once cannot both give the last fair slot
to the same user; the claim's conditional UPDATE still guarantees that no job runs twice.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, case, func, select, text
from sqlalchemy.orm import Session, aliased

from backend.models import Job
from backend.models.status import JobStatus

# pg_advisory_xact_lock key of the claim decision ("clipscop" in ASCII): any constant unique
# to this application's claims.
_PG_CLAIM_LOCK = 0x636C697073636F70


def lock_claims(session: Session) -> None:
    """Serialize claim decisions across every process until this transaction ends."""
    if session.get_bind().dialect.name == "sqlite":
        # A write (even of no row) takes SQLite's one write lock now, not at the claim's UPDATE,
        # so the choice below reads what no other claimer can change before we commit.
        session.execute(text("UPDATE jobs SET id = id WHERE 0"))
    else:
        session.execute(select(func.pg_advisory_xact_lock(_PG_CLAIM_LOCK)))


def next_fair_job(session: Session, user_max_running: int) -> str | None:
    """The id of the queued job whose turn it is, or None when nothing waits."""
    user_id = session.scalar(_next_user(user_max_running))
    if user_id is None:
        return None
    return session.scalar(
        select(Job.id)
        .where(Job.user_id == user_id, Job.status == JobStatus.QUEUED)
        .order_by(Job.created_at, Job.id)
        .limit(1)
    )


def _next_user(user_max_running: int) -> Select[tuple[int]]:
    waiting = (
        select(Job.user_id, func.min(Job.created_at).label("oldest"))
        .where(Job.status == JobStatus.QUEUED)
        .group_by(Job.user_id)
        .subquery()
    )
    mine = aliased(Job)
    running = (
        select(func.count())
        .select_from(mine)
        .where(and_(mine.user_id == waiting.c.user_id, mine.status == JobStatus.PROCESSING))
        .scalar_subquery()
    )
    # When the user's last job started: the longest-unserved user goes first (round-robin).
    served = (
        select(func.max(mine.started_at))
        .where(and_(mine.user_id == waiting.c.user_id, mine.started_at.is_not(None)))
        .scalar_subquery()
    )
    at_cap = case((running >= user_max_running, 1), else_=0)
    return (
        select(waiting.c.user_id)
        .order_by(
            at_cap,
            running,
            served.is_not(None),  # never served first (False sorts before True everywhere)
            served,
            waiting.c.oldest,
            waiting.c.user_id,
        )
        .limit(1)
    )
