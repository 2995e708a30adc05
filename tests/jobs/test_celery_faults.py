"""Scale-out mode under faults: real `make worker` processes stopped, killed and waited for.

Each test runs on the tests' own PostgreSQL and on both brokers: RabbitMQ (durable, the one
docs/operations.md recommends) and Redis.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from backend.jobs.runners.broker_health import BrokerHealth
from backend.jobs.runners.celery import CeleryRunner, celery_app, queued_messages
from tests.conftest import AppFactory
from tests.db_faults import cut_connections, database_away
from tests.helpers import AuthActions, distinct_videos, services_of, upload_file, wait_for
from tests.jobs.workers import (
    LEASE_S,
    Workers,
    job,
    start_long_job,
    tree,
    wait_completed,
    web_app,
    worker_pid,
)

pytestmark = pytest.mark.postgres


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
    [victim] = [p for p in processes if p.pid != running and running in tree(p.pid)]

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
        body = client.get("/api/health").get_json()
        return body["broker"] is True and len(body["live_workers"]) == 2

    wait_for(two_workers, timeout=60, what="both workers to answer a ping")
    names = client.get("/api/health").get_json()["live_workers"]
    assert all(name.startswith("clipscope-") for name in names)


def test_health_answers_at_once_while_the_broker_is_asked_in_the_background(
    make_app: AppFactory, postgres_url: str, broker_url: str, tmp_path: Path
) -> None:
    client = web_app(make_app, postgres_url, broker_url, tmp_path)
    # The first probe answers at once too, with nothing known yet, until the first ask answers.
    first = client.get("/api/health").get_json()
    assert first["broker"] in (None, True), first
    wait_for(lambda: client.get("/api/health").get_json()["broker"] is True, 10, "an answer")
    # No worker runs, so every ask waits out the ping's half second; the probes do not.
    checked: set[str] = set()
    pause = threading.Event()
    ends_at = time.monotonic() + 3 * BrokerHealth.REFRESH_S
    while time.monotonic() < ends_at:
        asked = time.monotonic()
        body = client.get("/api/health").get_json()
        assert time.monotonic() - asked < 0.3, "a probe waited for the broker"
        assert body["broker"] is True
        assert 0 <= body["workers_age_s"] <= BrokerHealth.REFRESH_S + 1.5, body
        checked.add(body["workers_checked_at"])
        pause.wait(0.1)  # a probe's pace: the asks go on without waiting for one
    assert len(checked) >= 2  # asked again meanwhile, in the background
