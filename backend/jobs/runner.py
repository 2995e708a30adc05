"""The in-process runner: a bounded thread pool fed from the database."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

from backend.jobs.execute import execute_job
from backend.jobs.store import JobStore
from backend.storage import Storage

log = logging.getLogger(__name__)


def new_owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ThreadRunner:
    """Claims queued jobs while it has free threads; queued work waits in the database.

    A dispatcher thread claims jobs and a heartbeat thread renews leases, notices jobs
    cancelled elsewhere, and re-queues jobs whose holder died.
    """

    def __init__(
        self,
        store: JobStore,
        storage: Storage,
        *,
        workers: int,
        job_timeout_s: float,
        poll_interval_s: float = 1.0,
    ) -> None:
        self.store = store
        self.storage = storage
        self.workers = workers
        self.job_timeout_s = job_timeout_s
        self.poll_interval_s = poll_interval_s
        self.owner = new_owner_id()
        self._pool: ThreadPoolExecutor | None = None
        self._running: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        if self._threads:
            return
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="clipscope-job")
        for target, name in ((self._dispatch_loop, "dispatch"), (self._heartbeat_loop, "beat")):
            thread = threading.Thread(target=target, name=f"clipscope-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        with self._lock:
            for event in self._running.values():
                event.set()
        for thread in self._threads:
            thread.join(timeout)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, job_id: str) -> None:
        """A job was queued: look now rather than at the next poll."""
        self._wake.set()

    def cancel(self, job_id: str) -> None:
        """Stop a job this process runs (the database already says cancelled)."""
        with self._lock:
            event = self._running.get(job_id)
        if event is not None:
            event.set()

    @property
    def busy(self) -> int:
        with self._lock:
            return len(self._running)

    # --- threads ------------------------------------------------------------------------

    def _dispatch_loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                self._claim_and_submit()
            except Exception:
                log.exception("dispatcher failed; retrying")
            self._wake.wait(self.poll_interval_s)

    def _claim_and_submit(self) -> None:
        assert self._pool is not None
        for job_id in self.store.claim_next(self.owner, self.workers - self.busy):
            event = threading.Event()
            with self._lock:
                self._running[job_id] = event
            future = self._pool.submit(
                execute_job,
                self.store,
                self.storage,
                job_id,
                self.owner,
                event,
                self.job_timeout_s,
            )
            future.add_done_callback(partial(self._done, job_id))

    def _done(self, job_id: str, future: Future[None]) -> None:
        with self._lock:
            self._running.pop(job_id, None)
        if future.exception() is not None:
            log.error("job %s runner error", job_id, exc_info=future.exception())
        self._wake.set()

    def _heartbeat_loop(self) -> None:
        lease_every = max(0.2, self.store.lease.total_seconds() / 3)
        last_lease = 0.0
        elapsed = 0.0
        self._safe(self.store.recover_expired)
        # Cancellation is noticed twice a second, lease renewal and recovery less often.
        while not self._stopping.wait(0.5):
            elapsed += 0.5
            with self._lock:
                ids = list(self._running)
            if ids:
                self._safe(partial(self._stop_lost, ids))
            if elapsed - last_lease >= lease_every:
                last_lease = elapsed
                self._safe(self.store.recover_expired)

    def _stop_lost(self, ids: list[str]) -> None:
        for job_id in self.store.renew_leases(ids, self.owner):
            self.cancel(job_id)

    @staticmethod
    def _safe(action: Callable[[], object]) -> None:
        try:
            action()
        except Exception:
            log.exception("heartbeat step failed")
