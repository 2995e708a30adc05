"""The fair claim's cost as a user's history grows (SQLite, as `make run` stores jobs).

Each claim decides, under a database-wide lock, whose turn it is (backend/jobs/fair.py): per
waiting user, their running count, when they were last served and their oldest queued job. A
heavy user with 100,000 finished jobs must not make every claim, everyone's, read all of them.
The bench builds a database by the migrations, with three users (one with 20 queued and a
history of finished jobs, two with one running and one queued), and times the decision
(`next_fair_job`) with a history of 1,000 (the calibration: the same query on a small table)
and of 100,000 jobs; the goal is the ratio, whatever the machine.

Usage: PYTHONPATH=. .venv/bin/python -m bench.claims [--quick]
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import create_engine, insert
from sqlalchemy.orm import Session

from backend.jobs.fair import next_fair_job
from backend.migrate import alembic_config
from backend.models import Job
from backend.models.status import JobStatus
from backend.models.user import User
from bench.figures import Figure
from bench.server import bench_main

ROUNDS = 30
_NOW = datetime(2026, 12, 1)


def _job(user_id: int, status: JobStatus, at: datetime) -> dict[str, Any]:
    started = at if status != JobStatus.QUEUED else None
    return {
        "id": str(uuid.uuid4()),
        "user_id": user_id,
        "status": status,
        "filename": "clip.mp4",
        "content_type": "video/mp4",
        "size_bytes": 1,
        "sha256": "0" * 64,
        "source_name": "clip.mp4",
        "created_at": at,
        "started_at": started,
        "finished_at": at if status == JobStatus.COMPLETED else None,
    }


def decision_ms(directory: Path, history: int) -> float:
    """The median time of one claim decision with `history` finished jobs of the heavy user."""
    url = f"sqlite:///{directory / f'claims-{history}.db'}"
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            session.add_all(
                User(id=i, email=f"u{i}@example.com", password_hash="-") for i in (1, 2, 3)
            )
            session.flush()
            rows = [
                _job(1, JobStatus.COMPLETED, _NOW - timedelta(seconds=history - k))
                for k in range(history)
            ]
            rows += [_job(1, JobStatus.QUEUED, _NOW + timedelta(seconds=k)) for k in range(20)]
            for user in (2, 3):
                rows.append(_job(user, JobStatus.PROCESSING, _NOW))
                rows.append(_job(user, JobStatus.QUEUED, _NOW + timedelta(seconds=30)))
            for start in range(0, len(rows), 10_000):
                session.execute(insert(Job), rows[start : start + 10_000])
            session.commit()
        times = []
        with Session(engine) as session:
            for _ in range(ROUNDS):
                started = time.perf_counter()
                next_fair_job(session, 1)
                times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000
    finally:
        engine.dispose()


def run(quick: bool = False) -> list[Figure]:
    bench = "claims"
    large = 10_000 if quick else 100_000
    with tempfile.TemporaryDirectory(prefix="clipscope-claims-") as tmp:
        small_ms = decision_ms(Path(tmp), 1_000)
        large_ms = decision_ms(Path(tmp), large)
    return [
        Figure(
            bench, "claim decision, heavy user's history of 1,000 (calibration)", small_ms, "ms"
        ),
        Figure(bench, f"claim decision, heavy user's history of {large:,}", large_ms, "ms"),
        Figure(
            bench, f"history of {large:,} ÷ history of 1,000", large_ms / small_ms, "x", goal=2.0
        ),
    ]


if __name__ == "__main__":
    bench_main(run, "The fair claim's cost as a user's history grows", __doc__)
