"""An attempt lost to a killed analysis child: the job runs again, or ends after the last.

A child killed by a signal its supervisor did not send, under its memory limit, tells us
about the machine (an operator's `kill -9`, the kernel's OOM killer choosing it because the
machine ran short) or about the video (a decoder that crashes on it), not which of the two.
So the attempt counts and the job is queued again, like one whose worker died; past the last
attempt it fails with `analysis_crashed` naming the signal when its child was killed on every
attempt by that same signal (the video, most likely: a decoder crashes the same way each time),
else with `worker_lost` (some attempt lost its worker, or the children died by different
signals, e.g. an OOM kill then a segfault, which is the machine more than the video).
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

# Job.crash_signal once two crashes died by different signals; not a signal name, so it never
# matches one (fits the column's 16 characters).
CRASH_SIGNALS_DIFFER = "differ"


def lose_attempt(store: JobStore, job_id: str, claim: str, signal_name: str) -> bool:
    """Record that this claim's child was killed by `signal_name`; True if queued again.

    A job queued again needs a new message in Celery mode; one that ended has had its
    outcome (and its push) recorded by store.finish.
    """
    with store.db.session() as session:
        held = session.execute(
            select(Job.attempts, Job.crashes, Job.crash_signal, Job.started_at).where(
                *_held(job_id, claim)
            )
        ).first()
        if held is None:
            return False  # cancelled or taken over meanwhile: nothing of ours to change
        attempts, crashes, crash_signal, started_at = held
        # The one signal all this job's crashes died by, this one included, or "they differ".
        same = signal_name if crashes == 0 or crash_signal == signal_name else CRASH_SIGNALS_DIFFER
        rows = 0
        if attempts < store.max_attempts:
            message = f"Waiting for a worker (the analysis was stopped by {signal_name})"
            rows = execute_update(
                session,
                update(Job)
                .where(*_held(job_id, claim))
                .values(
                    crashes=Job.crashes + 1,
                    crash_signal=same,
                    **queued_again(message, utcnow()),
                ),
            )
    if attempts >= store.max_attempts:
        store.finish(job_id, claim, last_attempt_lost(attempts, crashes + 1, same))
        return False
    if rows:
        store.changes.changed(job_id)
        transitions.record(Transition(job_id, "processing", "queued", attempts, started_at))
    return rows == 1


def last_attempt_lost(attempts: int, crashes: int, crash_signal: str) -> Outcome:
    """The outcome of a job whose last attempt's child was killed.

    `crash_signal` is the one signal every crash died by, or CRASH_SIGNALS_DIFFER.
    """
    if crashes >= attempts and crash_signal != CRASH_SIGNALS_DIFFER:
        return Outcome.failed(
            JobErrorCode.ANALYSIS_CRASHED,
            f"The video decoder stopped unexpectedly (signal {crash_signal}) on each of "
            f"{attempts} attempts; the file may be damaged.",
        )
    return Outcome.failed(JobErrorCode.WORKER_LOST, WORKER_LOST_MESSAGE)
