"""The objects a Clipscope app is wired from, reachable from views as `services()`."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from backend.config import Config
from backend.db import Database
from backend.jobs.runners import Runner
from backend.jobs.store import JobStore
from backend.storage import Storage


@dataclass
class Services:
    config: Config
    db: Database
    store: JobStore
    storage: Storage
    runner: Runner
    # Optional parts (push sender, sweeper, job-change notifier) register here by name.
    extras: dict[str, Any] = field(default_factory=dict)
    _stopped: threading.Event = field(default_factory=threading.Event)

    def stop(self) -> None:
        """Give running jobs back to the queue, then stop every background thread (once)."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self.runner.stop()
        for extra in self.extras.values():
            stop = getattr(extra, "stop", None)
            if callable(stop):
                stop()


def services() -> Services:
    found: Services = current_app.extensions["clipscope"]
    return found
