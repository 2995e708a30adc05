"""Apply the Alembic migrations: `python -m backend.migrate` (used by make run and tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig

from backend.config import PROJECT_ROOT, Config, normalize_database_url


def alembic_config(database_url: str) -> AlembicConfig:
    cfg = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", normalize_database_url(database_url))
    return cfg


def upgrade(database_url: str) -> None:
    """Bring the schema at `database_url` to the newest revision."""
    command.upgrade(alembic_config(database_url), "head")


if __name__ == "__main__":
    upgrade(Config.from_env().database_url)
