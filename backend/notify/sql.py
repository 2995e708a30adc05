"""INSERT ... ON CONFLICT for the dialect in use (SQLite in embedded mode, PostgreSQL at scale)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert_insert(session: Session, model: type[Any]) -> Any:
    """An insert() with on_conflict_do_nothing/do_update for the session's database."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(model)
    if name == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"push outbox needs SQLite or PostgreSQL, not {name}")
