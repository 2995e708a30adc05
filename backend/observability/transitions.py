"""One log line and the metrics for each job state change the store (or a cancel) makes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from backend.observability import metrics
from backend.observability.logs import event
from backend.timeutil import utcnow

log = logging.getLogger("clipscope.jobs")


@dataclass(frozen=True)
class Transition:
    job_id: str
    from_status: str
    to_status: str
    attempt: int | None
    # When the job entered `from_status`: the time in it is what `ms` reports.
    since: datetime | None
    error_code: str | None = None
    batch_id: str | None = None


def record(change: Transition, now: datetime | None = None) -> None:
    """Log the change and count it; call after its transaction committed. Never raises."""
    try:
        _record(change, now or utcnow())
    except Exception:
        # The change is made and committed: telling about it must not undo the caller's work.
        log.exception("could not record the transition of job %s", change.job_id)


def _record(change: Transition, now: datetime) -> None:
    seconds = (now - change.since).total_seconds() if change.since is not None else None
    was, to = change.from_status, change.to_status
    metrics.observe_transition(
        was,
        to,
        waited_s=seconds if (was, to) == ("queued", "processing") else None,
        ran_s=seconds if was == "processing" and to in ("completed", "failed") else None,
    )
    event(
        log,
        f"job {change.job_id} {was} -> {to}"
        + (f" (attempt {change.attempt})" if change.attempt is not None else ""),
        event="job",
        job_id=change.job_id,
        **{"from": was, "to": to},
        attempt=change.attempt,
        ms=round(seconds * 1000, 1) if seconds is not None else None,
        error_code=change.error_code,
        batch_id=change.batch_id,
    )
