"""Status polls on a real `make run` server: ETag and 304, revocation seen by every worker,
and 503 overloaded past capacity with the health check still answering."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.helpers import wait_for
from tests.server.processes import running_server, signed_up


def email_bytes(headers: dict[str, str]) -> bytes:
    return headers["Authorization"].encode()  # a distinct file per user: no deduplication


def _job(base: str, headers: dict[str, str]) -> str:
    # An MP4 header and then garbage: the job fails within moments, and nothing analyses while
    # the test polls.
    broken = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40 + email_bytes(headers)
    answer = requests.post(
        f"{base}/api/upload", files={"video": ("broken.mp4", broken)}, headers=headers
    )
    assert answer.status_code == 202, answer.text
    job_url = f"{base}/api/jobs/{answer.json()['job_id']}"

    def ended() -> bool:  # so that it no longer changes while the test looks at it
        return bool(requests.get(job_url, headers=headers, timeout=10).json()["status"] == "failed")

    wait_for(ended, timeout=60, what="the broken upload's job to fail")
    return str(answer.json()["job_id"])


@pytest.mark.slow
def test_an_unchanged_job_answers_304_and_a_revoked_token_is_refused_by_every_worker(
    tmp_path: Path,
) -> None:
    with running_server(tmp_path) as base:
        headers = signed_up(base, "poll@example.com")
        job_id = _job(base, headers)
        url = f"{base}/api/jobs/{job_id}"

        first = requests.get(url, headers=headers, timeout=10)
        etag = first.headers["ETag"]
        assert first.status_code == 200 and etag.startswith('"')
        again = requests.get(url, headers={**headers, "If-None-Match": etag}, timeout=10)
        assert again.status_code == 304 and again.content == b""
        assert again.headers["ETag"] == etag
        # Another version, or the other document of the same job: the whole body again.
        stale = requests.get(url, headers={**headers, "If-None-Match": '"old"'}, timeout=10)
        assert stale.status_code == 200 and stale.json() == first.json()
        results = requests.get(f"{base}/api/results/job/{job_id}", headers=headers, timeout=10)
        assert results.headers["ETag"] != etag
        # A job that changes (deleted here) answers something else, never 304.
        assert requests.delete(url, headers=headers, timeout=10).status_code == 204
        gone = requests.get(url, headers={**headers, "If-None-Match": etag}, timeout=10)
        assert gone.status_code == 404

        # Each poll on a new connection: the two workers take turns (tests/server/test_spread).
        other = signed_up(base, "poll2@example.com")
        other_job = f"{base}/api/jobs/{_job(base, other)}"
        assert all(
            requests.get(other_job, headers=other, timeout=10).status_code == 200 for _ in range(6)
        )
        assert requests.post(f"{base}/api/auth/logout", headers=other).status_code == 204
        after = Counter(
            requests.get(other_job, headers=other, timeout=10).status_code for _ in range(6)
        )
        assert after == {401: 6}


@pytest.mark.slow
def test_past_capacity_polls_are_refused_at_once_and_health_keeps_answering(
    tmp_path: Path,
) -> None:
    # One worker and a 1 ms bound: a few dozen polls at once are more than it takes.
    with running_server(tmp_path, WEB_CONCURRENCY="1", CLIPSCOPE_QUEUE_MAX_MS="1") as base:
        headers = signed_up(base, "busy@example.com")
        url = f"{base}/api/jobs/{_job(base, headers)}"
        answers: list[requests.Response] = []
        health: list[tuple[int, float]] = []
        stop = threading.Event()

        def phone() -> None:
            with requests.Session() as http:
                for _ in range(15):
                    answers.append(http.get(url, headers=headers, timeout=30))

        def probe() -> None:
            while not stop.is_set():
                started = time.monotonic()
                status = requests.get(f"{base}/api/health", timeout=5).status_code
                health.append((status, time.monotonic() - started))

        prober = threading.Thread(target=probe)
        prober.start()
        phones = [threading.Thread(target=phone) for _ in range(48)]
        for thread in phones:
            thread.start()
        for thread in phones:
            thread.join()
        stop.set()
        prober.join()

        statuses = Counter(answer.status_code for answer in answers)
        assert set(statuses) == {200, 503}, statuses
        refused = [answer for answer in answers if answer.status_code == 503]
        for answer in refused:
            assert answer.json()["error"]["code"] == "overloaded"
            assert int(answer.headers["Retry-After"]) > 0
        assert health and all(status == 200 and took < 1.0 for status, took in health), health
        # Nothing was lost: once the burst is over the job answers as before.
        assert requests.get(url, headers=headers, timeout=10).status_code == 200
        # An operator sees the shedding (the app never saw those requests).
        scrape = requests.get(f"{base}/metrics", timeout=10).text
        assert f"clipscope_http_shed_total {float(len(refused))}" in scrape
