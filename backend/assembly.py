"""Builds the app's parts and connects the job events: who is told what, read in one place."""

from __future__ import annotations

import atexit
from functools import partial

from backend.batches.notify import end_if_done
from backend.config import Config
from backend.db import Database
from backend.jobs.events import JobEvents, JobFinished
from backend.jobs.runners import make_runner
from backend.jobs.store import JobStore
from backend.jobs.sweeper import Sweeper
from backend.notify.outbox import wake_after_commit, write_outbox
from backend.notify.sender import PushSender
from backend.notify.settings import PushSettings
from backend.services import Services
from backend.storage import Storage
from backend.uploads.by_url import UrlSource, drop_failed_source, fetch_settings
from backend.uploads.tus import expiry as tus_expiry
from backend.uploads.tus.resumable import ResumableUploads


def assemble(config: Config) -> Services:
    """Every part, built and connected; no thread runs yet (start_background does that)."""
    db = Database(config.database_url)
    store = JobStore(
        db,
        lease_s=config.lease_s,
        max_attempts=config.max_attempts,
        user_max_running=config.user_max_running,
    )
    storage = Storage(config.upload_dir)
    store.events = JobEvents(
        finished=partial(job_finished, storage),
        before_analysis=UrlSource(store, storage, fetch_settings(config)),
    )
    push = PushSender(db, PushSettings.from_config(config))
    wake_after_commit(db, push.wake)
    sweeper = Sweeper(
        store,
        storage,
        ttl_days=config.job_ttl_days,
        keep_source_hours=config.keep_source_hours,
        interval_s=config.sweep_interval_s,
        expire_uploads=partial(tus_expiry.remove_expired, db, storage.root),
    )
    runner = make_runner(config, store, storage)
    services = Services(config, db, store, storage, runner, push, sweeper)
    # One per app (and so per process): it holds the running hashes this process keeps.
    services.tus = ResumableUploads(services)
    return services


def job_finished(storage: Storage, event: JobFinished) -> None:
    """A job ended completed or failed, in the transaction that ends it: what follows from it.

    A job of a batch sends no push of its own: its batch sends one when its last job ends.
    """
    session, job = event.session, event.job
    if job.batch_id is None:
        write_outbox(session, job)
    else:
        end_if_done(session, job.batch_id, job.id)
    drop_failed_source(storage, job)


def start_background(services: Services) -> None:
    """The push sender, the runner and the sweeper; stopped together at exit."""
    services.push.start()
    services.runner.start()
    services.sweeper.start()
    # The server stops us at its first signal (backend/server/worker.py); this is for the
    # other ways a process ends.
    atexit.register(services.stop)
