"""Fair claims: round-robin across users, a cap while others wait, no job ever run twice."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from flask import Flask

from backend.jobs.create import StoredVideo, create_job
from backend.jobs.store import JobStore, claim_id
from backend.models import User
from backend.timeutil import utcnow
from tests.conftest import AppFactory
from tests.helpers import services_of


def _users_with_queued_jobs(app: Flask, counts: dict[str, int]) -> dict[str, str]:
    """Users named by letter, each with `count` queued jobs, all the first user's oldest.

    Returns job id -> user letter.
    """
    owner: dict[str, str] = {}
    start = utcnow() - timedelta(minutes=10)
    with services_of(app).db.session() as session:
        users = {}
        for letter in counts:
            user = User(email=f"{letter}@example.com", password_hash="x")
            session.add(user)
            session.flush()
            users[letter] = user.id
        n = 0
        for letter, count in counts.items():
            for _ in range(count):
                job_id = str(uuid.uuid4())
                video = StoredVideo("a.mp4", "video/mp4", 1, uuid.uuid4().hex, "source.mp4")
                job = create_job(session, job_id, users[letter], video)
                job.created_at = start + timedelta(seconds=n)  # queued in this order
                owner[job_id] = letter
                n += 1
    return owner


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str | None:
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return None


def _app(make_app: AppFactory, database_url: str | None) -> Flask:
    overrides = {"database_url": database_url} if database_url else {}
    return make_app(executor="thread", start_background=False, **overrides)


def test_claims_go_round_robin_across_users(make_app: AppFactory, database_url: str | None) -> None:
    app = _app(make_app, database_url)
    owner = _users_with_queued_jobs(app, {"a": 4, "b": 2, "c": 1})
    store = services_of(app).store
    order = [owner[job_id] for job_id, _claim in store.claim_next("host:1:x", 10)]
    # One each while others wait (cap 1), then the least recently served; "a" alone at the end.
    # First come, first served would give a, a, a, a, b, b, c: c waiting for all of a's.
    assert order == ["a", "b", "c", "a", "b", "a", "a"]


def test_a_higher_cap_lets_a_user_run_more_before_others_go_first(
    make_app: AppFactory,
) -> None:
    app = make_app(executor="thread", start_background=False, user_max_running=2)
    owner = _users_with_queued_jobs(app, {"a": 4, "b": 1})
    store = services_of(app).store
    store.user_max_running = 2
    order = [owner[job_id] for job_id, _claim in store.claim_next("host:1:x", 3)]
    assert order == ["a", "b", "a"]  # b, below the cap and never served, before a's second


def test_concurrent_claimers_share_fairly_and_never_take_a_job_twice(
    make_app: AppFactory, database_url: str | None
) -> None:
    """Eight runners in eight threads claim at once: each job once, and 4 + 4 across users."""
    app = _app(make_app, database_url)
    owner = _users_with_queued_jobs(app, {"a": 10, "b": 10})
    svc = services_of(app)
    # A store each, as separate runners (processes or Celery workers) would have.
    stores = [JobStore(svc.db, lease_s=30, max_attempts=3) for _ in range(8)]
    barrier = threading.Barrier(len(stores))
    won: list[str] = []
    lock = threading.Lock()

    def claim(store: JobStore) -> None:
        barrier.wait()
        job_id = store.claim_fair(claim_id("host:2:y"))
        assert job_id is not None
        with lock:
            won.append(job_id)

    threads = [threading.Thread(target=claim, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(won) == len(set(won)) == 8
    assert sorted(owner[job_id] for job_id in won) == ["a"] * 4 + ["b"] * 4
