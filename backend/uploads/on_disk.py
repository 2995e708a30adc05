"""A video already whole on disk (a finished resumable upload) becomes its job's source."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from backend.errors import FileTooLarge
from backend.storage import make_dir
from backend.uploads.receive import ReceivedVideo, clean_filename
from backend.uploads.sniff import SNIFF_BYTES, require_video


@dataclass(frozen=True)
class VideoOnDisk:
    path: Path  # held by the caller (no writer) until the job is made
    sha256: str  # hashed as its bytes arrived
    filename: str | None = None  # the client's name for it, if it gave one
    fields: dict[str, str] = field(default_factory=dict)  # push_token, platform: as a form's


def place(video: VideoOnDisk, directory: Path, limit_bytes: int) -> ReceivedVideo:
    """Checked as a streamed upload is (sniffed, then sized), then linked into `directory`."""
    with video.path.open("rb") as file:
        container = require_video(file.read(SNIFF_BYTES))
    size = video.path.stat().st_size
    if size > limit_bytes:
        raise FileTooLarge(f"The video is larger than the limit of {limit_bytes // 2**20} MB.")
    make_dir(directory)
    source = directory / f"source{container.extension}"
    _link(video.path, source)
    name = clean_filename(video.filename, "video" + container.extension)
    return ReceivedVideo(source, name, size, video.sha256, container, video.fields)


def _link(source: Path, target: Path) -> None:
    """The job's source is the upload's file: a hard link, a copy where links are refused."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
