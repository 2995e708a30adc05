"""Where a job's files live: <root>/<user id>/<job id>/{source.<ext>, thumbnails/}."""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Storage:
    root: Path

    def job_dir(self, user_id: int, job_id: str) -> Path:
        # Both parts are ours (an int and a uuid we generated), never a client's file name.
        return self.root / str(int(user_id)) / job_id

    def source_path(self, user_id: int, job_id: str, source_name: str) -> Path:
        return self.job_dir(user_id, job_id) / source_name

    def thumbnails_dir(self, user_id: int, job_id: str) -> Path:
        return self.job_dir(user_id, job_id) / "thumbnails"

    def remove_job(self, user_id: int, job_id: str) -> None:
        directory = self.job_dir(user_id, job_id)
        shutil.rmtree(directory, ignore_errors=True)
        # The user's folder goes with their last job (a refused first upload leaves nothing);
        # rmdir fails harmlessly while another of their jobs is in it.
        with contextlib.suppress(OSError):
            directory.parent.rmdir()


def make_dir(directory: Path) -> None:
    """mkdir -p that survives remove_job() taking away an empty parent at the same moment."""
    for _ in range(3):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            return
        except FileNotFoundError:
            continue
    directory.mkdir(parents=True, exist_ok=True)
