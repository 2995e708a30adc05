"""Fixtures: an app on a migrated SQLite copy per test, a client, an auth helper, and the
tests' own throwaway PostgreSQL, Redis and RabbitMQ servers."""

from __future__ import annotations

import itertools
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import backend.jobs.runners.execute as execute_module
from backend.app import create_app
from backend.config import Config
from backend.migrate import upgrade
from backend.services import Services
from tests.helpers import AuthActions
from tests.services import PostgresServer, RabbitMQServer, RedisServer
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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server of the tests' own, never the machine's."""
    server = PostgresServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A database migrated once; each test's database is a copy of it."""
    name = "clipscope_template"
    _postgres_admin(postgres_server, f'CREATE DATABASE "{name}"')
    upgrade(f"{postgres_server.url}/{name}")
    return name


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, postgres_template: str) -> Iterator[str]:
    """A fresh, migrated database on the tests' own server, dropped afterwards."""
    name = f"clipscope_test_{uuid.uuid4().hex[:12]}"
    _postgres_admin(postgres_server, f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"')
    try:
        yield f"{postgres_server.url}/{name}"
    finally:
        _postgres_admin(postgres_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_admin(server: PostgresServer, statement: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(
        f"{server.url}/postgres", isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A throwaway in-memory Redis server of the tests' own."""
    server = RedisServer()
    try:
        yield server.start()
    finally:
        server.stop()


_redis_dbs = itertools.count(1)


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    """A Redis database of its own for this test on the tests' server, emptied afterwards."""
    import redis

    url = redis_server.url(next(_redis_dbs) % redis_server.databases)
    client = redis.Redis.from_url(url)
    client.flushdb()  # only ever our own server, never the machine's
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


@pytest.fixture(scope="session")
def rabbitmq_server() -> Iterator[RabbitMQServer]:
    """A throwaway RabbitMQ node of the tests' own (about 10 s to start, so only on demand)."""
    server = RabbitMQServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def rabbitmq_url(rabbitmq_server: RabbitMQServer) -> Iterator[str]:
    """A virtual host of its own for this test on the tests' RabbitMQ node, deleted afterwards."""
    vhost = f"test-{uuid.uuid4().hex[:12]}"
    url = rabbitmq_server.add_vhost(vhost)
    try:
        yield url
    finally:
        rabbitmq_server.delete_vhost(vhost)


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
