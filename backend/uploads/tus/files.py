"""A resumable upload's bytes on disk: one file per upload, locked while a request writes it.

The file is the truth: its length is the offset, except while a PATCH with a checksum is in
flight (or died mid-way), when the `unverified` marker holds the offset before it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from backend.storage import make_dir
from backend.uploads.tus import protocol

UPLOADS_DIR = "tus"


@dataclass(frozen=True)
class UploadFiles:
    root: Path

    def directory(self, user_id: int, upload_id: str) -> Path:
        # Both parts are ours (an int and a hex id we generated), never a client's name.
        return self.root / UPLOADS_DIR / str(int(user_id)) / protocol.check_upload_id(upload_id)

    def data(self, user_id: int, upload_id: str) -> Path:
        return self.directory(user_id, upload_id) / "data"

    def offset(self, user_id: int, upload_id: str) -> int:
        """The verified bytes on disk, as HEAD reports them."""
        data = self.data(user_id, upload_id)
        try:
            size = data.stat().st_size
        except FileNotFoundError:
            return 0
        # Read after the size: bytes a checksum PATCH is still verifying are not counted.
        pending = _read_marker(data)
        return size if pending is None else min(size, pending)

    def remove(self, user_id: int, upload_id: str) -> None:
        directory = self.directory(user_id, upload_id)
        shutil.rmtree(directory, ignore_errors=True)
        # The user's folder and tus/ go with their last upload (a refused one leaves nothing);
        # rmdir fails harmlessly while something is still in them.
        for parent in (directory.parent, directory.parent.parent):
            with contextlib.suppress(OSError):
                parent.rmdir()

    def make(self, user_id: int, upload_id: str) -> None:
        """The empty file of a new upload, made before its row so that a row has a file."""
        data = self.data(user_id, upload_id)
        for _ in range(3):
            make_dir(data.parent)
            try:
                data.touch(0o600)
                return
            except FileNotFoundError:
                continue  # remove() took an empty parent away at that very moment
        data.touch(0o600)

    @contextmanager
    def locked(self, user_id: int, upload_id: str) -> Iterator[UploadFile | None]:
        """The upload's file held by this request alone (423 if another holds it); None if gone."""
        try:
            fd = os.open(self.data(user_id, upload_id), os.O_RDWR)
        except FileNotFoundError:
            # Finished, terminated or expired meanwhile: never recreate it.
            yield None
            return
        try:
            try:
                # The kernel drops the lock when the holder dies: a killed server frees it.
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise protocol.locked() from None
            if not _still_there(self.data(user_id, upload_id), fd):
                yield None  # the holder before us finished or removed it
                return
            upload = UploadFile(self.data(user_id, upload_id), fd)
            upload.drop_unverified()
            yield upload
        finally:
            os.close(fd)


class UploadFile:
    """The locked file of one upload: append, verify, sync."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd

    @property
    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def drop_unverified(self) -> None:
        """Bytes of a checksum PATCH whose request died before they were verified go."""
        pending = _read_marker(self.path)
        if pending is not None:
            os.ftruncate(self.fd, min(pending, self.size))
            os.fsync(self.fd)
            _marker(self.path).unlink(missing_ok=True)

    def mark_unverified(self, offset: int) -> None:
        # Written aside and renamed, so that a crash never leaves a half-written marker.
        aside = self.path.with_name("unverified.new")
        aside.write_text(str(offset))
        os.replace(aside, _marker(self.path))

    def verified(self) -> None:
        _marker(self.path).unlink(missing_ok=True)

    def write(self, offset: int, data: bytes | memoryview) -> int:
        """Write at `offset`; the count written, short only when the disk filled up."""
        view = memoryview(data)
        done = 0
        while done < len(view):
            try:
                done += os.pwrite(self.fd, view[done:], offset + done)
            except OSError as error:
                if error.errno in (errno.ENOSPC, errno.EDQUOT):
                    return done
                raise
        return done

    def truncate(self, size: int) -> None:
        os.ftruncate(self.fd, size)

    def sync(self) -> None:
        os.fsync(self.fd)

    def read_at(self, count: int, offset: int) -> bytes:
        return os.pread(self.fd, count, offset)


def _still_there(path: Path, fd: int) -> bool:
    try:
        return path.stat().st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _marker(data: Path) -> Path:
    return data.with_name("unverified")


def _read_marker(data: Path) -> int | None:
    try:
        text = _marker(data).read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else 0
