"""A Celery worker's logs (our format, not Celery's) and metrics (its pool's, over HTTP)."""

from __future__ import annotations

import glob
import logging
import os
import tempfile
from typing import Any

from celery.signals import setup_logging, worker_init, worker_process_shutdown

from backend.config import Config
from backend.observability.logs import configure_logging

log = logging.getLogger(__name__)


@setup_logging.connect  # type: ignore[untyped-decorator]
def _logging(**_: Any) -> None:
    # Connected, this replaces Celery's own set-up: one handler, JSON or text like the web's,
    # inherited by the pool's children (a second handler would print every line twice).
    configure_logging(Config.from_env().log_format)


@worker_init.connect  # type: ignore[untyped-decorator]
def _serve_metrics(**_: Any) -> None:
    # In the parent, before the pool forks: every child inherits the directory.
    config = Config.from_env()
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
        prefix="clipscope-worker-metrics-"
    )
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    os.makedirs(directory, exist_ok=True)
    for stale in glob.glob(os.path.join(directory, "*.db")):
        os.remove(stale)
    if config.worker_metrics_port <= 0:
        return
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    try:
        # Bound to localhost unless told otherwise: the endpoint has no authentication of its own.
        start_http_server(
            config.worker_metrics_port, addr=config.worker_metrics_host, registry=registry
        )
    except OSError as error:
        # Port taken (another worker on this machine): analysing matters more than this endpoint.
        log.warning(
            "worker metrics endpoint not started on port %d: %s", config.worker_metrics_port, error
        )


@worker_process_shutdown.connect  # type: ignore[untyped-decorator]
def _forget_child(pid: int | None = None, **_: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid or os.getpid())  # type: ignore[no-untyped-call]
