"""GET /metrics: Prometheus text from every process, plus job counts read from the database."""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from backend.api.openapi import operation
from backend.db import Database
from backend.errors import ApiError, NotFound
from backend.jobs.status import JobStatus
from backend.models import Job
from backend.services import services

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

bp = Blueprint("metrics", __name__)


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


def _allowed() -> None:
    expected = services().config.metrics_token
    if expected:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), expected):
            return
        raise ApiError(
            "Metrics need 'Authorization: Bearer <CLIPSCOPE_METRICS_TOKEN>'.",
            code="unauthorized",
            status=401,
        )
    try:
        local = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        local = False
    if not local:
        # Without a token the metrics exist only for this machine; to others they are not here.
        raise NotFound("There is nothing at this address.")


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


@bp.get("/metrics")
@operation(
    "Prometheus metrics (bearer CLIPSCOPE_METRICS_TOKEN, or from localhost when unset)",
    responses={200: "text/plain"},
)
def metrics_view() -> ResponseReturnValue:
    _allowed()
    from prometheus_client import CONTENT_TYPE_LATEST

    return Response(render(services().db), mimetype=None, content_type=CONTENT_TYPE_LATEST)
