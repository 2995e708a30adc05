"""One account cannot starve the others, over HTTP against `make run` (2 processes, 1 slot each).

Jobs submitted by URL to a local site that holds its answer keep the slots busy for exactly as
long as a test wants, so what runs next is decided by the claim order alone.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import distinct_videos
from tests.server.processes import running_server
from tests.server.sites import Client, Site
from tests.uploads.helpers import TUS

pytestmark = pytest.mark.slow

MAX_QUEUED = 3


class HeldSite:
    """Each /hold/<n>.mp4 sends half the video, then the rest once `release(n)` is called."""

    def __init__(self, video: bytes) -> None:
        self.video = video
        self.gates: dict[str, threading.Event] = {}
        self.site = Site({})
        for n in range(8):
            self.gates[str(n)] = threading.Event()
            self.site.routes[f"/hold/{n}.mp4"] = self._held(str(n))

    def _held(self, n: str) -> Any:
        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "video/mp4")
            handler.send_header("Content-Length", str(len(self.video)))
            handler.end_headers()
            half = len(self.video) // 2
            handler.wfile.write(self.video[:half])
            handler.wfile.flush()
            self.gates[n].wait(60)
            handler.wfile.write(self.video[half:])

        return route

    def url(self, n: int) -> str:
        return f"{self.site.base}/hold/{n}.mp4"

    def release(self, n: int) -> None:
        self.gates[str(n)].set()


@pytest.fixture(scope="module")
def held(small_video: Path) -> Iterator[HeldSite]:
    site = HeldSite(small_video.read_bytes())
    with site.site.serving():
        yield site
        for gate in site.gates.values():
            gate.set()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {
        "CLIPSCOPE_WORKERS": "1",  # two gunicorn workers: two slots, claimed across processes
        "CLIPSCOPE_USER_MAX_QUEUED": str(MAX_QUEUED),
        "CLIPSCOPE_FETCH_ALLOW_HOSTS": "127.0.0.1",
        "CLIPSCOPE_RATE_LIMITS": "off",
    }
    with running_server(tmp_path_factory.mktemp("fair"), **env) as url:
        yield url


def _upload(user: Client, video: Path) -> Any:
    with video.open("rb") as body:
        return user.post("/api/upload", files={"video": (video.name, body, "video/mp4")})


def _hold_both_slots(user: Client, held: HeldSite, first: int) -> list[str]:
    jobs = [user.submit_url(held.url(n)).json()["job_id"] for n in (first, first + 1)]
    for job_id in jobs:  # alone, the user may take every free slot
        user.wait_until(job_id, lambda job: job["phase"] == "fetching" and "%" in job["message"])
    return jobs


def _started(job: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(job["started_at"])


def test_another_users_single_job_runs_before_a_heavy_users_queue(
    base: str, held: HeldSite, tmp_path: Path
) -> None:
    heavy, light = Client(base, "heavy@example.com"), Client(base, "light@example.com")
    holding = _hold_both_slots(heavy, held, 0)
    *backlog_videos, single = distinct_videos(tmp_path, MAX_QUEUED + 1)
    backlog = [_upload(heavy, video).json()["job_id"] for video in backlog_videos]
    mine = _upload(light, single)
    assert mine.status_code == 202, mine.text

    held.release(0)  # one slot frees: it is the light user's turn, not the heavy queue's
    job = light.wait_for_end(mine.json()["job_id"])
    assert job["status"] == "completed", job
    held.release(1)
    ended = [heavy.wait_for_end(job_id) for job_id in holding + backlog]
    assert all(done["status"] == "completed" for done in ended), ended
    # First come, first served ran the heavy user's three queued videos first.
    assert all(_started(job) < _started(done) for done in ended[2:])


def test_past_the_queued_limit_a_new_job_is_refused_429_before_its_body(
    base: str, held: HeldSite, tmp_path: Path
) -> None:
    user, other = Client(base, "queue@example.com"), Client(base, "other@example.com")
    holding = _hold_both_slots(user, held, 2)
    videos = distinct_videos(tmp_path, MAX_QUEUED + 2, seconds=0.5)
    queued = [_upload(user, video) for video in videos[:MAX_QUEUED]]
    assert [answer.status_code for answer in queued] == [202] * MAX_QUEUED

    refusals = [
        _upload(user, videos[MAX_QUEUED]),
        user.submit_url(held.url(7)),
        user.post("/api/uploads", headers={**TUS, "Upload-Length": "1000"}),
        user.post("/api/batches", files=[("video", ("a.mp4", videos[0].read_bytes()))]),
    ]
    for refused in refusals:
        assert refused.status_code == 429, refused.text
        assert refused.json()["error"]["code"] == "too_many_jobs"
        assert "waiting" in refused.json()["error"]["message"]
        assert int(refused.headers["Retry-After"]) > 0
    # The limit is the user's own: another account is not refused for it.
    assert _upload(other, videos[MAX_QUEUED + 1]).status_code == 202

    held.release(2)
    held.release(3)
    for job_id in holding + [answer.json()["job_id"] for answer in queued]:
        assert user.wait_for_end(job_id)["status"] == "completed"
    assert _upload(user, videos[MAX_QUEUED]).status_code == 202  # room again


def test_a_retry_is_refused_429_when_the_queue_is_full_and_accepted_once_there_is_room(
    base: str, held: HeldSite, tmp_path: Path
) -> None:
    """A retry queues a job again: it must not be a way past the queued limit."""
    user = Client(base, "retrier@example.com")
    holding = _hold_both_slots(user, held, 4)
    videos = distinct_videos(tmp_path, MAX_QUEUED + 1, seconds=0.5)
    queued = [_upload(user, video).json()["job_id"] for video in videos[:MAX_QUEUED]]
    cancelled = queued.pop(0)
    assert user.post(f"/api/jobs/{cancelled}/cancel").status_code == 202
    queued.append(_upload(user, videos[MAX_QUEUED]).json()["job_id"])  # the queue is full again

    refused = user.post(f"/api/jobs/{cancelled}/retry")
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "too_many_jobs"
    assert int(refused.headers["Retry-After"]) > 0
    assert user.job(cancelled)["status"] == "cancelled"

    assert user.post(f"/api/jobs/{queued[0]}/cancel").status_code == 202  # room for one
    retried = user.post(f"/api/jobs/{cancelled}/retry")
    assert retried.status_code == 202, retried.text
    held.release(4)
    held.release(5)
    for job_id in holding + queued[1:] + [cancelled]:
        assert user.wait_for_end(job_id)["status"] == "completed"
