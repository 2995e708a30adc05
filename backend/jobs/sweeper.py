"""Expiry: old jobs, source videos kept past their time, and files no job owns."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from backend.jobs import lifecycle
from backend.jobs.store import JobStore
from backend.models import Job
from backend.models.status import TERMINAL
from backend.storage import Storage
from backend.timeutil import utcnow

log = logging.getLogger(__name__)

# A job directory with no row is an upload still being received until it is this old.
ORPHAN_AGE = timedelta(hours=1)


@dataclass(frozen=True)
class SweepReport:
    expired_jobs: int
    sources_removed: int
    orphans_removed: int
    uploads_expired: int = 0


class Sweeper:
    def __init__(
        self,
        store: JobStore,
        storage: Storage,
        *,
        ttl_days: int,
        keep_source_hours: int,
        interval_s: float,
        expire_uploads: Callable[[datetime], int],
    ) -> None:
        self.store = store
        self.storage = storage
        # Removes unfinished resumable uploads past their expiry and says how many; passed in
        # by the assembly, since uploads sit above jobs (tests/test_layers.py).
        self.expire_uploads = expire_uploads
        self.ttl = timedelta(days=ttl_days)
        self.keep_source = timedelta(hours=keep_source_hours)
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="clipscope-sweeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.sweep()
            except Exception:
                log.exception("sweep failed; trying again next time")

    def sweep(self, now: datetime | None = None) -> SweepReport:
        now = now or utcnow()
        report = SweepReport(
            expired_jobs=lifecycle.cleanup(self.store, self.storage, now - self.ttl, None),
            sources_removed=self._remove_old_sources(now - self.keep_source),
            orphans_removed=self._remove_orphans(now - ORPHAN_AGE),
            uploads_expired=self.expire_uploads(now),
        )
        if any(vars(report).values()):
            log.info("sweep: %s", report)
        return report

    def _remove_old_sources(self, ended_before: datetime) -> int:
        """Source videos of jobs that ended long enough ago; results and thumbnails stay."""
        with self.store.db.session() as session:
            rows = session.execute(
                select(Job.id, Job.user_id, Job.source_name).where(
                    Job.status.in_(TERMINAL),
                    Job.finished_at < ended_before,
                    Job.source_deleted_at.is_(None),
                )
            ).all()
        for job_id, user_id, source_name in rows:
            self.storage.source_path(user_id, job_id, source_name).unlink(missing_ok=True)
        if rows:
            with self.store.db.session() as session:
                session.execute(
                    update(Job)
                    .where(Job.id.in_([job_id for job_id, _, _ in rows]))
                    .values(source_deleted_at=utcnow())
                )
        return len(rows)

    def _remove_orphans(self, older_than: datetime) -> int:
        """Job directories whose row is gone, or uploads abandoned before a row existed."""
        cutoff = time.time() - (utcnow() - older_than).total_seconds()
        candidates = (
            [
                job_dir
                for user_dir in self.storage.root.iterdir()
                if user_dir.is_dir() and user_dir.name.isdigit()
                for job_dir in user_dir.iterdir()
                if job_dir.is_dir() and job_dir.stat().st_mtime < cutoff
            ]
            if self.storage.root.is_dir()
            else []
        )
        if not candidates:
            return 0
        with self.store.db.session() as session:
            known = set(
                session.scalars(select(Job.id).where(Job.id.in_([d.name for d in candidates])))
            )
        removed = 0
        for job_dir in candidates:
            if job_dir.name not in known:
                shutil.rmtree(job_dir, ignore_errors=True)
                removed += 1
        return removed
