"""The Prometheus metrics, created on first use (so the multi-process directory is set first)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prometheus_client import Counter, Histogram

# Seconds: from a sub-second wait in an idle queue to an hour behind a long backlog.
_WAIT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800, 3600)
_ANALYSIS_BUCKETS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 3600)
_FPS_BUCKETS = (5, 10, 25, 50, 100, 150, 200, 300, 500, 1000, 2000)
_HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


@dataclass(frozen=True)
class Metrics:
    http_seconds: Histogram
    http_shed: Counter
    job_transitions: Counter
    queue_wait_seconds: Histogram
    analysis_seconds: Histogram
    analysis_fps: Histogram
    analysis_frames: Counter
    upload_bytes: Counter
    uploads: Counter
    upload_refusals: Counter
    push_sends: Counter
    push_failures: Counter
    push_dead_tokens: Counter


_lock = threading.Lock()
_metrics: Metrics | None = None


def get() -> Metrics:
    """The process's metrics; in multi-process mode each writes to its own files."""
    global _metrics
    if _metrics is None:
        # Request threads and job threads ask at once on a fresh process: create them once;
        # every later call (each request) takes no lock.
        with _lock:
            if _metrics is None:
                _metrics = _create()
    return _metrics


def _create() -> Metrics:
    from prometheus_client import Counter, Histogram

    return Metrics(
        http_seconds=Histogram(
            "clipscope_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and status.",
            ["method", "route", "status"],
            buckets=_HTTP_BUCKETS,
        ),
        # Refused before routing (the app never sees them): not in http_seconds.
        http_shed=Counter(
            "clipscope_http_shed",
            "Requests the web tier refused with 503 overloaded before doing any of their work.",
        ),
        job_transitions=Counter(
            "clipscope_job_transitions", "Job state changes.", ["from_status", "to_status"]
        ),
        queue_wait_seconds=Histogram(
            "clipscope_job_queue_wait_seconds",
            "From a job queued to a worker claiming it.",
            buckets=_WAIT_BUCKETS,
        ),
        analysis_seconds=Histogram(
            "clipscope_job_analysis_seconds",
            "From a claim to the job's end, by how it ended.",
            ["status"],
            buckets=_ANALYSIS_BUCKETS,
        ),
        analysis_fps=Histogram(
            "clipscope_analysis_frames_per_second",
            "Frames analysed per second of analysis, one sample per completed job.",
            buckets=_FPS_BUCKETS,
        ),
        analysis_frames=Counter("clipscope_analysis_frames", "Frames analysed."),
        upload_bytes=Counter("clipscope_upload_bytes", "Bytes of accepted videos."),
        uploads=Counter("clipscope_uploads", "Accepted videos, by how they came.", ["source"]),
        upload_refusals=Counter(
            "clipscope_upload_refusals", "Refused uploads, by error code.", ["code"]
        ),
        push_sends=Counter("clipscope_push_sends", "Push notifications Expo accepted."),
        push_failures=Counter(
            "clipscope_push_failures", "Push attempts that failed, by outcome.", ["outcome"]
        ),
        push_dead_tokens=Counter(
            "clipscope_push_dead_tokens", "Push tokens deactivated (DeviceNotRegistered)."
        ),
    )


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    get().http_seconds.labels(method, route, str(status)).observe(seconds)


def observe_transition(
    from_status: str, to_status: str, *, waited_s: float | None = None, ran_s: float | None = None
) -> None:
    m = get()
    m.job_transitions.labels(from_status, to_status).inc()
    if waited_s is not None:
        m.queue_wait_seconds.observe(max(0.0, waited_s))
    if ran_s is not None:
        m.analysis_seconds.labels(to_status).observe(max(0.0, ran_s))


def observe_result(result: dict[str, Any] | None) -> None:
    """Frames and frames per second from a completed job's result document."""
    if not result:
        return
    frames, seconds = result.get("frames_analyzed"), result.get("analysis_seconds")
    if isinstance(frames, int) and frames > 0:
        get().analysis_frames.inc(frames)
        if isinstance(seconds, int | float) and seconds > 0:
            get().analysis_fps.observe(frames / seconds)


def observe_upload(size_bytes: int, source: str) -> None:
    get().upload_bytes.inc(size_bytes)
    get().uploads.labels(source).inc()


def observe_upload_refusal(code: str) -> None:
    get().upload_refusals.labels(code).inc()


def observe_push(changes: list[dict[str, Any]], dead_tokens: int) -> None:
    """Count a send batch's outcomes from the outbox changes it wrote."""
    m = get()
    for change in changes:
        status = str(change.get("status", ""))
        if status == "sent":
            m.push_sends.inc()
        elif status in ("pending", "dead"):
            m.push_failures.labels("retry" if status == "pending" else "dead").inc()
    if dead_tokens:
        m.push_dead_tokens.inc(dead_tokens)
