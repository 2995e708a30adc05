"""The job store: every state change of a job is one conditional UPDATE here."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, CursorResult, Update, bindparam, func, select, update
from sqlalchemy.orm import Session

from backend.db import Database
from backend.errors import Conflict, job_not_found
from backend.jobs.changes import JobChanges
from backend.jobs.events import JobEvents, JobFinished
from backend.jobs.fair import lock_claims, next_fair_job
from backend.jobs.outcome import Outcome
from backend.models import Job
from backend.models.status import ACTIVE, RETRYABLE, JobErrorCode, JobPhase, JobStatus
from backend.observability import metrics, transitions
from backend.observability.transitions import Transition
from backend.timeutil import utcnow

log = logging.getLogger(__name__)


def claim_id(owner: str) -> str:
    """A claim: the runner's owner id plus what makes this one attempt unique."""
    return f"{owner}/{uuid.uuid4().hex[:12]}"


WORKER_LOST_MESSAGE = (
    "The worker analysing this video stopped too many times; please upload it again."
)

# Built once: every status poll runs it, and building the expression costs more than the query.
_JOB_OF_USER = select(Job).where(Job.id == bindparam("job_id"), Job.user_id == bindparam("user_id"))
_ANY_QUEUED = select(Job.id).where(Job.status == JobStatus.QUEUED).limit(1)
# A queued job's last change is when it was queued (created, re-queued or retried).
_QUEUED_SINCE = select(Job.updated_at, Job.attempts).where(Job.id == bindparam("job_id"))


def fetch(session: Session, job_id: str, user_id: int | None) -> Job:
    """The job (of this user, unless None), fresh from the database; 404 if there is none."""
    query = select(Job).where(Job.id == job_id)
    if user_id is not None:
        query = query.where(Job.user_id == user_id)
    job = session.scalar(query.execution_options(populate_existing=True))
    if job is None:
        raise job_not_found()
    return job


def _held(job_id: str, claim: str) -> tuple[ColumnElement[bool], ...]:
    """The job is running under this claim: every write of a running attempt checks it."""
    return (Job.id == job_id, Job.owner == claim, Job.status == JobStatus.PROCESSING)


def queued_again(message: str, now: datetime) -> dict[str, Any]:
    """The values that put a job back in the queue."""
    return {
        "status": JobStatus.QUEUED,
        "phase": JobPhase.QUEUED,
        "progress": 0,
        "message": message,
        "owner": None,
        "lease_expires_at": None,
        "updated_at": now,
    }


def execute_update(session: Session, statement: Update) -> int:
    """Run an UPDATE and return how many rows it changed."""
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount)


class Recovery(NamedTuple):
    requeued: int
    lost: int
    requeued_ids: list[str]


