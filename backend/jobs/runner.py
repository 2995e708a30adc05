"""The in-process runner: a bounded thread pool fed from the database."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any

from backend.jobs.execute import execute_job, release
from backend.jobs.heartbeat import Heartbeat, new_owner_id
from backend.jobs.isolation import Limits, warm_up
from backend.jobs.store import JobStore
from backend.storage import Storage

log = logging.getLogger(__name__)


class ThreadRunner:
    """Claims queued jobs while it has free threads; queued work waits in the database."""

    def __init__(
        self,
        store: JobStore,
        storage: Storage,
        *,
        workers: int,
        limits: Limits,
        poll_interval_s: float = 1.0,
    ) -> None:
        self.store = store
        self.storage = storage
        self.workers = workers
        self.limits = limits
        self.poll_interval_s = poll_interval_s
        self.owner = new_owner_id()
        self.heartbeat = Heartbeat(store, self.owner)
        self._pool: ThreadPoolExecutor | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._dispatcher: threading.Thread | None = None

    def start(self) -> None:
        if self._dispatcher is not None:
            return
        warm_up()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="clipscope-job")
        self.heartbeat.start()
        self._dispatcher = threading.Thread(
            target=self._dispatch_loop, name="clipscope-dispatch", daemon=True
        )
        self._dispatcher.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming, stop the running analyses, and give their jobs back to the queue."""
        self._stopping.set()
        self._wake.set()
        running = self.heartbeat.claims()
        self.heartbeat.stop(timeout)
        if self._dispatcher is not None:
            self._dispatcher.join(timeout)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        # A restart is not the job's fault: it is queued again without spending an attempt.
        for job_id, claim in running:
            release(self.store, job_id, claim)

    def submit(self, job_id: str) -> None:
        """A job was queued: look now rather than at the next poll."""
        self._wake.set()

    def health(self) -> dict[str, Any]:
        return {}  # nothing beyond this process to report

    def cancel(self, job_id: str) -> None:
        """Stop a job this process runs (the database already says cancelled)."""
        self.heartbeat.cancel(job_id)

    @property
    def busy(self) -> int:
        return self.heartbeat.busy

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
        for job_id, claim in self.store.claim_next(self.owner, self.workers - self.busy):
            stop = self.heartbeat.track(job_id, claim)
            future = self._pool.submit(
                execute_job, self.store, self.storage, job_id, claim, stop, self.limits
            )
            future.add_done_callback(partial(self._done, claim))

    def _done(self, claim: str, future: Future[None]) -> None:
        self.heartbeat.untrack(claim)
        if future.exception() is not None:
            log.error("claim %s runner error", claim, exc_info=future.exception())
        self._wake.set()
