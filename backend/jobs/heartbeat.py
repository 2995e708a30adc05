"""Keeps the leases of the jobs a process runs, and notices when one is taken from it.

Twice a second it renews the leases of the jobs it tracks; a job cancelled or deleted (here or
in any other process) is no longer renewable, so its stop event is set and the analysis ends
within a second. Less often it re-queues jobs whose holder died.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from functools import partial

from backend.jobs.store import JobStore

log = logging.getLogger(__name__)
TICK_S = 0.5


def new_owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Heartbeat:
    def __init__(
        self, store: JobStore, owner: str, on_recover: Callable[[], None] | None = None
    ) -> None:
        self.store = store
        self.owner = owner
        self._on_recover = on_recover
        self._running: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="clipscope-beat", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        with self._lock:
            for event in self._running.values():
                event.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def track(self, job_id: str) -> threading.Event:
        """Start keeping this job's lease; the event is set when the job must stop."""
        event = threading.Event()
        with self._lock:
            self._running[job_id] = event
        return event

    def untrack(self, job_id: str) -> None:
        with self._lock:
            self._running.pop(job_id, None)

    def cancel(self, job_id: str) -> None:
        with self._lock:
            event = self._running.get(job_id)
        if event is not None:
            event.set()

    @property
    def busy(self) -> int:
        with self._lock:
            return len(self._running)

    def recover(self) -> None:
        self.store.recover_expired()
        if self._on_recover is not None:
            self._on_recover()

    def _loop(self) -> None:
        recover_every = max(TICK_S, self.store.lease.total_seconds() / 3)
        since_recovery = 0.0
        self._safe(self.recover)
        while not self._stopping.wait(TICK_S):
            since_recovery += TICK_S
            with self._lock:
                ids = list(self._running)
            if ids:
                self._safe(partial(self._stop_lost, ids))
            if since_recovery >= recover_every:
                since_recovery = 0.0
                self._safe(self.recover)

    def _stop_lost(self, ids: list[str]) -> None:
        for job_id in self.store.renew_leases(ids, self.owner):
            self.cancel(job_id)

    @staticmethod
    def _safe(action: Callable[[], object]) -> None:
        try:
            action()
        except Exception:
            log.exception("heartbeat step failed; trying again")
