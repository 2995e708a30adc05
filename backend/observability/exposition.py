"""Prometheus text from every process, plus job counts read from the database (GET /metrics)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from backend.db import Database
from backend.models import Job
from backend.models.status import JobStatus

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric


class JobsByStatus:
    """A collector: the number of jobs in each status, counted in the database at scrape time."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily("clipscope_jobs", "Jobs by status.", labels=["status"])
        with self.db.session() as session:
            rows = session.execute(select(Job.status, func.count()).group_by(Job.status))
            counts = {str(status): int(count) for status, count in rows}
        for status in JobStatus:
            family.add_metric([status.value], counts.get(status, 0))
        yield family


def render(db: Database) -> bytes:
    """Every process's samples (multi-process mode) or this one's, then the job counts."""
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess

    jobs = CollectorRegistry(auto_describe=False)
    jobs.register(JobsByStatus(db))
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
        samples = generate_latest(merged)
    else:
        samples = generate_latest(REGISTRY)
    return samples + generate_latest(jobs)
