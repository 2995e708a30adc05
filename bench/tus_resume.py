"""(d) What resuming a tus upload costs the server: catching its running sha256 up from disk.

hashlib cannot save a hash's state, so a process that has not seen an upload's first bytes
(another gunicorn worker, or the server after a restart) hashes them again from the file before
it appends. This times that catch-up with the server's own code (RunningHashes over the locked
upload file) on a file that was just written, as it is when a phone resumes, and, side by side,
the hashing of the same bytes already in memory (the floor any design pays once).
"""

from __future__ import annotations

import hashlib
import os
import statistics
import tempfile
import time
from pathlib import Path

from backend.uploads.tus_files import UploadFiles
from backend.uploads.tus_hash import RunningHashes
from bench.figures import Figure
from bench.server import bench_main

MIB = 1024 * 1024


def catch_up_ms(files: UploadFiles, upload_id: str, size: int) -> float:
    hashes = RunningHashes()  # a fresh process: nothing seen yet
    with files.locked(1, upload_id) as upload:
        assert upload is not None
        started = time.perf_counter()
        hashes.take(upload_id, upload, size)
        return (time.perf_counter() - started) * 1000


def in_memory_ms(block: bytes, size: int) -> float:
    hasher = hashlib.sha256()
    started = time.perf_counter()
    for _ in range(size // len(block)):
        hasher.update(block)
    return (time.perf_counter() - started) * 1000


def run(quick: bool = False) -> list[Figure]:
    size = (64 if quick else 512) * MIB
    rounds = 3 if quick else 7
    block = os.urandom(MIB)
    with tempfile.TemporaryDirectory(prefix="clipscope-bench-tus-") as tmp:
        files = UploadFiles(Path(tmp))
        upload_id = "0" * 32
        files.make(1, upload_id)
        with open(files.data(1, upload_id), "wb") as handle:
            for _ in range(size // MIB):
                handle.write(block)
        disk, memory = [], []
        for _ in range(rounds):  # side by side, so that both see the same machine load
            disk.append(catch_up_ms(files, upload_id, size))
            memory.append(in_memory_ms(block, size))
    per_gib = 1024 / (size / MIB)
    return [
        Figure(
            "tus_resume",
            "sha256 catch-up from disk, ms per GiB (median)",
            statistics.median(disk) * per_gib,
            "ms",
        ),
        Figure(
            "tus_resume",
            "sha256 of the same bytes in memory, ms per GiB (median)",
            statistics.median(memory) * per_gib,
            "ms",
        ),
    ]


if __name__ == "__main__":
    bench_main(run, "(d) resuming a tus upload: sha256 catch-up", __doc__)
