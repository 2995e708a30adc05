"""Runs one claimed job: the analysis, then exactly one call that records how it ended."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from dataclasses import dataclass

from backend.analysis import AnalysisCancelled, AnalysisError
from backend.jobs.events import BeforeAnalysis
from backend.jobs.lost import lose_attempt
from backend.jobs.outcome import Outcome
from backend.jobs.runners.isolation import (
    AnalysisFailed,
    AnalysisKilled,
    Limits,
    analyze_isolated,
)
from backend.jobs.runners.progress import ThrottledProgress
from backend.jobs.store import JobStore
from backend.models import Job
from backend.models.status import JobErrorCode, JobStatus
from backend.storage import Storage
from backend.transient import DatabaseUnavailable, is_transient, retry_transient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobFiles:
    source: str
    thumbnails: str


def job_files(store: JobStore, storage: Storage, job_id: str) -> JobFiles | None:
    with store.db.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            return None
        return JobFiles(
            source=str(storage.source_path(job.user_id, job.id, job.source_name)),
            thumbnails=str(storage.thumbnails_dir(job.user_id, job.id)),
        )


def execute_job(
    store: JobStore,
    storage: Storage,
    job_id: str,
    owner: str,
    stop: threading.Event,
    limits: Limits,
) -> bool:
    """Analyse a job this owner has claimed and record the outcome.

    True when the job went back to the queue because its analysis was killed (lost.py): in
    Celery mode it then needs a new message.
    """
    deadline = time.monotonic() + limits.timeout_s

    def write_progress(phase: str, percent: int, message: str) -> bool:
        try:
            return store.report_progress(job_id, owner, phase, percent, message)
        except Exception as error:
            if not is_transient(error):
                raise
            # Progress is best effort: the analysis goes on, and the next write catches up.
            log.warning("job %s: progress not recorded (%s)", job_id, error)
            return True

    progress = ThrottledProgress(write_progress)

    def should_stop() -> bool:
        return stop.is_set() or progress.lost or time.monotonic() > deadline

    outcome: Outcome | None
    files = None
    try:
        store.events.before_analysis(BeforeAnalysis(job_id, owner, should_stop))
        files = retry_transient(
            lambda: job_files(store, storage, job_id), f"job {job_id}: read", stop=stop
        )
        if files is None:
            return False  # deleted while it waited
        outcome = Outcome.completed(
            analyze_isolated(
                files.source,
                progress,
                should_stop,
                thumbnails_dir=files.thumbnails,
                limits=limits,
            )
        )
    except (AnalysisCancelled, DatabaseUnavailable):
        outcome = None
        if time.monotonic() > deadline and not stop.is_set() and not progress.lost:
            outcome = Outcome.failed(
                JobErrorCode.ANALYSIS_TIMEOUT,
                f"The analysis took longer than the limit of {limits.timeout_s:g} seconds.",
            )
    except (AnalysisError, AnalysisFailed) as error:
        outcome = Outcome.failed(error.code, error.message)
    except AnalysisKilled as killed:
        log.warning("job %s: the analysis was killed by %s", job_id, killed.signal_name)
        assert files is not None
        # What the killed child wrote goes before anyone may run the job again.
        shutil.rmtree(files.thumbnails, ignore_errors=True)
        how = killed.signal_name
        return retry_transient(
            lambda: lose_attempt(store, job_id, owner, how), f"job {job_id}: lost attempt"
        )
    except Exception:
        log.exception("job %s crashed", job_id)
        outcome = Outcome.failed(
            JobErrorCode.INTERNAL_ERROR, "The analysis failed because of an error on our side."
        )
    # A cancelled or taken-over job records nothing: its new state is someone else's.
    if outcome is not None:
        if outcome.status is JobStatus.FAILED and files is not None:
            # A killed child may have left a thumbnail half-written; a failed job shows none.
            shutil.rmtree(files.thumbnails, ignore_errors=True)
        # Only the analysis decides how a job ends: a database that blinks now delays the
        # record; if it stays away, the lease runs out and the job is run again.
        retry_transient(lambda: store.finish(job_id, owner, outcome), f"job {job_id}: finish")
    return False


def release(store: JobStore, job_id: str, claim: str) -> bool:
    """Give a job back to the queue on a stop; if the database is away, the lease will."""
    try:
        return retry_transient(lambda: store.release(job_id, claim), f"job {job_id}: release", 10.0)
    except Exception:
        log.exception("job %s: not released; it is re-queued when its lease expires", job_id)
        return False
