"""A status poll in one plain query: the bearer token and the job checked together.

The poll is what every phone sends every two seconds, so it is the request the service answers
most. Through the ORM it took two sessions (the token, then the job) and most of its CPU went to
them (docs/performance.md, "Where a poll's CPU goes"). Here one SQLAlchemy Core SELECT joins the
live token to the job: the database is still asked on every poll, so a revoked token (sign-out,
sign-out everywhere, a new password) is refused by every process at once, with no cache to clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, and_, bindparam, select

from backend.accounts import TOUCH_EVERY, hash_token, touch_token
from backend.db import Database
from backend.jobs.documents import job_document
from backend.models import ApiToken, Job
from backend.timeutil import utcnow

_DOCUMENT_COLUMNS = (
    Job.id,
    Job.status,
    Job.phase,
    Job.progress,
    Job.message,
    Job.attempts,
    Job.filename,
    Job.size_bytes,
    Job.content_type,
    Job.created_at,
    Job.started_at,
    Job.updated_at,
    Job.finished_at,
    Job.error_code,
    Job.error_message,
)


def _poll_query(*job_columns: Any) -> Select[Any]:
    # An outer join: no row means the token is not live (401); a row without a job, that the
    # user has no such job (404, the same for another user's job).
    job_of_user = and_(Job.id == bindparam("job_id"), Job.user_id == ApiToken.user_id)
    return (
        select(ApiToken.user_id, ApiToken.id.label("token_id"), ApiToken.last_used_at, *job_columns)
        .select_from(ApiToken)
        .outerjoin(Job, job_of_user)
        .where(
            ApiToken.token_hash == bindparam("token_hash"),
            ApiToken.revoked_at.is_(None),
            ApiToken.last_used_at > bindparam("idle_cutoff"),
        )
    )


# Built once: building the expression costs more than running it.
_POLL = _poll_query(*_DOCUMENT_COLUMNS)
_POLL_WITH_RESULT = _poll_query(*_DOCUMENT_COLUMNS, Job.result)


@dataclass(frozen=True)
class Poll:
    """Who asked, as (user id, token id) (None: the token is not live), and the job's
    document (None: the user has no such job)."""

    signed_in: tuple[int, int] | None
    document: dict[str, Any] | None


def poll_job(db: Database, token: str, job_id: str, idle_days: int, *, with_result: bool) -> Poll:
    now = utcnow()
    params = {
        "token_hash": hash_token(token),
        "idle_cutoff": now - timedelta(days=idle_days),
        "job_id": job_id,
    }
    with db.engine.connect() as connection:
        row = connection.execute(_POLL_WITH_RESULT if with_result else _POLL, params).first()
        if row is None:
            return Poll(None, None)
        if now - row.last_used_at >= TOUCH_EVERY:
            touch_token(connection, row.token_id, now)
            connection.commit()
    document = job_document(row, with_result=with_result) if row.id is not None else None
    return Poll((row.user_id, row.token_id), document)
