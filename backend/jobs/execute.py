"""Runs one claimed job: the analysis, then exactly one call that records how it ended."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from dataclasses import dataclass

from backend.analysis import AnalysisCancelled, AnalysisError
from backend.jobs.isolation import AnalysisFailed, Limits, analyze_isolated
from backend.jobs.outcome import Outcome
from backend.jobs.progress import ThrottledProgress
from backend.jobs.status import JobErrorCode, JobStatus
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
    limits: Limits,
) -> None:
    """Analyse a job this owner has claimed and record the outcome."""
    deadline = time.monotonic() + limits.timeout_s
    progress = ThrottledProgress(
        lambda phase, percent, message: store.report_progress(
            job_id, owner, phase, percent, message
        )
    )

    def should_stop() -> bool:
        return stop.is_set() or progress.lost or time.monotonic() > deadline

    outcome: Outcome | None
    files = None
    try:
        files = job_files(store, storage, job_id)
        if files is None:
            return  # deleted while it waited
        outcome = Outcome.completed(
            analyze_isolated(
                files.source,
                progress,
                should_stop,
                thumbnails_dir=files.thumbnails,
                limits=limits,
            )
        )
    except AnalysisCancelled:
        outcome = None
        if time.monotonic() > deadline and not stop.is_set() and not progress.lost:
            outcome = Outcome.failed(
                JobErrorCode.ANALYSIS_TIMEOUT,
                f"The analysis took longer than the limit of {limits.timeout_s:g} seconds.",
            )
    except (AnalysisError, AnalysisFailed) as error:
        outcome = Outcome.failed(error.code, error.message)
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
        store.finish(job_id, owner, outcome)
