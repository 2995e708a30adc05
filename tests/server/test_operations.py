"""Logs and metrics of the real server: two gunicorn workers started as `make run` starts them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import wait_for
from tests.server.processes import signed_up, start_server, stop_server
from tests.videos import make_video

METRICS_TOKEN = "metrics-test-token"


@pytest.fixture
def json_server(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """`make run` with JSON logs, two workers, and the metrics directory in the test's folder."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_12345.db").write_bytes(b"left over from an earlier run")
    server = start_server(
        tmp_path,
        CLIPSCOPE_LOG_FORMAT="json",
        CLIPSCOPE_METRICS_TOKEN=METRICS_TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
    )
    try:
        yield server.base, server.log_path, metrics_dir
    finally:
        stop_server(server)


def _json_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    for raw in path.read_text(errors="replace").splitlines():
        if raw.startswith("{"):
            lines.append(json.loads(raw))
    return lines


def _scrape(base: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    # A fresh connection each time: either worker may answer, and both must show the same sums.
    response = requests.get(
        f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _get(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.slow
def test_two_workers_log_json_lines_and_share_one_metrics_view(
    json_server: tuple[str, Path, Path], tmp_path: Path
) -> None:
    base, log_path, metrics_dir = json_server
    assert not (metrics_dir / "counter_12345.db").exists()  # a stale file is wiped at start
    assert requests.get(f"{base}/metrics", timeout=5).status_code == 401

    # Requests on fresh connections until both workers have answered some.
    sent: list[str] = []

    def both_workers_answered() -> bool:
        request_id = f"probe-{len(sent)}"
        answer = requests.get(f"{base}/api/health", headers={"X-Request-ID": request_id}, timeout=5)
        assert answer.headers["X-Request-ID"] == request_id
        sent.append(request_id)
        pids = {
            line["process"]
            for line in _json_lines(log_path)
            if line.get("event") == "request" and line["request_id"] in sent
        }
        return len(pids) == 2

    wait_for(both_workers_answered, timeout=60, what="both gunicorn workers to answer")

    http = requests.Session()
    http.headers.update(signed_up(base, "ops@example.com"))
    token = http.headers["Authorization"].removeprefix("Bearer ")
    video = make_video(tmp_path / "phone.mp4", seconds=2.0, cuts=(1.0,))
    with open(video, "rb") as handle:
        accepted = http.post(f"{base}/api/upload", files={"video": ("phone.mp4", handle)})
    assert accepted.status_code == 202
    job_id = accepted.json()["job_id"]
    wait_for(
        lambda: http.get(f"{base}/api/jobs/{job_id}", timeout=5).json()["status"] == "completed",
        timeout=60,
        what="the job to complete under gunicorn",
    )

    health = (
        "clipscope_http_request_duration_seconds_count",
        {"method": "GET", "route": "/api/health", "status": "200"},
    )
    first, second = _scrape(base), _scrape(base)
    for samples in (first, second):
        # Every worker's requests, whichever worker answered the scrape.
        assert _get(samples, health[0], **health[1]) >= len(sent)
        assert _get(samples, "clipscope_jobs", status="completed") == 1
        assert _get(samples, "clipscope_job_analysis_seconds_count", status="completed") == 1
        assert _get(samples, "clipscope_job_queue_wait_seconds_count") == 1
        assert _get(samples, "clipscope_analysis_frames_total") == 48
        assert _get(samples, "clipscope_upload_bytes_total") == video.stat().st_size

    lines = _json_lines(log_path)
    moves = [(line["from"], line["to"]) for line in lines if line.get("job_id") == job_id]
    assert moves == [("queued", "processing"), ("processing", "completed")]
    requests_logged = [line for line in lines if line.get("event") == "request"]
    assert {line["request_id"] for line in requests_logged} >= set(sent)
    assert all(token not in json.dumps(line) for line in lines)
