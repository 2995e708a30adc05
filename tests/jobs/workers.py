"""Celery workers as the Procfile and `make worker` start them, on a test's own services, and
the web side the fault tests drive them from."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask.testing import FlaskClient

from backend.config import PROJECT_ROOT
from tests.conftest import AppFactory
from tests.helpers import services_of, upload_file, wait_for
from tests.services import clean_environ

# The fault tests' lease: a dead worker's job is taken over within seconds.
LEASE_S = 3


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


class Workers:
    """`make worker` processes on one database, broker and upload directory."""

    def __init__(self, postgres_url: str, broker_url: str, root: Path) -> None:
        self.root = root
        self.env = {
            **clean_environ(),
            "DATABASE_URL": postgres_url,
            "CELERY_BROKER_URL": broker_url,
            "CLIPSCOPE_EXECUTOR": "celery",
            "CLIPSCOPE_UPLOAD_DIR": str(root / "uploads"),
            "CLIPSCOPE_SECRET_KEY": "test",
            "CLIPSCOPE_EXPO_PUSH_URL": "http://127.0.0.1:9",
            "CLIPSCOPE_LEASE_S": str(LEASE_S),
            "CLIPSCOPE_WORKERS": "1",
        }
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = open(self.root / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            ["make", "--no-print-directory", "worker"],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.root.glob("worker-*.log"))

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(30)


def web_app(make_app: AppFactory, postgres_url: str, broker_url: str, root: Path) -> FlaskClient:
    """The web process's side: uploads send messages, its heartbeat recovers dead workers."""
    app = make_app(
        database_url=postgres_url,
        broker_url=broker_url,
        executor="celery",
        upload_dir=root / "uploads",
        lease_s=float(LEASE_S),
    )
    return app.test_client()


def job(client: FlaskClient, headers: dict[str, str], job_id: str) -> dict[str, object]:
    answer: dict[str, object] = client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
    return answer


def worker_pid(client: FlaskClient, headers: dict[str, str], job_id: str) -> int:
    """The pid in the job's owner id: the worker process running it."""
    from backend.models import Job

    with services_of(client.application).db.session() as session:
        row = session.get(Job, job_id)
        assert row is not None and row.owner is not None
        return int(row.owner.split(":")[1])


def wait_completed(client: FlaskClient, headers: dict[str, str], job_id: str, what: str) -> None:
    wait_for(lambda: job(client, headers, job_id)["status"] == "completed", 120, what)


def start_long_job(client: FlaskClient, headers: dict[str, str], video: Path) -> str:
    job_id: str = upload_file(client, headers, video).get_json()["job_id"]

    def analysing() -> bool:
        found = job(client, headers, job_id)
        return found["phase"] == "analyzing" and int(str(found["progress"])) >= 3

    wait_for(analysing, timeout=90, what="a worker to get the analysis going")
    return job_id


def tree(pid: int) -> list[int]:
    """pid and every process under it."""
    found = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return found
    for child in children:
        found += tree(int(child))
    return found
