"""Scale-out faults on real `make worker` processes (both brokers): an analysis killed from
outside, a worker's graceful stop handing its job back, and health forgetting stopped workers."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient

from backend.models import Job, PushOutbox
from tests.conftest import AppFactory
from tests.helpers import AuthActions, services_of, upload_file, wait_for, wait_for_job
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
from tests.server.processes import analysis_children, start_server, stop_server

pytestmark = pytest.mark.postgres


def with_a_push_token(client: FlaskClient) -> dict[str, str]:
    headers = AuthActions(client).register()
    token = {"token": "ExponentPushToken[recoverytest0001]", "platform": "ios"}
    assert client.post("/api/push-tokens", json=token, headers=headers).status_code in (200, 201)
    return headers


def pushed_statuses(client: FlaskClient, job_id: str) -> list[str]:
    """What the user's phone is told about the job: the push outbox's rows for it."""
    with services_of(client.application).db.session() as session:
        rows = session.query(PushOutbox).filter(PushOutbox.job_id == job_id).all()
        return [str(row.message["data"]["status"]) for row in rows]


def owner_of(client: FlaskClient, job_id: str) -> str | None:
    with services_of(client.application).db.session() as session:
        row = session.get(Job, job_id)
        return None if row is None else row.owner


def test_an_analysis_killed_from_outside_runs_again_and_tells_the_user_nothing_failed(
    make_app: AppFactory,
    postgres_url: str,
    broker_url: str,
    workers: Workers,
    long_video: Path,
    tmp_path: Path,
) -> None:
    client = web_app(make_app, postgres_url, broker_url, tmp_path)
    headers = with_a_push_token(client)
    for _ in range(2):
        workers.start()
    job_id = start_long_job(client, headers, long_video)
    [child] = analysis_children(worker_pid(client, headers, job_id))

    os.kill(child, signal.SIGKILL)  # an operator, or the OOM killer choosing this process
    seen: list[tuple[str, int]] = []

    def completed() -> bool:
        found = job(client, headers, job_id)
        seen.append((str(found["status"]), int(str(found["attempts"]))))
        return found["status"] == "completed"

    wait_for(completed, 120, "the job to run again and complete")
    assert "failed" not in {status for status, _ in seen}, seen
    assert seen[-1] == ("completed", 2)
    assert pushed_statuses(client, job_id) == ["completed"]  # one push, and not "failed"


@pytest.mark.parametrize("broker_url", ["redis"], indirect=True)
def test_an_analysis_killed_on_every_attempt_ends_crashed_naming_the_signal(
    make_app: AppFactory,
    postgres_url: str,
    broker_url: str,
    workers: Workers,
    small_video: Path,
    tmp_path: Path,
) -> None:
    client = web_app(make_app, postgres_url, broker_url, tmp_path)
    headers = with_a_push_token(client)
    workers.env.update(CLIPSCOPE_TEST_ANALYSIS_FAULT="abort", CLIPSCOPE_MAX_ATTEMPTS="2")
    workers.start()
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]

    found = wait_for_job(client, headers, job_id, timeout=90)
    assert (found["status"], found["attempts"]) == ("failed", 2), found
    assert found["error"]["code"] == "analysis_crashed"
    assert "SIGABRT" in found["error"]["message"]
    assert pushed_statuses(client, job_id) == ["failed"]


def test_a_job_handed_back_starts_again_on_the_other_worker_within_seconds(
    make_app: AppFactory,
    postgres_url: str,
    broker_url: str,
    workers: Workers,
    long_video: Path,
    tmp_path: Path,
) -> None:
    client = web_app(make_app, postgres_url, broker_url, tmp_path)
    headers = AuthActions(client).register()
    # Two slots each, as `make worker` runs: the stopping worker has a free one, so it is
    # offered the message that gives its job back while it drains the broker.
    workers.env["CLIPSCOPE_WORKERS"] = "2"
    processes = [workers.start(), workers.start()]
    job_id = start_long_job(client, headers, long_video)
    running = worker_pid(client, headers, job_id)
    [stopping] = [p for p in processes if running in tree(p.pid)]

    stopped_at = time.monotonic()
    os.killpg(stopping.pid, signal.SIGTERM)  # systemd stopping the unit: a warm shutdown

    def started_elsewhere() -> bool:
        owner = owner_of(client, job_id)
        return owner is not None and int(owner.split(":")[1]) != running

    wait_for(started_elsewhere, 90, "the job to start again on the other worker")
    took = time.monotonic() - stopped_at
    print(f"\nhanded back and started again on the other worker {took:.2f} s after SIGTERM")
    assert took <= LEASE_S + 2, f"started again only {took:.1f} s after the stop"
    assert job(client, headers, job_id)["attempts"] == 1  # a stop spends no attempt
    stopping.wait(30)
    wait_completed(client, headers, job_id, "the job to complete on the other worker")


def test_health_forgets_a_stopped_worker_without_waiting_for_a_probe(
    postgres_url: str, broker_url: str, workers: Workers, tmp_path: Path
) -> None:
    # The web tier as `make run` starts it: two processes, each with its own view of health.
    server = start_server(
        tmp_path,
        DATABASE_URL=postgres_url,
        CELERY_BROKER_URL=broker_url,
        CLIPSCOPE_EXECUTOR="celery",
        WEB_CONCURRENCY="2",
    )
    try:
        worker = workers.start()

        def listed() -> bool:
            # A new connection each time: the kernel spreads them over both processes.
            return bool(requests.get(f"{server.base}/api/health", timeout=5).json()["live_workers"])

        wait_for(lambda: all(listed() for _ in range(8)), 60, "every process to see the worker")
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        # A quiet spell, as between a load balancer's probes: nobody asks for health.
        threading.Event().wait(LEASE_S + 5)
        for _ in range(8):
            asked = time.monotonic()
            body = requests.get(f"{server.base}/api/health", timeout=5).json()
            took = time.monotonic() - asked
            assert body["live_workers"] == [], body  # the dead are not remembered
            assert took < 0.5, f"a probe waited {took:.2f} s"
            assert 0 <= body["workers_age_s"] <= 5, body
            assert body["workers_checked_at"].endswith("Z")
    finally:
        stop_server(server)
