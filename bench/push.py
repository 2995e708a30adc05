"""Time from a job's end to its push request reaching the (local) Expo service.

The app runs as in production, background threads on (the push sender among them), on a
migrated SQLite file (or --database-url). Each job is ended the way the runner ends it,
through JobStore.finish; the clock starts when finish() is called and stops when the local
Expo service has read the request carrying that job's notification (both clocks are
time.perf_counter() in this one process). "sequential": one job ends at a time, with a short
random pause; "burst": all jobs end at once from 8 threads, as when several workers finish
together.
"""

from __future__ import annotations

import argparse
import logging
import random
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from backend.app import create_app
from backend.config import Config
from backend.jobs.outcome import Outcome
from backend.migrate import upgrade
from backend.models import Job, User
from backend.notify.tokens import register_token
from backend.services import Services
from bench.figures import Figure, percentile, save, table
from localexpo import LocalExpo, Received

GOAL_P99_MS = 250.0
OWNER = "bench-runner"
RESULT = {"scenes": [{"index": i} for i in range(4)], "video": {"duration_s": 42.0}}


def _job_in(received: Received) -> list[str]:
    body = received.body if isinstance(received.body, list) else []
    return [m.get("data", {}).get("job_id", "") for m in body if isinstance(m, dict)]


class Arrivals:
    """When the service first read a request carrying each job's notification."""

    def __init__(self, service: LocalExpo) -> None:
        self.state = service.state

    def wait(self, job_id: str, timeout: float = 10.0) -> float:
        found: list[float] = []

        def arrived(state: object) -> bool:
            for received in self.state.requests:
                if received.status == 200 and job_id in _job_in(received):
                    found.append(received.at)
                    return True
            return False

        if not self.state.wait_for(arrived, timeout):
            raise RuntimeError(f"no push for job {job_id} within {timeout} s")
        return found[0]


def _setup(svc: Services, jobs: int, devices: int) -> list[str]:
    with svc.db.session() as session:
        user = User(email=f"{uuid.uuid4().hex[:8]}@bench.local", password_hash="x")
        session.add(user)
        session.flush()
        for n in range(devices):
            register_token(session, user.id, f"ExponentPushToken[bench-{user.id}-{n}]", "ios")
        ids = [str(uuid.uuid4()) for _ in range(jobs)]
        for job_id in ids:
            session.add(
                Job(
                    id=job_id,
                    user_id=user.id,
                    filename="beach.mov",
                    content_type="video/quicktime",
                    size_bytes=1,
                    sha256=uuid.uuid4().hex * 2,
                    source_name="beach.mov",
                )
            )
    for job_id in ids:
        if not svc.store.claim(job_id, OWNER):
            raise RuntimeError("could not claim a bench job")
    return ids


def _end(svc: Services, job_id: str) -> float:
    started = time.perf_counter()
    if not svc.store.finish(job_id, OWNER, Outcome.completed(RESULT)):
        raise RuntimeError(f"job {job_id} did not end")
    return started


def sequential(svc: Services, arrivals: Arrivals, jobs: int) -> tuple[list[float], list[float]]:
    """Latency from finish() called, and from finish() returned (the commit), in ms."""
    from_call, from_commit = [], []
    pause = threading.Event()
    for job_id in _setup(svc, jobs, devices=1):
        pause.wait(random.uniform(0.005, 0.02))  # jobs do not end back to back
        started = _end(svc, job_id)
        committed = time.perf_counter()
        arrived = arrivals.wait(job_id)
        from_call.append((arrived - started) * 1000)
        from_commit.append((arrived - committed) * 1000)
    return from_call, from_commit


def burst(svc: Services, arrivals: Arrivals, jobs: int) -> list[float]:
    ids = _setup(svc, jobs, devices=1)
    with ThreadPoolExecutor(8) as pool:
        started = dict(zip(ids, pool.map(lambda job_id: _end(svc, job_id), ids), strict=True))
    return [(arrivals.wait(job_id) - started[job_id]) * 1000 for job_id in ids]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, LocalExpo() as service:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        config = Config(
            database_url=url,
            upload_dir=Path(tmp) / "uploads",
            executor="inline",
            expo_push_url=service.url,
            secret_key="bench",
            rate_limits_enabled=False,
            start_background=True,  # as the web server runs: the push sender thread is on
        )
        app = create_app(config)
        # One line per job ended would bury the figures.
        logging.getLogger("backend").setLevel(logging.WARNING)
        svc: Services = app.extensions["clipscope"]
        arrivals = Arrivals(service)
        try:
            warm = _setup(svc, 3, devices=1)  # first connection, first INSERT
            for job_id in warm:
                _end(svc, job_id)
                arrivals.wait(job_id)
            from_call, from_commit = sequential(svc, arrivals, args.jobs)
            together = burst(svc, arrivals, args.jobs)
        finally:
            svc.stop()
            svc.db.dispose()

    figures = [
        Figure("push", "sequential p50, job end -> push request", percentile(from_call, 50), "ms"),
        Figure(
            "push",
            "sequential p99, job end -> push request",
            percentile(from_call, 99),
            "ms",
            GOAL_P99_MS,
        ),
        Figure("push", "sequential p99, after the commit", percentile(from_commit, 99), "ms"),
        Figure("push", f"burst ({args.jobs} jobs end at once) p50", percentile(together, 50), "ms"),
        Figure(
            "push",
            f"burst ({args.jobs} jobs end at once) p99, job end -> push request",
            percentile(together, 99),
            "ms",
            GOAL_P99_MS,
        ),
    ]
    print(table(figures, f"Push latency over {args.jobs} jobs ({url.split(':')[0]})"))
    save(figures, args.json)


if __name__ == "__main__":
    main()
