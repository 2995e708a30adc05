"""The events of a job's life and their payloads; who is told is decided in backend/assembly.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from backend.models import Job


@dataclass(frozen=True)
class JobFinished:
    """A job ended completed or failed (not cancelled), told inside the transaction that ends it.

    What a handler writes with `session` (the push outbox) commits or rolls back with the job's
    end; a handler that raises undoes that end, and the runner records it again.
    """

    session: Session
    job: Job


@dataclass(frozen=True)
class BeforeAnalysis:
    """A claimed job is about to be analysed: a job submitted by URL fetches its video here.

    Raising AnalysisError fails the job; AnalysisCancelled gives it up (cancelled or taken over).
    """

    job_id: str
    claim: str
    should_stop: Callable[[], bool]


def _nobody(event: object) -> None:
    """No handler: a store or runner built alone (tests, the CLI) tells nobody."""


@dataclass(frozen=True)
class JobEvents:
    """One handler per event: the handler itself says everything that follows, in order."""

    finished: Callable[[JobFinished], None] = _nobody
    before_analysis: Callable[[BeforeAnalysis], None] = _nobody
