"""Picks the runner the configuration asks for."""

from __future__ import annotations

from typing import Any, Protocol

from backend.config import Config
from backend.jobs.isolation import limits_from
from backend.jobs.store import JobStore
from backend.storage import Storage


class Runner(Protocol):
    workers: int

    @property
    def busy(self) -> int: ...
    def start(self) -> None: ...
    def stop(self, timeout: float = ...) -> None: ...
    def submit(self, job_id: str) -> None: ...
    def cancel(self, job_id: str) -> None: ...
    def health(self) -> dict[str, Any]: ...


def make_runner(config: Config, store: JobStore, storage: Storage) -> Runner:
    if config.executor == "inline":
        from backend.jobs.inline import InlineRunner

        return InlineRunner(store, storage, limits=limits_from(config))
    if config.executor == "celery":
        from backend.jobs.celery_app import CeleryRunner

        return CeleryRunner(config, store, storage)
    if config.executor != "thread":
        raise ValueError(f"CLIPSCOPE_EXECUTOR must be thread or celery, not {config.executor!r}")
    from backend.jobs.runner import ThreadRunner

    return ThreadRunner(
        store,
        storage,
        workers=config.workers,
        limits=limits_from(config),
        poll_interval_s=config.poll_interval_s,
    )
