"""Scale-out mode: the Celery application and its one task, on RabbitMQ or Redis.

`celery -A backend.celery_worker worker` (make worker) runs it. The message only says "look at
job X": the database row stays the source of truth, and the task claims the row exactly like
the thread runner does, so a redelivered or duplicated message never runs a job twice at once.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from celery import Celery
from celery.exceptions import Reject
from celery.signals import worker_shutting_down

from backend.config import Config
from backend.jobs.runners.broker_health import BrokerHealth
from backend.jobs.runners.execute import execute_job, release
from backend.jobs.runners.heartbeat import Heartbeat, new_owner_id
from backend.jobs.runners.isolation import limits_from
from backend.jobs.store import JobStore, claim_id
from backend.storage import Storage
from backend.timeutil import utcnow

log = logging.getLogger(__name__)

celery_app = Celery("clipscope")
QUEUE = "clipscope"


def celery_settings(config: Config) -> dict[str, Any]:
    return {
        "broker_url": config.celery_broker,
        # The row, not the broker, remembers the job: no result backend is needed.
        "task_ignore_result": True,
        # Acknowledge after the run, so a worker that dies mid-job gets its message redelivered.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        # A task only schedules: the analysis runs in a supervised child process (isolation.py),
        # which a prefork pool's daemonic processes may not start.
        "worker_pool": "threads",
        "task_default_queue": QUEUE,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            # Redis: how long a message a worker took stays invisible to the others.
            "visibility_timeout": max(3600, config.job_timeout_s * 2),
            # RabbitMQ: an upload is answered only once the broker has its job's message.
            "confirm_publish": True,
        },
        # RabbitMQ: the queue and its messages survive a broker restart.
        "task_default_delivery_mode": "persistent",
    }


# Settings given by the app's Config (a CeleryRunner), which the environment must not undo.
_explicit: dict[str, Any] = {}


@celery_app.on_configure.connect  # type: ignore[untyped-decorator]
def _configure(sender: Celery, **_: Any) -> None:
    # Read the environment only when Celery first needs its settings, never at import. This
    # runs when the configuration is first read, after any update made before it.
    sender.conf.update(celery_settings(Config.from_env()))
    sender.conf.update(_explicit)


def configure(config: Config) -> None:
    _explicit.update(celery_settings(config))
    celery_app.conf.update(_explicit)
    # Connections already pooled point at the broker of before (tests switch brokers).
    celery_app._after_fork()


# The CeleryRunner of this process; in a worker, the one its tasks run on (celery_worker.py).
_runner: CeleryRunner | None = None


@worker_shutting_down.connect  # type: ignore[untyped-decorator]
def _hand_back_on_shutdown(**_: Any) -> None:
    # Celery's warm shutdown (SIGTERM) waits for running tasks: make them end now, giving
    # their jobs back, instead of after their whole analysis.
    if _runner is not None:
        _runner.hand_back()


@celery_app.task(name="clipscope.run_job")  # type: ignore[untyped-decorator]
def run_job(job_id: str) -> None:
    """Analyse job `job_id` if it is still queued."""
    if _runner is None:
        raise RuntimeError("start workers with `celery -A backend.celery_worker worker`")
    _runner.run(job_id)


class CeleryRunner:
    """Sends a message per job; whichever worker receives it claims the row and runs it.

    The row stays the truth: a worker runs a job only after claiming it, like the thread pool.
    The messages are how work reaches a worker quickly: a job re-queued from a dead worker
    (its lease ran out) gets a new message at once, a worker stopping gives its jobs back with
    a new message each, and only a message the broker lost is sent again.
    """

    def __init__(self, config: Config, store: JobStore, storage: Storage) -> None:
        if not config.celery_broker:
            raise ValueError(
                "CLIPSCOPE_EXECUTOR=celery needs a broker: CELERY_BROKER_URL or REDIS_URL."
            )
        configure(config)
        self.store = store
        self.storage = storage
        self.workers = config.workers
        self.limits = limits_from(config)
        self.resend_after = timedelta(seconds=max(60.0, config.lease_s * 4))
        self.heartbeat = Heartbeat(store, new_owner_id(), on_recover=self.resend)
        self._handing_back = threading.Event()
        self._health = BrokerHealth(celery_app)
        self._serves_http = config.serves_http
        global _runner
        _runner = self

    @property
    def busy(self) -> int:
        return self.heartbeat.busy

    def start(self) -> None:
        self.heartbeat.start()
        if self._serves_http:
            # Here, in the process that serves (a gunicorn worker, after the fork): a probe
            # must find an answer waiting, not start the asking. A Celery worker asks nothing.
            self._health.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._health.stop()
        running = self.heartbeat.claims()
        self.heartbeat.stop(timeout)
        for job_id, claim in running:
            release(self.store, job_id, claim)

    def hand_back(self) -> None:
        """The worker is stopping: stop the running analyses; run() gives their jobs back."""
        self._handing_back.set()
        self.heartbeat.stop_running()

    def submit(self, job_id: str) -> None:
        try:
            run_job.apply_async((job_id,), retry=False)
        except Exception:
            # The row is queued; resend() sends it again once the broker is back.
            log.exception("could not send job %s to the broker", job_id)

    def cancel(self, job_id: str) -> None:
        self.heartbeat.cancel(job_id)

    def health(self) -> dict[str, Any]:
        return self._health.check()

    def run(self, message_job_id: str) -> None:
        """Run the queued job whose turn it is (fair.py), not necessarily the message's.

        Every queued job has a message of its own, and a message claims at most one job, so
        each job is still run: the message's job, if another was run instead, is taken by
        a later message. One user's hundred messages queued first therefore cannot make
        another user's job wait for all of them.
        """
        if self._handing_back.is_set():
            # A stopping worker still takes messages for a while (Celery's loop drains the
            # broker for up to 2 s after a warm shutdown begins), among them the very message
            # that gives a job back. Swallowed here, it left the job queued with no message
            # until resend() (60 s): the broker must hand it to a worker that is not stopping.
            raise Reject("this worker is stopping", requeue=True)
        claim = claim_id(self.heartbeat.owner)
        job_id = self.store.claim_fair(claim)
        if job_id is None:
            # Nothing queued: the message's job runs elsewhere (duplicated or redelivered),
            # is done or gone. A holder that died is found by the lease and sent again.
            log.info("message for job %s: no job is queued; skipping", message_job_id)
            return
        stop = self.heartbeat.track(job_id, claim)
        try:
            again = execute_job(self.store, self.storage, job_id, claim, stop, self.limits)
        finally:
            self.heartbeat.untrack(claim)
        if again or (self._handing_back.is_set() and release(self.store, job_id, claim)):
            self.submit(job_id)  # its analysis was killed, or this worker is stopping

    def resend(self, requeued_ids: list[str]) -> None:
        """New messages for jobs re-queued from dead workers, and for messages the broker lost."""
        for job_id in requeued_ids:
            self.submit(job_id)
        # A job still waiting in the database while the broker's queue is empty lost its
        # message (Redis keeps nothing on disk). While messages wait, nothing is sent again:
        # with no worker running, the queue must not grow.
        if queued_messages() != 0:
            return
        for job_id in self.store.touch_stale_queued(utcnow() - self.resend_after):
            self.submit(job_id)


def queued_messages() -> int | None:
    """Messages waiting in the job queue (not those held by workers); None if unknown."""
    try:
        # The publishing pool's connection: the broker the messages really went to.
        with celery_app.pool.acquire(block=True, timeout=5) as conn, conn.channel() as channel:
            try:
                declared = channel.queue_declare(queue=QUEUE, passive=True)
            except conn.channel_errors:
                return 0  # RabbitMQ: the queue was never declared, so nothing waits in it
            return int(declared.message_count)
    except Exception:
        log.warning("could not count the broker's queue", exc_info=True)
        return None
