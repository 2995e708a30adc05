"""The kept answer of an accepted upload: a retry gets back exactly what the first request got."""

from __future__ import annotations

import json

from backend.uploads.accepted import Accepted, from_record, to_record

JOB = {"id": "0b6c5c2e-5d1f-4d53-9b1e-0d7a8f0f2b9a", "status": "queued", "progress": 0}


def test_a_new_job_is_kept_as_202_and_comes_back_the_same() -> None:
    status, body = to_record(Accepted(JOB["id"], JOB))
    assert status == 202
    assert body["job_id"] == JOB["id"] and body["status_url"] == f"/api/jobs/{JOB['id']}"
    again = from_record(json.loads(json.dumps(body)))  # as a JSON column gives it back
    assert again == Accepted(JOB["id"], JOB, deduplicated=False, replayed=True)
    assert again.body == body and not again.queued


def test_the_same_videos_job_is_kept_as_200_deduplicated() -> None:
    status, body = to_record(Accepted(JOB["id"], JOB, deduplicated=True))
    assert status == 200 and body["deduplicated"] is True
    assert from_record(body).deduplicated
