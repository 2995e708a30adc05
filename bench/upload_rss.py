"""(c) How much the server's memory grows while it receives a 1 GiB upload.

The body (a real MP4 head, then filler) is generated while it is sent, never held whole, so the
bench's own memory stays flat too. A thread samples the resident set size of every gunicorn
worker from /proc every 50 ms; the figure is the growth of the worker that grew most.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from bench import rawhttp
from bench.figures import Figure
from bench.server import Server, bench_main, running_server

MIB = 1024 * 1024
SIZE = 1024 * MIB
SAMPLE_S = 0.05
GOAL_GROWTH_MB = 30.0


def rss_mb(pid: int) -> float | None:
    """Resident set size in MB (10^6 bytes, the goal's unit; /proc counts KiB)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / 1e6
    except FileNotFoundError:
        return None
    return None


class RssSampler:
    """Samples the RSS of some processes on a thread until stopped."""

    def __init__(self, pids: list[int]) -> None:
        self.samples: dict[int, list[float]] = {pid: [] for pid in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            for pid, samples in self.samples.items():
                value = rss_mb(pid)
                if value is not None:
                    samples.append(value)
            if self._stop.wait(SAMPLE_S):
                return


def body_parts(size: int) -> Iterator[bytes | memoryview]:
    head = rawhttp.mp4_head()
    block = memoryview(os.urandom(MIB))
    yield head
    left = size - len(head)
    while left > 0:
        part = block[: min(MIB, left)]
        left -= len(part)
        yield part


def upload_streamed(server: Server, token: str, size: int) -> tuple[int, float]:
    """Send `size` bytes as one raw upload; (status, seconds taken)."""
    started = time.perf_counter()
    with rawhttp.connect(server.port) as sock:
        sock.sendall(rawhttp.upload_head(server.port, token, size, "big.mp4"))
        rawhttp.send_all(sock, body_parts(size))
        answer = rawhttp.read_answer(sock)
    return answer.status, time.perf_counter() - started


def warm_up(server: Server, token: str) -> None:
    """A few small uploads, so every worker has run the upload path once before the baseline."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"}
    head = rawhttp.mp4_head()
    for n in range(2 * server.workers):
        body = head + os.urandom(2 * MIB) + n.to_bytes(8, "big")
        answer = requests.post(f"{server.base}/api/upload", data=body, headers=headers, timeout=60)
        answer.raise_for_status()
    # Let those jobs' (failing) analyses end before the baseline is taken.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        health = server.health()
        if health.get("queue_depth") == 0 and health.get("busy_workers") == 0:
            break
        time.sleep(0.2)
    time.sleep(1.0)


def run(quick: bool = False) -> list[Figure]:
    size = 256 * MIB if quick else SIZE
    env = {"CLIPSCOPE_MAX_UPLOAD_MB": str(2 * SIZE // MIB)}
    with running_server("rss", env) as server:
        token = server.register("rss@bench.example")
        warm_up(server, token)
        pids = server.worker_pids()
        with RssSampler(pids) as baseline:
            time.sleep(1.0)
        with RssSampler(pids) as during:
            status, seconds = upload_streamed(server, token, size)
    if status != 202:
        raise RuntimeError(f"the {size // MIB} MiB upload answered {status}")
    growth = {pid: max(during.samples[pid]) - max(baseline.samples[pid]) for pid in pids}
    pid = max(growth, key=lambda p: growth[p])
    others = [g for p, g in growth.items() if p != pid]
    label = f"{size // MIB} MiB upload"
    return [
        Figure("rss", f"{label}: worker RSS before", max(baseline.samples[pid]), "MB"),
        Figure("rss", f"{label}: worker RSS peak during", max(during.samples[pid]), "MB"),
        Figure("rss", f"{label}: worker RSS growth", growth[pid], "MB", GOAL_GROWTH_MB),
        Figure("rss", "the other workers' RSS growth", max(others, default=0.0), "MB"),
        Figure("rss", f"{label}: upload rate over loopback", size / MIB / seconds, "MiB/s"),
        Figure("rss", f"{label}: RSS samples taken", float(len(during.samples[pid])), "n"),
    ]


if __name__ == "__main__":
    bench_main(run, "(c) memory: RSS growth of the server during one upload", __doc__)
