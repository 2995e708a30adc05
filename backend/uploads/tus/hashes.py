"""The running sha256 of each resumable upload, kept per process and caught up from disk.

hashlib cannot save its state, so each process keeps the hash of the uploads it has seen at
the offset it reached. A PATCH that lands in another worker, or after a restart, first hashes
the bytes on disk that this process has not seen: at most the whole file once per process.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from backend.uploads.tus.files import UploadFile

READ_BYTES = 1024 * 1024
CAPACITY = 1024


@dataclass
class RunningHash:
    offset: int
    hasher: Any


class RunningHashes:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._hashes: OrderedDict[str, RunningHash] = OrderedDict()
        self._lock = threading.Lock()
        self.caught_up_bytes = 0  # how much was hashed again from disk (for the logs and tests)

    def take(self, upload_id: str, upload: UploadFile, offset: int) -> Any:
        """The sha256 of the first `offset` bytes; the caller holds the upload's lock."""
        with self._lock:
            kept = self._hashes.pop(upload_id, None)
        if kept is not None and kept.offset <= offset:
            hasher, start = kept.hasher, kept.offset
        else:
            hasher, start = hashlib.sha256(), 0
        position = start
        while position < offset:
            data = upload.read_at(min(READ_BYTES, offset - position), position)
            if not data:
                raise OSError(f"{upload.path} is shorter than {offset} bytes")
            hasher.update(data)
            position += len(data)
        with self._lock:
            self.caught_up_bytes += offset - start
        return hasher

    def keep(self, upload_id: str, offset: int, hasher: Any) -> None:
        with self._lock:
            self._hashes[upload_id] = RunningHash(offset, hasher)
            self._hashes.move_to_end(upload_id)
            while len(self._hashes) > self.capacity:
                self._hashes.popitem(last=False)

    def forget(self, upload_id: str) -> None:
        with self._lock:
            self._hashes.pop(upload_id, None)
