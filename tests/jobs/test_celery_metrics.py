"""A real Celery worker: its own metrics, merged over its pool's children, and JSON logs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from celery import Celery
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import AppFactory
from tests.helpers import AuthActions, distinct_videos, upload_file, wait_for, wait_for_job
from tests.jobs.workers import celery_worker
from tests.services import free_port

pytestmark = pytest.mark.postgres


@pytest.fixture
def metrics_worker(
    postgres_url: str,
    redis_url: str,
    tmp_path: Path,
) -> Iterator[tuple[Path, int]]:
    port = free_port()
    metrics = {"CLIPSCOPE_WORKER_METRICS_PORT": str(port), "CLIPSCOPE_LOG_FORMAT": "json"}
    with celery_worker(tmp_path, postgres_url, redis_url, **metrics) as log_path:
        yield log_path, port


def _samples(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_celery_worker_counts_the_jobs_its_children_ran(
    make_app: AppFactory,
    postgres_url: str,
    redis_url: str,
    metrics_worker: tuple[Path, int],
    tmp_path: Path,
) -> None:
    log_path, port = metrics_worker
    # The web side only stores the uploads (its runner is not started): the jobs reach the
    # worker as the messages CeleryRunner.submit sends, from a Celery client of our own.
    app = make_app(
        database_url=postgres_url,
        executor="thread",
        start_background=False,
        upload_dir=tmp_path / "uploads",
    )
    client = app.test_client()
    headers = AuthActions(client).register()
    ids = [
        upload_file(client, headers, video).get_json()["job_id"]
        for video in distinct_videos(tmp_path, 2, seconds=0.5)
    ]
    sender = Celery("clipscope-test", broker=redis_url)
    for job_id in ids:
        sender.send_task("clipscope.run_job", (job_id,), queue="clipscope")
    sender.close()
    for job_id in ids:
        try:
            job = wait_for_job(client, headers, job_id, timeout=30)
        except AssertionError as error:
            raise AssertionError(log_path.read_text()[-3000:]) from error
        assert job["status"] == "completed"
    done = (
        "clipscope_job_transitions_total",
        (("from_status", "processing"), ("to_status", "completed")),
    )

    def counted() -> bool:
        try:
            return _samples(port).get(done, 0) == 2
        except requests.RequestException:
            return False

    wait_for(counted, timeout=30, what="the worker's metrics to count both jobs")
    samples = _samples(port)
    # The worker logs like the web: one JSON line per job transition, not one per handler.
    ended = [line for line in log_path.read_text().splitlines() if '"to": "completed"' in line]
    assert len(ended) == 2 and all(line.startswith("{") for line in ended), ended
    assert samples[("clipscope_analysis_frames_total", ())] == 24
    assert samples[("clipscope_job_analysis_seconds_count", (("status", "completed"),))] == 2
