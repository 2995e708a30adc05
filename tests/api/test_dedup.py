"""Deduplication gives back a job that can still produce a result, never a cancelled one."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import AppFactory
from tests.helpers import idle_app, upload_file


def test_a_cancelled_job_is_not_a_duplicate(make_app: AppFactory, small_video: Path) -> None:
    _app, client, headers = idle_app(make_app)
    first = upload_file(client, headers, small_video).get_json()["job_id"]
    assert client.post(f"/api/jobs/{first}/cancel", headers=headers).status_code == 202
    again = upload_file(client, headers, small_video)
    assert again.status_code == 202, again.get_json()
    assert again.get_json()["job_id"] != first
    assert again.get_json()["deduplicated"] is False
    assert again.get_json()["job"]["status"] == "queued"
