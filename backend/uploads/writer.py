"""Writes an incoming video to disk in chunks: sniffs its head, hashes it, enforces the limit."""

from __future__ import annotations

import errno
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from backend.errors import BadRequest, FileTooLarge, InsufficientStorage
from backend.storage import make_dir
from backend.uploads.sniff import SNIFF_BYTES, Container, require_video

TOUCH_EVERY_S = 60.0


class VideoWriter:
    def __init__(self, directory: Path, limit_bytes: int) -> None:
        self.directory = directory
        self.limit = limit_bytes
        self.size = 0
        self.container: Container | None = None
        self._hash = hashlib.sha256()
        self._head = bytearray()
        self._part = directory / "source.part"
        self._touched = time.monotonic()
        make_dir(directory)
        self._file: BinaryIO = open(self._part, "wb")  # noqa: SIM115 - closed in finish/discard

    def write(self, data: bytes) -> None:
        self._keep_fresh()
        self.size += len(data)
        if self.size > self.limit:
            raise FileTooLarge(
                f"The video is larger than the limit of {self.limit // (1024 * 1024)} MB."
            )
        self._hash.update(data)
        if self.container is None:
            # Hold the first bytes until the container is known, so nothing of a
            # non-video is written beyond this buffer.
            self._head += data
            if len(self._head) < SNIFF_BYTES:
                return
            self._identify()
            data, self._head = bytes(self._head), bytearray()
        self._write(data)

    def finish(self) -> tuple[Path, str, Container]:
        """Close the file and name it after its container: (path, sha256, container)."""
        if self.size == 0:
            raise BadRequest("The uploaded file is empty.")
        if self.container is None:
            self._identify()
            self._write(bytes(self._head))
        assert self.container is not None
        with _disk_full_is_507():
            # Buffered bytes are written here, and a full disk can refuse them here too.
            self._file.close()
        final = self.directory / f"source{self.container.extension}"
        os.replace(self._part, final)
        return final, self._hash.hexdigest(), self.container

    def discard(self) -> None:
        with suppress(OSError):  # closing flushes, and the disk may still be full
            self._file.close()
        self._part.unlink(missing_ok=True)

    def _keep_fresh(self) -> None:
        # The sweeper removes row-less job directories older than an hour; a slow phone upload
        # can take longer, so the directory's mtime says it is still being written.
        now = time.monotonic()
        if now - self._touched > TOUCH_EVERY_S:
            self._touched = now
            os.utime(self.directory)

    def _identify(self) -> None:
        self.container = require_video(bytes(self._head))

    def _write(self, data: bytes) -> None:
        with _disk_full_is_507():
            self._file.write(data)


@contextmanager
def _disk_full_is_507() -> Iterator[None]:
    try:
        yield
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise InsufficientStorage(
                "The server has no room for this video right now; try again later."
            ) from None
        raise
