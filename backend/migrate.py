"""Apply the Alembic migrations: `python -m backend.migrate` (used by make run and tests)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from backend.config import PROJECT_ROOT, Config, normalize_database_url


def alembic_config(database_url: str) -> AlembicConfig:
    cfg = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", normalize_database_url(database_url))
    return cfg


# Any constant shared by every Clipscope process: the key of the migration lock.
MIGRATION_LOCK_KEY = 7_201_944_311


def upgrade(database_url: str) -> None:
    """Bring the schema at `database_url` to the newest revision.

    Web processes and workers started at once all run this: one migrates while the others
    wait for it, then find nothing left to do.
    """
    with migration_lock(normalize_database_url(database_url)):
        command.upgrade(alembic_config(database_url), "head")


@contextmanager
def migration_lock(url: str) -> Iterator[None]:
    """A lock held across processes (and machines, on PostgreSQL) for one migration run."""
    if url.startswith("postgresql"):
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                # A session-level advisory lock: released when the connection closes, even if
                # this process dies mid-migration.
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                conn.commit()
                yield
        finally:
            engine.dispose()
    elif url.startswith("sqlite") and url.split("///", 1)[-1] not in ("", ":memory:"):
        path = Path(url.split("///", 1)[-1])
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".migrate-lock"), "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
            yield
    else:
        yield


if __name__ == "__main__":
    upgrade(Config.from_env().database_url)
