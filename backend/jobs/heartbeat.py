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
        self, store: JobStore, owner: str, on_recover: Callable[[list[str]], None] | None = None
    ) -> None:
        self.store = store
        self.owner = owner
        self._on_recover = on_recover
        # claim -> (job id, stop event); a claim is one attempt at one job (see claim_id).
        self._running: dict[str, tuple[str, threading.Event]] = {}
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
            for _, event in self._running.values():
                event.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def track(self, job_id: str, claim: str) -> threading.Event:
        """Start keeping this claim's lease; the event is set when the job must stop."""
        event = threading.Event()
        with self._lock:
            self._running[claim] = (job_id, event)
        return event

    def untrack(self, claim: str) -> None:
        with self._lock:
            self._running.pop(claim, None)

    def claims(self) -> list[tuple[str, str]]:
        """(job id, claim) of every job this process is running."""
        with self._lock:
            return [(job_id, claim) for claim, (job_id, _) in self._running.items()]

    def stop_running(self) -> None:
        """Ask every analysis this process runs to stop (their leases are still renewed)."""
        with self._lock:
            events = [event for _, event in self._running.values()]
        for event in events:
            event.set()

    def cancel(self, job_id: str) -> None:
        with self._lock:
            events = [event for held, event in self._running.values() if held == job_id]
        for event in events:
            event.set()

    @property
    def busy(self) -> int:
        with self._lock:
            return len(self._running)

    def recover(self) -> None:
        recovery = self.store.recover_expired()
        if self._on_recover is not None:
            self._on_recover(recovery.requeued_ids)

    def _loop(self) -> None:
        recover_every = max(TICK_S, self.store.lease.total_seconds() / 3)
        since_recovery = 0.0
        self._safe(self.recover)
        while not self._stopping.wait(TICK_S):
            since_recovery += TICK_S
            claims = self.claims()
            if claims:
                self._safe(partial(self._stop_lost, claims))
            if since_recovery >= recover_every:
                since_recovery = 0.0
                self._safe(self.recover)

    def _stop_lost(self, claims: list[tuple[str, str]]) -> None:
        lost = self.store.renew_leases(claims)
        with self._lock:
            events = [event for claim, (_, event) in self._running.items() if claim in lost]
        for event in events:
            event.set()

    @staticmethod
    def _safe(action: Callable[[], object]) -> None:
        try:
            action()
        except Exception:
            log.exception("heartbeat step failed; trying again")
