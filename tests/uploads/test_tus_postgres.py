"""Resumable uploads on PostgreSQL, the scale-out database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import AppFactory
from tests.helpers import AuthActions, upload_file, wait_for_job
from tests.uploads.helpers import TUS, create, head, patch

pytestmark = pytest.mark.postgres


def test_a_keyed_tus_upload_on_postgres(
    make_app: AppFactory, postgres_url: str, small_video: Path
) -> None:
    app = make_app(database_url=postgres_url, executor="thread")
    client = app.test_client()
    headers = AuthActions(client).register()
    data = small_video.read_bytes()
    keyed = {"Idempotency-Key": "pg-clip"}
    url = create(client, headers, len(data), data[:6000], **keyed).headers["Location"]
    again = create(client, headers, len(data), **keyed)
    assert again.headers["Location"] == url and again.headers["Upload-Offset"] == "6000"
    assert head(client, url, headers).headers["Upload-Offset"] == "6000"
    last = patch(client, url, headers, 6000, data[6000:])
    job_id = last.headers["Clipscope-Job-Id"]
    assert client.get(url, headers={**headers, **TUS}).get_json()["job_id"] == job_id
    retry = upload_file(client, {**headers, **keyed}, small_video)
    assert retry.get_json()["job_id"] == job_id
    assert wait_for_job(client, headers, job_id)["status"] == "completed"
