"""Fair claims in scale-out mode: a real `make worker` with one slot, two users."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import AppFactory
from tests.helpers import AuthActions, distinct_videos, upload_file, wait_for_job
from tests.jobs.workers import Workers, web_app

pytestmark = pytest.mark.postgres


def test_another_users_job_is_claimed_right_after_the_first_of_a_heavy_users_jobs(
    make_app: AppFactory,
    postgres_url: str,
    broker_url: str,
    workers: Workers,
    tmp_path: Path,
) -> None:
    """The worker starts once every job waits, so the claim order is the fair choice alone
    (first come, first served would run all of A's before B's)."""
    client = web_app(make_app, postgres_url, broker_url, tmp_path)
    auth = AuthActions(client)
    heavy, light = auth.register("a@example.com"), auth.register("b@example.com")
    *backlog, single = distinct_videos(tmp_path, 4, seconds=0.5)
    mine = [upload_file(client, heavy, video).get_json()["job_id"] for video in backlog]
    theirs = upload_file(client, light, single).get_json()["job_id"]

    workers.start()  # CLIPSCOPE_WORKERS=1: one slot
    ended = {job_id: wait_for_job(client, heavy, job_id, timeout=120) for job_id in mine}
    ended[theirs] = wait_for_job(client, light, theirs, timeout=120)
    assert all(job["status"] == "completed" for job in ended.values()), workers.logs()[-3000:]

    order = sorted(ended, key=lambda job_id: datetime.fromisoformat(ended[job_id]["started_at"]))
    assert order == [mine[0], theirs, *mine[1:]], order
