"""A Celery worker as the Procfile starts it, on a test's own database and Redis."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from backend.config import PROJECT_ROOT
from tests.services import clean_environ


@contextmanager
def celery_worker(root: Path, database_url: str, redis_url: str, **env: str) -> Iterator[Path]:
    """`celery -A backend.celery_worker worker` until the block ends; yields its log's path."""
    log_path = root / "worker.log"
    environment = {
        **clean_environ(),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CLIPSCOPE_EXECUTOR": "celery",
        "CLIPSCOPE_UPLOAD_DIR": str(root / "uploads"),
        "CLIPSCOPE_SECRET_KEY": "test",
        "CLIPSCOPE_EXPO_PUSH_URL": "http://127.0.0.1:9",
        **env,
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                str(PROJECT_ROOT / ".venv/bin/celery"),
                "-A",
                "backend.celery_worker",
                "worker",
                "--concurrency=2",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield log_path
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
