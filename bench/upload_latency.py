"""(a) How long the server takes to answer after the last byte of a 50 MiB upload.

Each upload is sent raw (as the Expo app sends it) over its own connection. All but the last
16 KiB go first; a short pause lets the server drain its socket, as it always has by the end of
a real phone upload, whose network is far slower than the server's disk. Then the tail goes, and
the clock runs from the moment it is written to the moment the status line arrives.
"""

from __future__ import annotations

import os
import time

import requests

from bench import rawhttp
from bench.figures import Figure, percentile
from bench.server import Server, bench_main, running_server

MIB = 1024 * 1024
SIZE = 50 * MIB
TAIL = 16 * 1024
CATCH_UP_S = 0.05
GOAL_P99_MS = 20.0


def make_body(size: int) -> bytearray:
    """A real MP4 head, then incompressible filler; the last 8 bytes make each upload unique."""
    head = rawhttp.mp4_head()
    block = os.urandom(MIB)
    body = bytearray(head)
    while len(body) < size:
        body += block[: size - len(body)]
    return body


def upload_once(server: Server, token: str, body: bytearray) -> tuple[float, str]:
    """Milliseconds from the last body byte written to the status line; and the job id."""
    view = memoryview(body)
    with rawhttp.connect(server.port) as sock:
        rawhttp.send_all(sock, [rawhttp.upload_head(server.port, token, len(body)), view[:-TAIL]])
        time.sleep(CATCH_UP_S)
        # Stamped before the write: on loopback the server can wake and preempt this
        # thread inside sendall(), and a stamp taken after it would miss that work.
        last_byte_at = time.perf_counter()
        sock.sendall(view[-TAIL:])
        answer = rawhttp.read_answer(sock)
    if answer.status not in (200, 202):
        raise RuntimeError(f"upload answered {answer.status}: {answer.body[:300]!r}")
    return (answer.first_byte_at - last_byte_at) * 1000, str(answer.json()["job_id"])


def health_once(server: Server) -> float:
    """Milliseconds from a GET /api/health written to its status line: the control.

    It does a little of the same work (a connection, two small queries, a JSON answer), so
    its tail shows how much of the upload's tail is the machine's scheduling noise.
    """
    request = f"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n"
    with rawhttp.connect(server.port) as sock:
        written_at = time.perf_counter()
        sock.sendall(request.encode())
        answer = rawhttp.read_answer(sock)
    if answer.status != 200:
        raise RuntimeError(f"health answered {answer.status}")
    return (answer.first_byte_at - written_at) * 1000


def wait_until_finished(server: Server, token: str, job_id: str, timeout: float = 20.0) -> None:
    """Let the (quickly failing) analysis end, so it does not overlap the next upload."""
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {token}"}
    while time.monotonic() < deadline:
        job = requests.get(f"{server.base}/api/jobs/{job_id}", headers=headers, timeout=10).json()
        if job["status"] in ("completed", "failed", "cancelled"):
            return
        time.sleep(0.05)


def run(quick: bool = False) -> list[Figure]:
    count = 10 if quick else 50
    body = make_body(SIZE)
    with running_server("upload") as server:
        token = server.register("upload@bench.example")
        times: list[float] = []
        control: list[float] = []
        # Two uploads first, unmeasured: each worker imports and warms its upload path once.
        for n in range(-2, count):
            body[-8:] = (n + 2).to_bytes(8, "big")
            elapsed, job_id = upload_once(server, token, body)
            wait_until_finished(server, token, job_id)
            if n >= 0:
                times.append(elapsed)
                control.append(health_once(server))
    name = f"answer after last byte, {SIZE // MIB} MiB raw upload, n={count}"
    return [
        Figure("upload", f"{name}: p50", percentile(times, 50), "ms"),
        Figure("upload", f"{name}: p99", percentile(times, 99), "ms", GOAL_P99_MS),
        Figure("upload", f"{name}: max", max(times), "ms"),
        Figure("upload", "control, GET /api/health in between: p50", percentile(control, 50), "ms"),
        Figure("upload", "control, GET /api/health in between: p99", percentile(control, 99), "ms"),
    ]


if __name__ == "__main__":
    bench_main(run, "(a) upload: answer time after the last byte", __doc__)
