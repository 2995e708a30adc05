"""Progress recorded at the store never goes down within an attempt, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend.jobs.store import claim_id
from tests.conftest import AppFactory
from tests.helpers import idle_app, services_of, upload_file


@pytest.fixture(params=["sqlite", "postgres"])
def idle(
    request: pytest.FixtureRequest, make_app: AppFactory
) -> tuple[Flask, FlaskClient, dict[str, str]]:
    """An app whose runner is idle, on either database."""
    if request.param == "sqlite":
        return idle_app(make_app)
    return idle_app(make_app, database_url=request.getfixturevalue("postgres_url"))


def test_a_lower_progress_report_never_lowers_what_the_user_sees(
    idle: tuple[Flask, FlaskClient, dict[str, str]], small_video: Path
) -> None:
    app, client, headers = idle
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    store = services_of(app).store
    claim = claim_id("test-runner")
    assert store.claim(job_id, claim)
    seen = []
    for percent in (40, 30, 60, 10, 95):
        assert store.report_progress(job_id, claim, "analyzing", percent, "Analyzing")
        seen.append(client.get(f"/api/jobs/{job_id}", headers=headers).get_json()["progress"])
    assert seen == [40, 40, 60, 60, 95]
