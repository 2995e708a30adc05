"""A long poll is woken by the change itself, not by its once-a-second re-read."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AppFactory
from tests.helpers import idle_app, services_of, upload_file


def test_a_long_poll_answers_within_half_a_second_of_a_change(
    make_app: AppFactory, small_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, client, headers = idle_app(make_app)
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    changes = services_of(app).store.changes
    waiting = threading.Event()
    real_wait = changes.wait

    def observed_wait(job: str, since: int, timeout: float) -> bool:
        waiting.set()
        return real_wait(job, since, timeout)

    monkeypatch.setattr(changes, "wait", observed_wait)
    answer: dict[str, Any] = {}

    def long_poll() -> None:
        response = client.get(f"/api/jobs/{job_id}", headers={**headers, "Prefer": "wait=20"})
        answer.update(response=response, at=time.monotonic())

    poller = threading.Thread(target=long_poll)
    poller.start()
    assert waiting.wait(10), "the long poll never started waiting"
    changed_at = time.monotonic()
    # "Another phone" cancels the job while the long poll waits.
    assert app.test_client().post(f"/api/jobs/{job_id}/cancel", headers=headers).status_code == 202
    poller.join(25)
    assert answer["response"].get_json()["status"] == "cancelled"
    # The waiter re-reads the row only once a second: only the wake-up answers this fast.
    assert answer["at"] - changed_at < 0.5
