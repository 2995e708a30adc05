"""A database that blinks (connections cut, as a restart or failover does) fails no job."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.conftest import AppFactory
from tests.db_faults import cut_connections, database_away
from tests.helpers import AuthActions, upload_file, wait_for_job
from tests.videos import make_video

pytestmark = pytest.mark.postgres


def test_cut_connections_and_an_outage_mid_job_fail_nothing(
    make_app: AppFactory,
    postgres_url: str,
    tmp_path: Path,
    paused_analysis: tuple[threading.Event, threading.Event],
) -> None:
    started, go_on = paused_analysis
    video = make_video(tmp_path / "clip.mp4", seconds=4, fps=24, width=320, height=240)
    app = make_app(database_url=postgres_url, executor="thread", workers=1)
    client = app.test_client()
    headers = AuthActions(client).register()
    job_id = upload_file(client, headers, video).get_json()["job_id"]
    assert started.wait(30), "the analysis never started"

    statuses = []
    pause = threading.Event()
    for _ in range(3):
        assert cut_connections(postgres_url) > 0
        # A client polling right after the cut gets an answer or a 503, never a 500.
        statuses.append(client.get(f"/api/jobs/{job_id}", headers=headers).status_code)
        pause.wait(0.5)  # the fault's schedule: three cuts half a second apart
    with database_away(postgres_url):
        statuses.append(client.get(f"/api/jobs/{job_id}", headers=headers).status_code)
        go_on.set()  # the analysis goes on while no progress can be written
        pause.wait(2.0)
    assert set(statuses) <= {200, 503}
    assert statuses[-1] == 503

    job = wait_for_job(client, headers, job_id, timeout=120)
    assert job["status"] == "completed", job.get("error")
    assert job["attempts"] == 1
    assert job["result"]["frames_analyzed"] == 96


def test_a_request_while_the_database_is_away_is_503_with_retry_after(
    make_app: AppFactory, postgres_url: str
) -> None:
    app = make_app(database_url=postgres_url)
    client = app.test_client()
    headers = AuthActions(client).register()
    with database_away(postgres_url):
        response = client.get("/api/jobs", headers=headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["error"]["code"] == "service_unavailable"
    assert client.get("/api/jobs", headers=headers).status_code == 200
