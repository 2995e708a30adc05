"""An attempt lost to a killed analysis child: the job runs again, or ends after the last.

A child killed by a signal its supervisor did not send, under its memory limit, tells us
about the machine (an operator's `kill -9`, the kernel's OOM killer choosing it because the
machine ran short) or about the video (a decoder that crashes on it), not which of the two.
So the attempt counts and the job is queued again, like one whose worker died; past the last
attempt it fails with `analysis_crashed` naming the signal when its child was killed on every
attempt (the video, most likely), else with `worker_lost` (some attempt lost its worker too).
Only the supervisor's own memory limit, seen crossed, says `resource_limit` (isolation.py).
"""

from __future__ import annotations

from sqlalchemy import select, update

from backend.jobs.outcome import Outcome
from backend.jobs.store import WORKER_LOST_MESSAGE, JobStore, _held, execute_update, queued_again
from backend.models import Job
from backend.models.status import JobErrorCode
from backend.observability import transitions
from backend.observability.transitions import Transition
from backend.timeutil import utcnow


def lose_attempt(store: JobStore, job_id: str, claim: str, signal_name: str) -> bool:
    """Record that this claim's child was killed by `signal_name`; True if queued again.

    A job queued again needs a new message in Celery mode; one that ended has had its
    outcome (and its push) recorded by store.finish.
    """
    with store.db.session() as session:
        held = session.execute(
            select(Job.attempts, Job.crashes, Job.started_at).where(*_held(job_id, claim))
        ).first()
        if held is None:
            return False  # cancelled or taken over meanwhile: nothing of ours to change
        attempts, crashes, started_at = held
        rows = 0
        if attempts < store.max_attempts:
            message = f"Waiting for a worker (the analysis was stopped by {signal_name})"
            rows = execute_update(
                session,
                update(Job)
                .where(*_held(job_id, claim))
                .values(crashes=Job.crashes + 1, **queued_again(message, utcnow())),
            )
    if attempts >= store.max_attempts:
        store.finish(job_id, claim, last_attempt_lost(attempts, crashes + 1, signal_name))
        return False
    if rows:
        store.changes.changed(job_id)
        transitions.record(Transition(job_id, "processing", "queued", attempts, started_at))
    return rows == 1


def last_attempt_lost(attempts: int, crashes: int, signal_name: str) -> Outcome:
    if crashes >= attempts:
        return Outcome.failed(
            JobErrorCode.ANALYSIS_CRASHED,
            f"The video decoder stopped unexpectedly (signal {signal_name}) on each of "
            f"{attempts} attempts; the file may be damaged.",
        )
    return Outcome.failed(JobErrorCode.WORKER_LOST, WORKER_LOST_MESSAGE)
