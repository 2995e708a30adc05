"""The real server, started exactly as `make run` starts it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from backend.config import PROJECT_ROOT
from tests.helpers import wait_for


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(tmp_path: Path, **env: str) -> Iterator[str]:
    """`make run` on a free port with its own database and uploads; yields the base URL."""
    port = free_port()
    environment = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}",
        "CLIPSCOPE_UPLOAD_DIR": str(tmp_path / "uploads"),
        "CLIPSCOPE_SECRET_KEY": "test",
        "CLIPSCOPE_EXPO_PUSH_URL": "http://127.0.0.1:9",
        "WEB_CONCURRENCY": "2",
        **env,
    }
    log_path = tmp_path / f"server-{port}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert process.poll() is None, log_path.read_text()
        try:
            return requests.get(f"{base}/api/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False  # listening, but the workers are still booting

    try:
        wait_for(healthy, timeout=60, what="gunicorn to answer")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
        log.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with running_server(tmp_path) as base:
        yield base
