"""In-process wake-ups when a job changes, for long polls and event streams.

Changes made by another process (a second gunicorn worker, a Celery worker) do not reach this
hub; waiters therefore also re-read the row every second.
"""

from __future__ import annotations

import threading

# Each waiting long poll or event stream holds a server thread; past this many per process,
# long polls answer at once and new streams are refused, so waiting never starves other requests.
MAX_WAITERS = 8


class JobChanges:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._versions: dict[str, int] = {}
        self.waiters = threading.BoundedSemaphore(MAX_WAITERS)

    def version(self, job_id: str) -> int:
        with self._cond:
            return self._versions.get(job_id, 0)

    def changed(self, job_id: str) -> None:
        with self._cond:
            self._versions[job_id] = self._versions.get(job_id, 0) + 1
            # Bounded memory: old counters only serve waiters that re-read the row anyway.
            if len(self._versions) > 10_000:
                self._versions.clear()
            self._cond.notify_all()

    def wait(self, job_id: str, since: int, timeout: float) -> bool:
        """Block until the job's version moves past `since`, or `timeout`; True if it did."""
        with self._cond:
            return self._cond.wait_for(lambda: self._versions.get(job_id, 0) != since, timeout)
