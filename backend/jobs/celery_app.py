"""Scale-out mode: the Celery application and its one task, on Redis.

`celery -A backend.jobs.celery_app worker` runs it. The message only says "look at job X": the
database row stays the source of truth, and the task claims the row exactly like the thread
runner does, so a redelivered or duplicated message never runs a job twice at the same time.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from celery import Celery
from flask import Flask

from backend.config import Config
from backend.jobs.execute import execute_job, release
from backend.jobs.heartbeat import Heartbeat, new_owner_id
from backend.jobs.isolation import limits_from
from backend.jobs.store import JobStore, claim_id
from backend.services import Services
from backend.storage import Storage
from backend.timeutil import utcnow

log = logging.getLogger(__name__)

celery_app = Celery("clipscope")


def celery_settings(config: Config) -> dict[str, Any]:
    return {
        "broker_url": config.redis_url,
        # The row, not the broker, remembers the job: no result backend is needed.
        "task_ignore_result": True,
        # Acknowledge after the run, so a worker that dies mid-job gets its message redelivered.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        # A task only schedules: the analysis runs in a supervised child process (isolation.py),
        # which a prefork pool's daemonic processes may not start.
        "worker_pool": "threads",
        "task_default_queue": "clipscope",
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {"visibility_timeout": max(3600, config.job_timeout_s * 2)},
    }


@celery_app.on_configure.connect  # type: ignore[untyped-decorator]
def _configure(sender: Celery, **_: Any) -> None:
    # Read the environment only when Celery first needs its settings, never at import.
    sender.conf.update(celery_settings(Config.from_env()))


_app: Flask | None = None
_app_lock = threading.Lock()


def worker_services() -> Services:
    """The worker process's own app, wired like the web's; built after Celery forks."""
    global _app
    with _app_lock:
        if _app is None:
            from backend import create_app

            config = Config.from_env().with_overrides(executor="celery", start_background=True)
            _app = create_app(config)
        found: Services = _app.extensions["clipscope"]
        return found


@celery_app.task(name="clipscope.run_job")  # type: ignore[untyped-decorator]
def run_job(job_id: str) -> None:
    """Analyse job `job_id` if it is still queued."""
    runner = worker_services().runner
    assert isinstance(runner, CeleryRunner)
    runner.run(job_id)


class CeleryRunner:
    """Sends a message per job; whichever worker receives it claims the row and runs it."""

    def __init__(self, config: Config, store: JobStore, storage: Storage) -> None:
        if not config.redis_url:
            raise ValueError("CLIPSCOPE_EXECUTOR=celery needs REDIS_URL (the broker).")
        celery_app.conf.update(celery_settings(config))
        self.store = store
        self.storage = storage
        self.workers = config.workers
        self.limits = limits_from(config)
        self.resend_after = timedelta(seconds=max(60.0, config.lease_s * 4))
        self.heartbeat = Heartbeat(store, new_owner_id(), on_recover=self.resend_stale)

    @property
    def busy(self) -> int:
        return self.heartbeat.busy

    def start(self) -> None:
        self.heartbeat.start()

    def stop(self, timeout: float = 10.0) -> None:
        running = self.heartbeat.claims()
        self.heartbeat.stop(timeout)
        for job_id, claim in running:
            release(self.store, job_id, claim)

    def submit(self, job_id: str) -> None:
        try:
            run_job.apply_async((job_id,), retry=False)
        except Exception:
            # The row is queued; resend_stale sends it again once the broker is back.
            log.exception("could not send job %s to the broker", job_id)

    def cancel(self, job_id: str) -> None:
        self.heartbeat.cancel(job_id)

    def run(self, job_id: str) -> None:
        claim = claim_id(self.heartbeat.owner)
        if not self.store.claim(job_id, claim):
            log.info("job %s is not queued (running elsewhere, done or gone); skipping", job_id)
            return
        stop = self.heartbeat.track(job_id, claim)
        try:
            execute_job(self.store, self.storage, job_id, claim, stop, self.limits)
        finally:
            self.heartbeat.untrack(claim)

    def resend_stale(self) -> None:
        """Queued jobs whose message was lost (broker restarted, job re-queued) get a new one."""
        for job_id in self.store.touch_stale_queued(utcnow() - self.resend_after):
            self.submit(job_id)
