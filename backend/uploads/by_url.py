"""Jobs submitted by URL: the job row at once, the video fetched by the runner as phase one."""

from __future__ import annotations

import time
import uuid
from typing import Any

from backend.analysis.errors import AnalysisCancelled
from backend.config import Config
from backend.errors import ValidationFailed
from backend.jobs.by_url import create_url_job, record_fetched, url_to_fetch
from backend.jobs.documents import job_document
from backend.jobs.events import BeforeAnalysis
from backend.jobs.quota import check_queue_room
from backend.jobs.runners import Runner
from backend.jobs.store import JobStore
from backend.models import Job
from backend.models.status import JobPhase, JobStatus
from backend.observability import metrics
from backend.storage import Storage
from backend.uploads.accept import accepted_body
from backend.uploads.fetch import FetchError, FetchSettings, check_url, fetch_video, name_from_url


def fetch_settings(config: Config) -> FetchSettings:
    return FetchSettings(
        limit_bytes=config.max_upload_bytes,
        allow_hosts=config.fetch_allow_hosts,
        connect_timeout_s=config.fetch_connect_timeout_s,
        read_timeout_s=config.fetch_read_timeout_s,
        deadline_s=config.fetch_deadline_s,
        min_rate_bytes_s=config.fetch_min_rate_bytes_s,
    )


def submit_url(
    user_id: int,
    url: str,
    *,
    store: JobStore,
    runner: Runner,
    settings: FetchSettings,
    user_max_queued: int,
) -> dict[str, Any]:
    """Check the URL now (a refusal is a 422), queue its job; the runner fetches it."""
    try:
        check_url(url, settings)
    except FetchError as error:
        raise ValidationFailed(error.message, code="url_not_allowed") from None
    job_id = str(uuid.uuid4())
    with store.db.session() as session:
        check_queue_room(session, user_id, user_max_queued)
        job = create_url_job(session, job_id, user_id, url, name_from_url(url))
        body = accepted_body(job_document(job, with_result=True))
    runner.submit(job_id)
    return body


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


class _DownloadProgress:
    """Writes the download's progress at most twice a second, or when it moved 5 points.

    The second rule matters for a server that stalls: what arrived before the stall shows.
    """

    def __init__(self, store: JobStore, job_id: str, owner: str) -> None:
        self.store, self.job_id, self.owner = store, job_id, owner
        self.written_at = float("-inf")
        self.percent = -1
        self.lost = False

    def report(self, received: int, total: int | None) -> None:
        percent = min(100, received * 100 // total) if total else 0
        now = time.monotonic()
        if now - self.written_at < 0.5 and percent < self.percent + 5:
            return
        self.written_at, self.percent = now, percent
        size = (
            f"{_megabytes(received)} of {_megabytes(total)} ({percent} %)"
            if total
            else _megabytes(received)
        )
        message = f"Downloading the video: {size}" if received else "Downloading the video"
        # The job's progress is the analysis's, which never goes back within an attempt: the
        # download's own share is in the message, and the progress stays 0 until it starts.
        if not self.store.report_progress(self.job_id, self.owner, JobPhase.FETCHING, 0, message):
            self.lost = True


class UrlSource:
    """The before_analysis handler (jobs/events.py): fetch the video of a job submitted by URL."""

    def __init__(self, store: JobStore, storage: Storage, settings: FetchSettings) -> None:
        self.store = store
        self.storage = storage
        self.settings = settings

    def __call__(self, event: BeforeAnalysis) -> None:
        job_id, owner, should_stop = event.job_id, event.claim, event.should_stop
        row = url_to_fetch(self.store, job_id)
        if row is None:
            return
        if self.storage.source_path(row.user_id, job_id, row.source_name).is_file():
            return  # fetched by an earlier attempt
        progress = _DownloadProgress(self.store, job_id, owner)
        progress.report(0, None)
        video = fetch_video(
            row.url,
            self.storage.job_dir(row.user_id, job_id),
            self.settings,
            progress.report,
            lambda: should_stop() or progress.lost,
        )
        recorded = record_fetched(
            self.store,
            job_id,
            owner,
            content_type=video.container.content_type,
            size_bytes=video.size,
            sha256=video.sha256,
            source_name=video.path.name,
        )
        if not recorded:
            raise AnalysisCancelled()  # cancelled or taken over while it downloaded
        metrics.observe_upload(video.size, "url")


def drop_failed_source(storage: Storage, job: Job) -> None:
    """A URL job that failed gives its fetched file back at once, not after the keep period.

    Nobody uploaded it, so nobody can play it back or lose it: kept, a server sending bodies
    that fail the analysis would fill the disk for free. A retry fetches the URL again.
    """
    if job.source_url is None or job.status != JobStatus.FAILED:
        return
    # source_deleted_at stays unset: a retry fetches again and may keep the new file.
    storage.source_path(job.user_id, job.id, job.source_name).unlink(missing_ok=True)
