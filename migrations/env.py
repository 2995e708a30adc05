"""Alembic environment: the URL comes from the caller or from backend.config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from backend.config import Config, normalize_database_url
from backend.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or Config.from_env().database_url
config.set_main_option("sqlalchemy.url", normalize_database_url(url))
target_metadata = Base.metadata


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        # Batch mode lets ALTERs work on SQLite, which cannot alter most things in place.
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
