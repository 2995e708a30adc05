"""Fixtures: an app on a migrated SQLite copy per test, a client, and an auth helper."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import backend.jobs.execute as execute_module
from backend import create_app
from backend.config import Config
from backend.migrate import upgrade
from backend.services import Services
from tests.helpers import AuthActions
from tests.videos import make_video

AppFactory = Callable[..., Flask]


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the Alembic migrations once; each test gets a copy of the result."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def make_app(tmp_path: Path, migrated_template: Path) -> Iterator[AppFactory]:
    apps: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        db_path = tmp_path / "clipscope.db"
        if not db_path.exists():
            shutil.copy(migrated_template, db_path)
        settings: dict[str, Any] = {
            "database_url": f"sqlite:///{db_path}",
            "upload_dir": tmp_path / "uploads",
            "executor": "inline",
            "secret_key": "test",
            "testing": True,
            "expo_push_url": "http://127.0.0.1:9",
            "rate_limits_enabled": False,
            "poll_interval_s": 0.05,
            "start_background": True,
        }
        settings.update(overrides)
        app = create_app(Config(**settings))
        apps.append(app)
        return app

    yield factory
    for app in apps:
        svc: Services = app.extensions["clipscope"]
        svc.stop()
        svc.db.dispose()


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture(scope="session")
def small_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2 s 160x120 H.264 MP4 at 24 fps with one cut at 1 s and a tone."""
    path = tmp_path_factory.mktemp("videos") / "clip.mp4"
    return make_video(path, seconds=2.0, fps=24, cuts=(1.0,), audio="tone")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database on the local server, dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text

    server = os.environ.get(
        "CLIPSCOPE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432"
    )
    name = f"clipscope_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{server}/{name}"
    upgrade(url)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def paused_analysis(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """The analysis holds at its first 'analyzing' report until the test lets it go on."""
    started, go_on = threading.Event(), threading.Event()
    real = execute_module.analyze_isolated

    def analyze(path: Any, progress: Any, should_stop: Any, **kwargs: Any) -> Any:
        def hold(phase: str, percent: int, message: str) -> None:
            if phase == "analyzing" and not started.is_set():
                started.set()
                go_on.wait(30)
            progress(phase, percent, message)

        return real(path, hold, should_stop, **kwargs)

    monkeypatch.setattr(execute_module, "analyze_isolated", analyze)
    return started, go_on
