"""Fixtures of the scale-out fault tests: both brokers, a long video, `make worker` processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.jobs.workers import Workers
from tests.videos import make_video


@pytest.fixture(params=["rabbitmq", "redis"])
def broker_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(scope="session")
def long_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Several seconds of analysis: a stop or a kill always lands in the middle of it.
    directory = tmp_path_factory.mktemp("celery-video")
    return make_video(directory / "long.mp4", seconds=60, fps=30, width=480, height=270)


@pytest.fixture
def workers(postgres_url: str, broker_url: str, tmp_path: Path) -> Iterator[Workers]:
    found = Workers(postgres_url, broker_url, tmp_path)
    try:
        yield found
    finally:
        found.stop_all()
