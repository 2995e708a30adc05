"""GET /metrics in one process: what it shows, that it moves when a job runs, who may read it."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import AuthActions, upload_file, wait_for_job


def scrape(
    client: FlaskClient, **headers: str
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, keyed by (name, sorted labels)."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_move_when_a_job_runs(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    before = scrape(client)

    accepted = upload_file(client, headers, small_video)
    assert accepted.status_code == 202
    assert wait_for_job(client, headers, accepted.get_json()["job_id"])["status"] == "completed"
    refused = client.post(
        "/api/upload",
        data=b"not a video at all" * 10,
        headers={**headers, "X-Filename": "a.mp4"},
        content_type="video/mp4",
    )
    assert refused.status_code == 415
    after = scrape(client)

    assert (
        value(after, "clipscope_jobs", status="completed")
        == value(before, "clipscope_jobs", status="completed") + 1
    )
    assert value(after, "clipscope_jobs", status="queued") == 0
    for name, labels in (
        ("clipscope_job_queue_wait_seconds_count", {}),
        ("clipscope_job_analysis_seconds_count", {"status": "completed"}),
        ("clipscope_analysis_frames_per_second_count", {}),
        ("clipscope_job_transitions_total", {"from_status": "queued", "to_status": "processing"}),
        (
            "clipscope_job_transitions_total",
            {"from_status": "processing", "to_status": "completed"},
        ),
        ("clipscope_upload_refusals_total", {"code": "unsupported_media_type"}),
        ("clipscope_uploads_total", {"source": "upload"}),
        (
            "clipscope_http_request_duration_seconds_count",
            {"method": "POST", "route": "/api/upload", "status": "202"},
        ),
    ):
        assert value(after, name, **labels) == value(before, name, **labels) + 1, name
    assert (
        value(after, "clipscope_analysis_frames_total")
        - value(before, "clipscope_analysis_frames_total")
        == 48
    )
    grown = value(after, "clipscope_upload_bytes_total") - value(
        before, "clipscope_upload_bytes_total"
    )
    assert grown == small_video.stat().st_size


def test_metrics_need_the_token_when_one_is_set(make_app: type[Flask] | object) -> None:
    app: Flask = make_app(metrics_token="s3cret-metrics")  # type: ignore[operator]
    client = app.test_client()
    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "unauthorized"
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert scrape(client, Authorization="Bearer s3cret-metrics")


def test_without_a_token_only_localhost_sees_metrics(client: FlaskClient) -> None:
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert remote.status_code == 404
    assert remote.get_json()["error"]["code"] == "not_found"
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
