"""What accepting a video needs of the app: these parts, not the whole assembly (services.py)."""

from __future__ import annotations

from typing import Protocol

from backend.config import Config
from backend.db import Database
from backend.jobs.runners import Runner
from backend.storage import Storage


class UploadParts(Protocol):
    """The limits (config), the rows (db), the files (storage) and the queue (runner)."""

    config: Config
    db: Database
    storage: Storage
    runner: Runner
