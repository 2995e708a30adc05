"""The parts an app is made of (assembly.py builds them); views reach them by `services()`."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import current_app

from backend.config import Config
from backend.db import Database
from backend.jobs.runners import Runner
from backend.jobs.store import JobStore
from backend.jobs.sweeper import Sweeper
from backend.notify.sender import PushSender
from backend.storage import Storage
from backend.uploads.tus.resumable import ResumableUploads


@dataclass
class Services:
    config: Config
    db: Database
    store: JobStore
    storage: Storage
    runner: Runner
    push: PushSender
    sweeper: Sweeper
    # Made from the parts above (it takes them), so set right after them by the assembly.
    tus: ResumableUploads = field(init=False)
    _stopped: threading.Event = field(default_factory=threading.Event)

    def stop(self) -> None:
        """Give running jobs back to the queue, then stop every background thread (once)."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self.runner.stop()
        self.push.stop()
        self.sweeper.stop()


def services() -> Services:
    found: Services = current_app.extensions["clipscope"]
    return found
