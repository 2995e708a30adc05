"""Migrations: any number of processes may start at once on an empty database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from backend.config import PROJECT_ROOT
from backend.migrate import alembic_config
from backend.models.base import Base


def migrate_at_once(url: str, count: int) -> list[subprocess.CompletedProcess[bytes]]:
    env = {**os.environ, "DATABASE_URL": url, "CLIPSCOPE_SECRET_KEY": "test"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "backend.migrate"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(count)
    ]
    return [
        subprocess.CompletedProcess(p.args, p.wait(120), p.stdout.read() if p.stdout else b"")
        for p in processes
    ]


def assert_migrated(url: str, runs: list[subprocess.CompletedProcess[bytes]]) -> None:
    for run in runs:
        assert run.returncode == 0, run.stdout.decode(errors="replace")[-2000:]
    engine = create_engine(url)
    try:
        assert {"jobs", "users", "alembic_version"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_three_processes_migrate_an_empty_sqlite_database_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert_migrated(url, migrate_at_once(url, 3))


@pytest.mark.postgres
def test_three_processes_migrate_an_empty_postgres_database_at_once(postgres_url: str) -> None:
    command.downgrade(alembic_config(postgres_url), "base")  # an empty database again
    assert_migrated(postgres_url, migrate_at_once(postgres_url, 3))


@pytest.mark.postgres
def test_the_migrations_build_the_schema_the_models_declare(postgres_url: str) -> None:
    # A column or an index added to a model without its migration (or the other way round)
    # would work in the tests' create_all databases and not on a real deployment's.
    command.downgrade(alembic_config(postgres_url), "base")
    command.upgrade(alembic_config(postgres_url), "head")
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
