"""The in-process runner: a bounded thread pool fed from the database."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

from backend.jobs.execute import execute_job
from backend.jobs.heartbeat import Heartbeat, new_owner_id
from backend.jobs.store import JobStore
from backend.storage import Storage

log = logging.getLogger(__name__)

# Analyses are CPU-bound and share the CPUs with this process's web threads; below them they
# still get every idle cycle, and a status poll no longer waits behind them for a CPU.
ANALYSIS_NICE = 10


def lower_priority() -> None:
    """Lower the calling thread's CPU priority to ANALYSIS_NICE (Linux only)."""
    # On Linux the nice value is per thread, and the decoder threads FFmpeg starts from this
    # thread inherit it; elsewhere setpriority() would apply to the whole process.
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), ANALYSIS_NICE)


class ThreadRunner:
    """Claims queued jobs while it has free threads; queued work waits in the database."""

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
        self.heartbeat = Heartbeat(store, self.owner)
        self._pool: ThreadPoolExecutor | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._dispatcher: threading.Thread | None = None

    def start(self) -> None:
        if self._dispatcher is not None:
            return
        self._pool = ThreadPoolExecutor(
            self.workers, thread_name_prefix="clipscope-job", initializer=lower_priority
        )
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
            self.store.release(job_id, claim)

    def submit(self, job_id: str) -> None:
        """A job was queued: look now rather than at the next poll."""
        self._wake.set()

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
                execute_job, self.store, self.storage, job_id, claim, stop, self.job_timeout_s
            )
            future.add_done_callback(partial(self._done, claim))

    def _done(self, claim: str, future: Future[None]) -> None:
        self.heartbeat.untrack(claim)
        if future.exception() is not None:
            log.error("claim %s runner error", claim, exc_info=future.exception())
        self._wake.set()
