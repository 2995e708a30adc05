"""A runner that runs queued jobs in the caller's thread: deterministic tests, no waiting."""

from __future__ import annotations

import threading
from typing import Any

from backend.jobs.execute import execute_job
from backend.jobs.heartbeat import new_owner_id
from backend.jobs.isolation import Limits
from backend.jobs.store import JobStore
from backend.storage import Storage


class InlineRunner:
    """Like huey's immediate mode: `submit()` runs every queued job before returning."""

    def __init__(self, store: JobStore, storage: Storage, *, limits: Limits) -> None:
        self.store = store
        self.storage = storage
        self.limits = limits
        self.owner = new_owner_id()
        self.workers = 1
        self.busy = 0

    def start(self) -> None:
        self.store.recover_expired()

    def stop(self, timeout: float = 0.0) -> None:
        pass

    def health(self) -> dict[str, Any]:
        return {}  # nothing beyond this process to report

    def cancel(self, job_id: str) -> None:
        pass

    def submit(self, job_id: str) -> None:
        while claims := self.store.claim_next(self.owner, 1):
            job_id, claim = claims[0]
            execute_job(self.store, self.storage, job_id, claim, threading.Event(), self.limits)
