"""The job store and the runners: progress, failures, leases, recovery, no double runs."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

import backend.jobs.execute as execute_module
from backend.jobs.isolation import Limits
from backend.jobs.runner import ThreadRunner
from backend.models import Job
from backend.timeutil import utcnow
from tests.conftest import AppFactory
from tests.helpers import (
    AuthActions,
    distinct_videos,
    idle_app,
    services_of,
    start_held_job,
    upload_file,
    wait_for,
    wait_for_job,
)


def test_progress_never_goes_down_and_ends_at_100(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.videos import make_video

    app = make_app()
    store = services_of(app).store
    seen: list[tuple[str, int]] = []
    real = store.report_progress

    def recording(job_id: str, owner: str, phase: str, progress: int, message: str) -> bool:
        seen.append((phase, progress))
        return real(job_id, owner, phase, progress, message)

    monkeypatch.setattr(store, "report_progress", recording)
    # Write every call so the test sees each step the analysis reports.
    monkeypatch.setattr(execute_module, "ThrottledProgress", _unthrottled)
    client = app.test_client()
    headers = AuthActions(client).register()
    video = make_video(tmp_path / "long.mp4", seconds=4.0, fps=24)
    job_id = upload_file(client, headers, video).get_json()["job_id"]

    job = client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
    assert job["status"] == "completed" and job["progress"] == 100
    values = [p for _, p in seen]
    assert values == sorted(values), values
    assert len(set(values)) >= 5
    assert seen[0][0] == "probing"
    assert "analyzing" in {phase for phase, _ in seen}


def _unthrottled(write: Any) -> Any:
    from backend.jobs.progress import ThrottledProgress

    return ThrottledProgress(write, min_interval_s=0.0)


def test_an_unreadable_video_fails_with_a_code(
    client: FlaskClient, auth: AuthActions, tmp_path: Path
) -> None:
    fake = tmp_path / "broken.mp4"
    fake.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    headers = auth.register()
    job_id = upload_file(client, headers, fake).get_json()["job_id"]
    job = client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
    assert job["status"] == "failed"
    assert job["error"]["code"] == "invalid_video"
    assert job["error"]["message"]


def test_a_crashing_analysis_fails_as_internal_error_without_a_trace(
    client: FlaskClient, auth: AuthActions, small_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_args: Any, **_kwargs: Any) -> dict[str, Any]:
        raise ZeroDivisionError("/srv/secret/path line 42")

    monkeypatch.setattr(execute_module, "analyze_isolated", explode)
    headers = auth.register()
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    response = client.get(f"/api/jobs/{job_id}", headers=headers)
    job = response.get_json()
    assert job["status"] == "failed"
    assert job["error"]["code"] == "internal_error"
    assert b"secret" not in response.data and b"Traceback" not in response.data


def _expire(app: Any, job_id: str, *, attempts: int) -> None:
    """Make the job look claimed by a process that died a while ago."""
    with services_of(app).db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                status="processing",
                owner="dead-host:1:abc",
                attempts=attempts,
                lease_expires_at=utcnow() - timedelta(seconds=5),
            )
        )


def test_a_job_whose_owner_died_is_requeued_and_completes(
    make_app: AppFactory, small_video: Path
) -> None:
    app, client, headers = idle_app(make_app, max_attempts=3)
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    _expire(app, job_id, attempts=1)

    services_of(app).runner.start()  # recovery runs when a runner starts
    job = wait_for_job(client, headers, job_id)
    assert job["status"] == "completed"
    assert job["attempts"] == 2


def test_after_the_last_attempt_a_lost_job_fails_as_worker_lost(
    make_app: AppFactory, small_video: Path
) -> None:
    app, client, headers = idle_app(make_app, max_attempts=2)
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    _expire(app, job_id, attempts=2)

    assert services_of(app).store.recover_expired()[:2] == (0, 1)
    job = client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
    assert job["status"] == "failed"
    assert job["error"]["code"] == "worker_lost"


def test_a_live_lease_is_not_taken_over(make_app: AppFactory, small_video: Path) -> None:
    app, client, headers = idle_app(make_app)
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    store = services_of(app).store
    assert store.claim(job_id, "alive:1:x")
    assert store.recover_expired()[:2] == (0, 0)
    assert not store.claim(job_id, "other:2:y")
    assert client.get(f"/api/jobs/{job_id}", headers=headers).get_json()["status"] == "processing"


def test_two_runners_over_one_database_never_run_a_job_twice(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, client, headers = idle_app(make_app, workers=2)
    videos = distinct_videos(tmp_path, 8, seconds=0.5)
    ids = [upload_file(client, headers, video).get_json()["job_id"] for video in videos]
    assert len(set(ids)) == 8

    runs: Counter[str] = Counter()
    lock = threading.Lock()
    real = execute_module.execute_job

    def counting(store: Any, storage: Any, job_id: str, *rest: Any) -> None:
        with lock:
            runs[job_id] += 1
        real(store, storage, job_id, *rest)

    monkeypatch.setattr("backend.jobs.runner.execute_job", counting)
    svc = services_of(app)
    runners = [
        ThreadRunner(
            svc.store, svc.storage, workers=2, limits=Limits(60, 1536), poll_interval_s=0.01
        )
        for _ in range(2)
    ]
    for runner in runners:
        runner.start()
    try:
        wait_for(
            lambda: all(
                client.get(f"/api/jobs/{i}", headers=headers).get_json()["status"] == "completed"
                for i in ids
            ),
            timeout=120,
            what="all jobs to complete",
        )
    finally:
        for runner in runners:
            runner.stop()
    assert runs == Counter({job_id: 1 for job_id in ids})


def test_concurrent_claims_of_one_job_have_one_winner(
    make_app: AppFactory, small_video: Path
) -> None:
    app, client, headers = idle_app(make_app)
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    store = services_of(app).store
    barrier = threading.Barrier(8)
    wins: list[bool] = []

    def claim(n: int) -> None:
        barrier.wait()
        wins.append(store.claim(job_id, f"owner-{n}"))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 7 + [True]


def _race_finish_and_cancel(store: Any, job_id: str, user_id: int) -> dict[str, bool]:
    """Run the runner's finish and the user's cancel at the same instant."""
    from backend.errors import ApiError
    from backend.jobs import lifecycle
    from backend.jobs.outcome import Outcome

    barrier = threading.Barrier(2)
    outcome: dict[str, bool] = {}

    def finish() -> None:
        barrier.wait()
        outcome["finished"] = store.finish(job_id, "runner", Outcome.completed({"scenes": []}))

    def cancel() -> None:
        barrier.wait()
        try:
            lifecycle.cancel(store, job_id, user_id)
            outcome["cancelled"] = True
        except ApiError:
            outcome["cancelled"] = False

    threads = [threading.Thread(target=finish), threading.Thread(target=cancel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome


def test_cancel_racing_completion_ends_in_one_consistent_state(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app, client, headers = idle_app(make_app)
    store = services_of(app).store
    for video in distinct_videos(tmp_path, 6, seconds=0.3):
        job_id = upload_file(client, headers, video).get_json()["job_id"]
        assert store.claim(job_id, "runner")
        outcome = _race_finish_and_cancel(store, job_id, user_id=1)
        job = client.get(f"/api/results/job/{job_id}", headers=headers).get_json()
        assert outcome["finished"] != outcome["cancelled"]
        if outcome["finished"]:
            assert job["status"] == "completed" and job["result"] is not None
        else:
            assert job["status"] == "cancelled" and job["result"] is None


def test_a_job_reclaimed_by_the_same_process_cuts_off_the_old_attempt(
    make_app: AppFactory, small_video: Path
) -> None:
    from backend.jobs.outcome import Outcome

    app, client, headers = idle_app(make_app)
    job_id = upload_file(client, headers, small_video).get_json()["job_id"]
    store = services_of(app).store
    [(_, first)] = store.claim_next("host:1:abc", 1)
    _expire(app, job_id, attempts=1)
    with services_of(app).db.session() as session:  # _expire set a foreign owner; restore ours
        session.execute(update(Job).where(Job.id == job_id).values(owner=first))
    assert store.recover_expired()[:2] == (1, 0)
    [(again, second)] = store.claim_next("host:1:abc", 1)  # the same process claims it again
    assert again == job_id and second != first
    assert store.renew_leases([(job_id, first)]) == {first}  # so the old attempt is stopped
    assert not store.report_progress(job_id, first, "analyzing", 50, "stale")
    assert not store.finish(job_id, first, Outcome.completed({"scenes": []}))
    assert store.finish(job_id, second, Outcome.completed({"scenes": []}))


def test_stopping_the_server_gives_running_jobs_back_without_spending_an_attempt(
    make_app: AppFactory,
    tmp_path: Path,
    paused_analysis: tuple[threading.Event, threading.Event],
) -> None:
    started, go_on = paused_analysis
    app, client, headers, job_id = start_held_job(make_app, tmp_path, started)
    runner = services_of(app).runner
    stopping = threading.Thread(target=runner.stop)
    stopping.start()
    go_on.set()
    stopping.join(30)
    job = client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
    assert job["status"] == "queued" and job["attempts"] == 0 and job["progress"] == 0
