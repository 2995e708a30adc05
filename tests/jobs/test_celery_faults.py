"""Scale-out mode under faults: real `make worker` processes stopped, killed and waited for.

Each test runs on the tests' own PostgreSQL and on both brokers: RabbitMQ (durable, the one
the README recommends) and Redis.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from backend.config import PROJECT_ROOT
from backend.jobs.runners.celery import CeleryRunner, celery_app, queued_messages
from tests.conftest import AppFactory
from tests.db_faults import cut_connections, database_away
from tests.helpers import AuthActions, distinct_videos, services_of, upload_file, wait_for
from tests.services import clean_environ
from tests.videos import make_video

pytestmark = pytest.mark.postgres
LEASE_S = 3


@pytest.fixture(params=["rabbitmq", "redis"])
def broker_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(scope="module")
def long_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Several seconds of analysis: a stop or a kill always lands in the middle of it.
    directory = tmp_path_factory.mktemp("celery-video")
    return make_video(directory / "long.mp4", seconds=60, fps=30, width=480, height=270)


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


@pytest.fixture
def workers(postgres_url: str, broker_url: str, tmp_path: Path) -> Iterator[Workers]:
    found = Workers(postgres_url, broker_url, tmp_path)
    try:
        yield found
    finally:
        found.stop_all()


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


def test_sigterm_to_a_worker_gives_its_job_back_without_spending_an_attempt(
    make_app: AppFactory,
    postgres_url: str,
    broker_url: str,
    workers: Workers,
    long_video: Path,
    tmp_path: Path,
) -> None:
    client = web_app(make_app, postgres_url, broker_url, tmp_path)
    headers = AuthActions(client).register()
    first = workers.start()
    job_id = start_long_job(client, headers, long_video)

    stopped_at = time.monotonic()
    os.killpg(first.pid, signal.SIGTERM)  # what systemd sends to the whole unit
    first.wait(30)
    assert time.monotonic() - stopped_at < 10, workers.logs()[-3000:]
    found = job(client, headers, job_id)
    assert (found["status"], found["attempts"]) == ("queued", 0), found

    workers.start()
    wait_completed(client, headers, job_id, "another worker to run the job given back")
    assert job(client, headers, job_id)["attempts"] == 1


def test_a_killed_worker_has_its_job_taken_over_within_the_lease(
    make_app: AppFactory,
    postgres_url: str,
    broker_url: str,
    workers: Workers,
    long_video: Path,
    tmp_path: Path,
) -> None:
    client = web_app(make_app, postgres_url, broker_url, tmp_path)
    headers = AuthActions(client).register()
    processes = [workers.start(), workers.start()]
    job_id = start_long_job(client, headers, long_video)
    running = worker_pid(client, headers, job_id)
    [victim] = [p for p in processes if p.pid != running and running in _tree(p.pid)]

    killed_at = time.monotonic()
    os.killpg(victim.pid, signal.SIGKILL)  # an OOM kill or a lost machine: no goodbye

    def taken_over() -> bool:
        found = job(client, headers, job_id)
        return found["attempts"] == 2 and found["status"] in ("processing", "completed")

    wait_for(taken_over, timeout=60, what="the other worker to take the job over")
    assert time.monotonic() - killed_at <= LEASE_S + 15
    wait_completed(client, headers, job_id, "the job to complete on the other worker")


@pytest.mark.parametrize("broker_url", ["redis"], indirect=True)
def test_a_database_outage_mid_job_fails_nothing_on_a_worker(
    make_app: AppFactory,
    postgres_url: str,
    broker_url: str,
    workers: Workers,
    long_video: Path,
    tmp_path: Path,
) -> None:
    client = web_app(make_app, postgres_url, broker_url, tmp_path)
    headers = AuthActions(client).register()
    workers.start()
    job_id = start_long_job(client, headers, long_video)
    cut_connections(postgres_url)
    with database_away(postgres_url):
        # Shorter than the lease: the worker's progress writes fail, its job must not.
        threading.Event().wait(LEASE_S * 0.6)
    wait_completed(client, headers, job_id, "the job to complete after the outage")
    found = job(client, headers, job_id)
    assert found["attempts"] == 1, (found, workers.logs()[-3000:])


def test_waiting_jobs_do_not_multiply_their_messages(
    make_app: AppFactory, postgres_url: str, broker_url: str, tmp_path: Path
) -> None:
    client = web_app(make_app, postgres_url, broker_url, tmp_path)
    headers = AuthActions(client).register()
    for video in distinct_videos(tmp_path, 3, seconds=0.5):
        assert upload_file(client, headers, video).status_code == 202
    runner = services_of(client.application).runner
    assert isinstance(runner, CeleryRunner)
    assert queued_messages() == 3
    # No worker for a long while: every job is stale, but its message still waits.
    runner.resend_after = timedelta(0)
    runner.resend([])
    runner.resend([])
    assert queued_messages() == 3
    # The broker lost them (Redis restarted without a disk): now they are sent again, once.
    celery_app.control.purge()
    runner.resend([])
    assert queued_messages() == 3


def test_health_reports_the_broker_and_each_uniquely_named_worker(
    make_app: AppFactory,
    postgres_url: str,
    broker_url: str,
    workers: Workers,
    tmp_path: Path,
) -> None:
    client = web_app(make_app, postgres_url, broker_url, tmp_path)
    workers.start()
    workers.start()  # two `make worker` on one host

    def two_workers() -> bool:
        runner = services_of(client.application).runner
        assert isinstance(runner, CeleryRunner)
        runner._health.TTL_S = 0  # ask the broker every time in this test
        body = client.get("/api/health").get_json()
        return body["broker"] is True and len(body["live_workers"]) == 2

    wait_for(two_workers, timeout=60, what="both workers to answer a ping")
    names = client.get("/api/health").get_json()["live_workers"]
    assert all(name.startswith("clipscope-") for name in names)


def test_health_answers_at_once_while_the_broker_is_asked_again(
    make_app: AppFactory, postgres_url: str, broker_url: str, tmp_path: Path
) -> None:
    client = web_app(make_app, postgres_url, broker_url, tmp_path)
    assert client.get("/api/health").get_json()["broker"] is True  # the first check waits
    runner = services_of(client.application).runner
    assert isinstance(runner, CeleryRunner)
    runner._health.TTL_S = 0  # every check is due to ask again
    # No worker runs, so asking waits out the ping's half second; the probe does not.
    answer = client.get("/api/health")
    assert answer.status_code == 200 and answer.get_json()["broker"] is True
    assert runner._health._asking  # still asking in the background
    wait_for(lambda: not runner._health._asking, timeout=10, what="the background ask")


def _tree(pid: int) -> list[int]:
    """pid and every process under it."""
    found = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return found
    for child in children:
        found += _tree(int(child))
    return found
