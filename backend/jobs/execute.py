"""Runs one claimed job: the analysis, then exactly one call that records how it ended."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from backend.analysis import AnalysisCancelled, AnalysisError, analyze
from backend.jobs.outcome import Outcome
from backend.jobs.progress import ThrottledProgress
from backend.jobs.status import JobErrorCode
from backend.jobs.store import JobStore
from backend.models import Job
from backend.storage import Storage

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
    timeout_s: float,
) -> None:
    """Analyse a job this owner has claimed and record the outcome."""
    deadline = time.monotonic() + timeout_s
    progress = ThrottledProgress(
        lambda phase, percent, message: store.report_progress(
            job_id, owner, phase, percent, message
        )
    )

    def should_stop() -> bool:
        return stop.is_set() or progress.lost or time.monotonic() > deadline

    outcome: Outcome | None
    try:
        for before in store.before_analysis:  # a job submitted by URL fetches its video here
            before(job_id, owner, should_stop)
        files = job_files(store, storage, job_id)
        if files is None:
            return  # deleted while it waited
        outcome = Outcome.completed(
            analyze(files.source, progress, should_stop, thumbnails_dir=files.thumbnails)
        )
    except AnalysisCancelled:
        outcome = None
        if time.monotonic() > deadline and not stop.is_set() and not progress.lost:
            outcome = Outcome.failed(
                JobErrorCode.ANALYSIS_TIMEOUT,
                f"The analysis took longer than the limit of {timeout_s:g} seconds.",
            )
    except AnalysisError as error:
        outcome = Outcome.failed(error.code, error.message)
    except Exception:
        log.exception("job %s crashed", job_id)
        outcome = Outcome.failed(
            JobErrorCode.INTERNAL_ERROR, "The analysis failed because of an error on our side."
        )
    # A cancelled or taken-over job records nothing: its new state is someone else's.
    if outcome is not None:
        store.finish(job_id, owner, outcome)
