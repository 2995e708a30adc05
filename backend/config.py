"""Every setting Clipscope reads from the environment, in one place."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
N = TypeVar("N", int, float)


def _number(env: dict[str, str], name: str, default: N, kind: Callable[[str], N]) -> N:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return kind(raw)
    except ValueError as exc:
        what = "a whole number" if kind is int else "a number"
        raise ValueError(f"{name} must be {what}, got {raw!r}") from exc


def _int(env: dict[str, str], name: str, default: int) -> int:
    return _number(env, name, default, int)


def _float(env: dict[str, str], name: str, default: float) -> float:
    return _number(env, name, default, float)


def _secret_key(env: dict[str, str]) -> str:
    """Use CLIPSCOPE_SECRET_KEY, else one generated once and kept under instance/."""
    if env.get("CLIPSCOPE_SECRET_KEY"):
        return env["CLIPSCOPE_SECRET_KEY"]
    path = INSTANCE_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key


@dataclass(frozen=True)
class Config:
    """Typed settings; `from_env()` builds them, tests override with `replace()`."""

    database_url: str = f"sqlite:///{INSTANCE_DIR / 'clipscope.db'}"
    redis_url: str | None = None
    # Celery's broker: RabbitMQ (durable, recommended) or Redis; REDIS_URL when unset.
    broker_url: str | None = None

    @property
    def celery_broker(self) -> str | None:
        return self.broker_url or self.redis_url

    executor: str = "thread"  # "thread", "celery", or "inline" (tests: jobs run in the request)
    upload_dir: Path = PROJECT_ROOT / "uploads"
    max_upload_bytes: int = 2048 * 1024 * 1024
    workers: int = 2
    lease_s: float = 30.0
    max_attempts: int = 3
    job_timeout_s: float = 3600.0
    # Resident memory one analysis child may use; 4K H.264/HEVC with frame threads fits.
    analysis_memory_mb: int = 1536
    # Test-only: "abort" makes the analysis child abort, as a crashing decoder would.
    analysis_fault: str | None = None
    # A request whose body (or headers) makes no progress this long is dropped.
    body_idle_timeout_s: float = 30.0
    job_ttl_days: int = 30
    keep_source_hours: int = 24
    # Unfinished resumable (tus) uploads are removed this long after their last byte arrived.
    upload_expiry_h: int = 24
    expo_push_url: str = "https://exp.host"
    expo_access_token: str | None = None
    receipt_delay_s: float = 900.0
    secret_key: str = field(default="", repr=False)
    # How often an idle runner looks for work queued by another process.
    poll_interval_s: float = 1.0
    # Start background threads (runner, sweeper, push sender): the web server does, the CLI
    # does not, tests choose.
    start_background: bool = False
    # This process serves HTTP (wsgi.py, in each gunicorn worker): in Celery mode its runner
    # asks the broker for /api/health from its start. A Celery worker does not: nobody probes
    # it, and every worker pinging every other every 2 s would grow as their square.
    serves_http: bool = False
    sweep_interval_s: float = 600.0
    rate_limits_enabled: bool = True
    auth_rate_limit: str = "10/minute;100/hour"
    upload_rate_limit: str = "30/minute;500/day"
    testing: bool = False
    # A token unused this many days stops working.
    token_idle_days: int = 30
    log_format: str = "auto"  # json, text, or auto: text on a terminal, JSON elsewhere
    metrics_token: str | None = field(default=None, repr=False)
    worker_metrics_port: int = 9464  # a Celery worker's /metrics; 0 turns it off
    worker_metrics_host: str = "127.0.0.1"
    # Jobs submitted by URL: hosts allowed to resolve to private or local addresses.
    fetch_allow_hosts: frozenset[str] = frozenset()
    fetch_connect_timeout_s: float = 10.0
    fetch_read_timeout_s: float = 30.0
    # A URL's whole download must end within this, and (once the read timeout has passed)
    # arrive at this average rate at least: a dripping server cannot hold a slot for long.
    fetch_deadline_s: float = 1800.0
    fetch_min_rate_bytes_s: int = 32 * 1024
    # Fairness: a user at this many running jobs waits while other users' jobs do.
    user_max_running: int = 1
    # Past this many queued jobs a user's new job is refused (429 too_many_jobs).
    user_max_queued: int = 100
    # Past this expected wait for a request slot a web worker answers 503 overloaded at once.
    queue_max_ms: float = 100.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Config:
        env = dict(os.environ if environ is None else environ)
        upload_dir = Path(env.get("CLIPSCOPE_UPLOAD_DIR") or PROJECT_ROOT / "uploads")
        return cls(
            database_url=env.get("DATABASE_URL") or cls.database_url,
            redis_url=env.get("REDIS_URL") or None,
            broker_url=env.get("CELERY_BROKER_URL") or None,
            executor=env.get("CLIPSCOPE_EXECUTOR", "thread"),
            upload_dir=upload_dir.resolve(),
            max_upload_bytes=_int(env, "CLIPSCOPE_MAX_UPLOAD_MB", 2048) * 1024 * 1024,
            workers=max(1, _int(env, "CLIPSCOPE_WORKERS", 2)),
            lease_s=float(_int(env, "CLIPSCOPE_LEASE_S", 30)),
            max_attempts=max(1, _int(env, "CLIPSCOPE_MAX_ATTEMPTS", 3)),
            job_timeout_s=float(_int(env, "CLIPSCOPE_JOB_TIMEOUT_S", 3600)),
            analysis_memory_mb=_int(env, "CLIPSCOPE_ANALYSIS_MEMORY_MB", 1536),
            analysis_fault=env.get("CLIPSCOPE_TEST_ANALYSIS_FAULT") or None,
            body_idle_timeout_s=_float(env, "CLIPSCOPE_BODY_IDLE_TIMEOUT_S", 30.0),
            job_ttl_days=_int(env, "CLIPSCOPE_JOB_TTL_DAYS", 30),
            keep_source_hours=_int(env, "CLIPSCOPE_KEEP_SOURCE_HOURS", 24),
            upload_expiry_h=_int(env, "CLIPSCOPE_UPLOAD_EXPIRY_H", 24),
            sweep_interval_s=float(_int(env, "CLIPSCOPE_SWEEP_INTERVAL_S", 600)),
            expo_push_url=env.get("CLIPSCOPE_EXPO_PUSH_URL", "https://exp.host").rstrip("/"),
            expo_access_token=env.get("CLIPSCOPE_EXPO_ACCESS_TOKEN") or None,
            receipt_delay_s=float(_int(env, "CLIPSCOPE_RECEIPT_DELAY_S", 900)),
            secret_key=_secret_key(env),
            rate_limits_enabled=env.get("CLIPSCOPE_RATE_LIMITS", "on") != "off",
            auth_rate_limit=env.get("CLIPSCOPE_AUTH_RATE_LIMIT") or cls.auth_rate_limit,
            upload_rate_limit=env.get("CLIPSCOPE_UPLOAD_RATE_LIMIT") or cls.upload_rate_limit,
            token_idle_days=max(1, _int(env, "CLIPSCOPE_TOKEN_IDLE_DAYS", 30)),
            log_format=env.get("CLIPSCOPE_LOG_FORMAT") or "auto",
            metrics_token=env.get("CLIPSCOPE_METRICS_TOKEN") or None,
            worker_metrics_port=_int(env, "CLIPSCOPE_WORKER_METRICS_PORT", 9464),
            worker_metrics_host=env.get("CLIPSCOPE_WORKER_METRICS_HOST") or "127.0.0.1",
            fetch_allow_hosts=frozenset(
                host.strip().lower()
                for host in env.get("CLIPSCOPE_FETCH_ALLOW_HOSTS", "").split(",")
                if host.strip()
            ),
            fetch_connect_timeout_s=float(_int(env, "CLIPSCOPE_FETCH_CONNECT_TIMEOUT_S", 10)),
            fetch_read_timeout_s=float(_int(env, "CLIPSCOPE_FETCH_READ_TIMEOUT_S", 30)),
            fetch_deadline_s=float(_int(env, "CLIPSCOPE_FETCH_DEADLINE_S", 1800)),
            fetch_min_rate_bytes_s=_int(env, "CLIPSCOPE_FETCH_MIN_RATE_KBPS", 32) * 1024,
            user_max_running=max(1, _int(env, "CLIPSCOPE_USER_MAX_RUNNING", 1)),
            user_max_queued=max(1, _int(env, "CLIPSCOPE_USER_MAX_QUEUED", 100)),
            queue_max_ms=max(1.0, _float(env, "CLIPSCOPE_QUEUE_MAX_MS", 100.0)),
        )

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **changes)


def normalize_database_url(url: str) -> str:
    """Platforms hand out postgres:// URLs; SQLAlchemy wants an explicit driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url