class JobStore:
    def __init__(
        self, db: Database, *, lease_s: float, max_attempts: int, user_max_running: int = 1
    ) -> None:
        self.db = db
        self.user_max_running = user_max_running
        self.lease = timedelta(seconds=lease_s)
        self.max_attempts = max_attempts
        # Set once by the assembly (backend/assembly.py); the runner tells before_analysis.
        self.events = JobEvents()
        self.changes = JobChanges()

    # --- reads (the caller's session) -------------------------------------------------

    @staticmethod
    def get_for_user(session: Session, job_id: str, user_id: int) -> Job:
        job = session.scalar(_JOB_OF_USER, {"job_id": job_id, "user_id": user_id})
        if job is None:
            raise job_not_found()
        return job

    def queue_depth(self) -> int:
        with self.db.session() as session:
            count = session.scalar(
                select(func.count()).select_from(Job).where(Job.status == JobStatus.QUEUED)
            )
            return int(count or 0)

    # --- the runner's transitions (each its own transaction) ---------------------------

    def claim_next(self, owner: str, limit: int) -> list[tuple[str, str]]:
        """Claim up to `limit` queued jobs in fair order (fair.py): (job id, claim) pairs.

        Each claim gets its own owner string, so a job re-queued from under a still-running
        attempt and claimed again by the same process is a different claim: the old attempt's
        lease renewals and writes fail, and it stops.
        """
        won: list[tuple[str, str]] = []
        while len(won) < limit:
            claim = claim_id(owner)
            job_id = self.claim_fair(claim)
            if job_id is None:
                break
            won.append((job_id, claim))
        return won

    def claim_fair(self, claim: str) -> str | None:
        """Claim the queued job whose turn it is (round-robin across users); its id, or None."""
        with self.db.session() as session:
            # An idle runner asks every second: only take the claim lock when a job waits.
            if session.scalar(_ANY_QUEUED) is None:
                return None
            lock_claims(session)
            job_id = next_fair_job(session, self.user_max_running)
            claimed = self._claim(session, job_id, claim) if job_id is not None else None
        if claimed is None:
            return None
        self._claimed(claimed)
        return claimed.job_id

    def claim(self, job_id: str, owner: str) -> bool:
        """Take this queued job; the WHERE makes two claimers race safely."""
        with self.db.session() as session:
            claimed = self._claim(session, job_id, owner)
        if claimed is not None:
            self._claimed(claimed)
        return claimed is not None

    def _claim(self, session: Session, job_id: str, owner: str) -> Transition | None:
        now = utcnow()
        queued = session.execute(_QUEUED_SINCE, {"job_id": job_id}).first()
        rows = execute_update(
            session,
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
            .values(
                status=JobStatus.PROCESSING,
                phase=JobPhase.PROBING,
                progress=0,
                message="Starting the analysis",
                owner=owner,
                lease_expires_at=now + self.lease,
                attempts=Job.attempts + 1,
                started_at=now,
                updated_at=now,
            ),
        )
        if rows != 1 or queued is None:
            return None
        since, attempts = queued
        return Transition(job_id, "queued", "processing", attempts + 1, since)

    def _claimed(self, change: Transition) -> None:
        """After the claim committed: wake the job's watchers, log and count the transition."""
        self.changes.changed(change.job_id)
        transitions.record(change)

    def report_progress(
        self, job_id: str, owner: str, phase: str, progress: int, message: str
    ) -> bool:
        """Record progress and renew the lease; False when the job is no longer ours."""
        now = utcnow()
        with self.db.session() as session:
            rows = execute_update(
                session,
                update(Job)
                .where(*_held(job_id, owner))
                .values(
                    phase=phase,
                    # Never lower what a client has already seen within this attempt.
                    progress=func.max(Job.progress, progress)
                    if self.db.url.startswith("sqlite")
                    else func.greatest(Job.progress, progress),
                    message=message[:300],
                    lease_expires_at=now + self.lease,
                    updated_at=now,
                ),
            )
        if rows:
            self.changes.changed(job_id)
        return rows == 1

    def renew_leases(self, claims: Iterable[tuple[str, str]]) -> set[str]:
        """Extend the leases of (job id, claim) pairs; returns the claims no longer held."""
        lost: set[str] = set()
        with self.db.session() as session:
            for job_id, claim in claims:
                renewed = execute_update(
                    session,
                    update(Job)
                    .where(*_held(job_id, claim))
                    .values(lease_expires_at=utcnow() + self.lease),
                )
                if not renewed:
                    lost.add(claim)
        return lost

    def release(self, job_id: str, claim: str) -> bool:
        """Give a running job back to the queue on shutdown, without spending an attempt."""
        with self.db.session() as session:
            rows = execute_update(
                session,
                update(Job)
                .where(*_held(job_id, claim))
                .values(
                    attempts=Job.attempts - 1,
                    **queued_again(
                        "Waiting for a worker (the previous one was restarted)", utcnow()
                    ),
                ),
            )
        if rows:
            self.changes.changed(job_id)
            transitions.record(Transition(job_id, "processing", "queued", None, None))
        return rows == 1

    def finish(self, job_id: str, owner: str, outcome: Outcome) -> bool:
        """The one place a job ends completed or failed. False if it was not ours."""
        with self.db.session() as session:
            ended = self._finish(session, job_id, owner, outcome)
        if ended is not None:
            self.changes.changed(job_id)
            transitions.record(ended)
            if outcome.status == JobStatus.COMPLETED:
                metrics.observe_result(outcome.result)
        return ended is not None

    def _finish(
        self, session: Session, job_id: str, owner: str, outcome: Outcome
    ) -> Transition | None:
        now = utcnow()
        done = outcome.status == JobStatus.COMPLETED
        rows = execute_update(
            session,
            update(Job)
            .where(*_held(job_id, owner))
            .values(
                status=outcome.status,
                phase=JobPhase.DONE,
                progress=100 if done else Job.progress,
                message="Analysis complete" if done else (outcome.error_message or "")[:300],
                result=outcome.result,
                error_code=outcome.error_code,
                error_message=outcome.error_message,
                lease_expires_at=None,
                finished_at=now,
                updated_at=now,
            ),
        )
        if rows != 1:
            return None
        job = session.get(Job, job_id, populate_existing=True)
        assert job is not None
        self.events.finished(JobFinished(session, job))
        return Transition(
            job_id, "processing", outcome.status, job.attempts, job.started_at, outcome.error_code
        )

    def cancel(self, job_id: str, user_id: int | None) -> Job:
        """Cancel a queued or running job (user_id None: any user's, for the CLI)."""
        now = utcnow()
        with self.db.session() as session:
            was = session.execute(
                select(Job.status, Job.attempts, Job.updated_at).where(Job.id == job_id)
            ).first()
            query = update(Job).where(Job.id == job_id, Job.status.in_(ACTIVE))
            if user_id is not None:
                query = query.where(Job.user_id == user_id)
            rows = execute_update(
                session,
                query.values(
                    status=JobStatus.CANCELLED,
                    message="Cancelled",
                    lease_expires_at=None,
                    finished_at=now,
                    updated_at=now,
                ),
            )
            job = fetch(session, job_id, user_id)
        if rows == 0:
            raise Conflict(
                f"The job has already ended ({job.status}); there is nothing to cancel.",
                code="job_already_finished",
            )
        self.changes.changed(job_id)
        if was is not None:
            transitions.record(Transition(job_id, was[0], "cancelled", was[1], was[2]), now)
        return job

    def retry(self, job_id: str) -> bool:
        """Queue a failed or cancelled job again, as new; False if it is in another state."""
        with self.db.session() as session:
            rows = execute_update(
                session,
                update(Job)
                .where(Job.id == job_id, Job.status.in_(RETRYABLE))
                .values(
                    attempts=0,
                    crashes=0,
                    crash_signal=None,
                    error_code=None,
                    error_message=None,
                    result=None,
                    started_at=None,
                    finished_at=None,
                    **queued_again("Waiting for a worker", utcnow()),
                ),
            )
        if rows:
            self.changes.changed(job_id)
        return rows == 1

    def touch_stale_queued(self, queued_before: datetime) -> list[str]:
        """Ids of jobs queued since before `queued_before`, marked as looked at now."""
        with self.db.session() as session:
            ids = list(
                session.scalars(
                    select(Job.id)
                    .where(Job.status == JobStatus.QUEUED, Job.updated_at < queued_before)
                    .limit(500)
                )
            )
            if ids:
                session.execute(
                    update(Job)
                    .where(Job.id.in_(ids), Job.status == JobStatus.QUEUED)
                    .values(updated_at=utcnow())
                )
        return ids

    def recover_expired(self) -> Recovery:
        """Re-queue jobs whose holder died; fail those out of attempts."""
        now = utcnow()
        expired = (
            Job.status == JobStatus.PROCESSING,
            Job.lease_expires_at < now,
            Job.attempts < self.max_attempts,
        )
        with self.db.session() as session:
            back = session.execute(
                select(Job.id, Job.attempts, Job.started_at).where(*expired).with_for_update()
            ).all()
            changes = [Transition(i, "processing", "queued", n, at) for i, n, at in back]
            requeued_ids = [change.job_id for change in changes]
            if requeued_ids:
                session.execute(
                    update(Job)
                    .where(Job.id.in_(requeued_ids), *expired)
                    .values(**queued_again("Waiting for a worker (the previous one stopped)", now))
                    .execution_options(synchronize_session=False)
                )
        for change in changes:
            transitions.record(change, now)
        requeued = len(requeued_ids)
        lost = 0
        with self.db.session() as session:
            dead = session.execute(
                select(Job.id, Job.owner).where(
                    Job.status == JobStatus.PROCESSING,
                    Job.lease_expires_at < now,
                    Job.attempts >= self.max_attempts,
                )
            ).all()
        outcome = Outcome.failed(JobErrorCode.WORKER_LOST, WORKER_LOST_MESSAGE)
        for job_id, owner in dead:
            if owner is not None and self.finish(job_id, owner, outcome):
                lost += 1
        if requeued or lost:
            log.warning("recovered expired jobs: %d re-queued, %d lost", requeued, lost)
        for job_id in requeued_ids:
            self.changes.changed(job_id)
        return Recovery(requeued, lost, requeued_ids)
