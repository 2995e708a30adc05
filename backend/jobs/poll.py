"""A status poll in one plain query: the bearer token and the job checked together.

The poll is what every phone sends every two seconds, so it is the request the service answers
most. Through the ORM it took two sessions (the token, then the job), and most of its CPU went
to them (docs/performance.md, "Where a poll's CPU goes"). Here one SELECT joins the live token
to the job: the database is still asked on every poll, so a revoked token (sign-out, sign-out
everywhere, a new password) is refused by every process at once, with no cache to clear.

The statement is built with SQLAlchemy Core, compiled once per database dialect and run on the
pool's DBAPI connection: SQLAlchemy's execution and result layers cost more than the query.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Dialect, Engine, PoolProxiedConnection, Select, and_, bindparam, select
from sqlalchemy.exc import DBAPIError

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
_TIMES = ("created_at", "started_at", "updated_at", "finished_at")


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


_POLL = _poll_query(*_DOCUMENT_COLUMNS)
_POLL_WITH_RESULT = _poll_query(*_DOCUMENT_COLUMNS, Job.result)


class _Compiled(NamedTuple):
    sql: str
    positional: tuple[str, ...] | None  # the order of the parameters, for a qmark driver
    columns: tuple[str, ...]
    to_database: Callable[[Any], Any]  # a time as this database's driver takes it


_compiled: dict[tuple[str, bool], _Compiled] = {}


def _compile(dialect: Dialect, with_result: bool) -> _Compiled:
    key = (dialect.name, with_result)
    found = _compiled.get(key)
    if found is None:
        statement = _POLL_WITH_RESULT if with_result else _POLL
        compiled = statement.compile(dialect=dialect)
        positional = tuple(compiled.positiontup or ()) if dialect.positional else None
        columns = tuple(str(column.key) for column in statement.selected_columns)
        to_database = ApiToken.last_used_at.type.bind_processor(dialect) or (lambda v: v)
        found = _compiled[key] = _Compiled(str(compiled), positional, columns, to_database)
    return found


class _Row:
    """The row as attributes (what job_document reads), with the driver's values made typed."""

    def __init__(self, columns: tuple[str, ...], values: tuple[Any, ...]) -> None:
        self.__dict__.update(zip(columns, values, strict=True))
        for name in ("last_used_at", *_TIMES):  # SQLite hands back text; PostgreSQL, datetimes
            value = self.__dict__[name]
            if isinstance(value, str):
                self.__dict__[name] = datetime.fromisoformat(value)
        result = self.__dict__.get("result")
        if isinstance(result, str):
            self.__dict__["result"] = json.loads(result)

    def __getattr__(self, name: str) -> Any:  # only called for a missing one; typed for mypy
        raise AttributeError(name)


def _fetch_one(engine: Engine, sql: str, args: Any) -> Any:
    """One row, with the driver's errors raised as SQLAlchemy's (a database away or a dropped
    connection is a transient error, answered 503: backend/transient.py), and a connection
    found dead invalidated, not handed out again."""
    dialect = engine.dialect
    connection: PoolProxiedConnection | None = None
    try:
        connection = engine.raw_connection()
        cursor = connection.cursor()
        try:
            cursor.execute(sql, args)
            return cursor.fetchone()
        finally:
            cursor.close()
    except dialect.loaded_dbapi.Error as error:
        dbapi = connection.dbapi_connection if connection is not None else None
        dropped = dialect.is_disconnect(error, dbapi, None)
        if dropped and connection is not None:
            connection.invalidate(error)
        raise DBAPIError.instance(
            sql, args, error, dialect.loaded_dbapi.Error, connection_invalidated=dropped
        ) from error
    finally:
        if connection is not None:
            connection.close()  # back to the pool (rolled back), unless invalidated


@dataclass(frozen=True)
class Poll:
    """Who asked, as (user id, token id) (None: the token is not live), and the job's
    document (None: the user has no such job)."""

    signed_in: tuple[int, int] | None
    document: dict[str, Any] | None


def poll_job(db: Database, token: str, job_id: str, idle_days: int, *, with_result: bool) -> Poll:
    now = utcnow()
    query = _compile(db.engine.dialect, with_result)
    params = {
        "token_hash": hash_token(token),
        "idle_cutoff": query.to_database(now - timedelta(days=idle_days)),
        "job_id": job_id,
    }
    args: Any = params if query.positional is None else [params[k] for k in query.positional]
    values = _fetch_one(db.engine, query.sql, args)
    if values is None:
        return Poll(None, None)
    row = _Row(query.columns, tuple(values))
    if now - row.last_used_at >= TOUCH_EVERY:
        with db.engine.begin() as writer:
            touch_token(writer, row.token_id, now)
    document = job_document(row, with_result=with_result) if row.id is not None else None
    return Poll((row.user_id, row.token_id), document)
