"""(d) What resumable (tus) uploads cost the server.

hashlib cannot save a hash's state, so a process that has not seen an upload's first bytes
(another gunicorn worker, or the server after a restart) hashes them again from the file before
it appends. This times that catch-up with the server's own code (RunningHashes over the locked
upload file) on a file that was just written, as it is when a phone resumes, and, side by side,
the hashing of the same bytes already in memory (the floor any design pays once).

Then, against the real server (two workers), the same bytes sent in one POST /api/upload and
as a tus upload in 8 MiB PATCHes, each on a new connection as tuspy sends them (so PATCHes land
on either worker and both catch up), alternately, so that both see the same machine load.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import tempfile
import time
from pathlib import Path

import requests

from backend.uploads.tus.files import UploadFiles
from backend.uploads.tus.hashes import RunningHashes
from bench import rawhttp
from bench.figures import Figure
from bench.server import Server, bench_main, running_server

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


def one_shot_s(server: Server, token: str, body: bytes) -> float:
    started = time.perf_counter()
    answer = requests.post(
        f"{server.base}/api/upload",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "video/mp4"},
        timeout=600,
    )
    if answer.status_code not in (200, 202):
        raise RuntimeError(f"upload answered {answer.status_code}: {answer.text[:200]}")
    return time.perf_counter() - started


def tus_s(server: Server, token: str, body: bytes, chunk: int) -> float:
    headers = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
    started = time.perf_counter()
    created = requests.post(
        f"{server.base}/api/uploads",
        headers={**headers, "Upload-Length": str(len(body))},
        timeout=60,
    )
    url = server.base + created.headers["Location"]
    offset = 0
    while offset < len(body):
        with requests.Session() as fresh:  # a new connection per PATCH, as tuspy makes
            answer = fresh.patch(
                url,
                data=body[offset : offset + chunk],
                headers={
                    **headers,
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/offset+octet-stream",
                },
                timeout=600,
            )
        if answer.status_code != 204:
            raise RuntimeError(f"PATCH answered {answer.status_code}: {answer.text[:200]}")
        offset = int(answer.headers["Upload-Offset"])
    return time.perf_counter() - started


def server_figures(quick: bool) -> list[Figure]:
    size = (32 if quick else 256) * MIB
    rounds = 1 if quick else 3
    head = rawhttp.mp4_head()
    one, resumable = [], []
    with running_server("tus") as server:
        token = server.register("tus-bench@example.com")
        for n in range(rounds):
            for kind in ("one", "tus"):
                # Different bytes each time: a dedup answer would skip the work measured.
                body = head + os.urandom(size - len(head))
                if kind == "one":
                    one.append(one_shot_s(server, token, body))
                else:
                    resumable.append(tus_s(server, token, body, 8 * MIB))
            print(f"round {n + 1}: one-shot {one[-1]:.2f} s, tus {resumable[-1]:.2f} s", flush=True)
    label = f"{size // MIB} MiB"
    return [
        Figure(
            "tus_resume",
            f"{label} in one POST /api/upload, s (median)",
            statistics.median(one),
            "s",
        ),
        Figure(
            "tus_resume",
            f"{label} as tus in 8 MiB PATCHes, s (median)",
            statistics.median(resumable),
            "s",
        ),
    ]


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
        *server_figures(quick),
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
    bench_main(run, "(d) resumable (tus) uploads: sha256 catch-up and upload time", __doc__)
