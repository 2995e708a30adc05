"""Connections and requests spread evenly over the web workers of a real `make run` server."""

from __future__ import annotations

import os
import re
import signal
import socket
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import wait_for
from tests.server.processes import Server, descendants, parent_of, start_server, stop_server

ACCESS = {
    "CLIPSCOPE_ACCESS_LOG": "1",
    "GUNICORN_CMD_ARGS": "--access-logformat='access %(p)s %(U)s'",
}
ACCESS_LINE = re.compile(r"^access <(\d+)> (\S+)$", re.MULTILINE)


def served_by(server: Server, path: str) -> Counter[int]:
    """How many requests for `path` each worker process answered (from the access log)."""
    return Counter(
        int(pid) for pid, url in ACCESS_LINE.findall(server.log_path.read_text()) if url == path
    )


def keep_alive_get(sock: socket.socket, host: str, path: str) -> bytes:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        body += sock.recv(65536)
    return head.split(b"\r\n", 1)[0]


def started_with_every_worker(tmp_path: Path) -> Server:
    """`make run` once both workers accept: until then the first takes every connection."""
    server = start_server(tmp_path, **ACCESS)
    wait_for(
        lambda: server.log_path.read_text().count("Accepting connections") >= 2,
        timeout=60,
        what="both web workers to accept connections",
    )
    return server


def workers_of(server: Server) -> list[int]:
    master = server.master_pid()
    return [pid for pid in descendants(master) if parent_of(pid) == master]


@pytest.mark.slow
def test_keep_alive_connections_are_shared_evenly_by_the_workers(tmp_path: Path) -> None:
    server = started_with_every_worker(tmp_path)
    host, port = "127.0.0.1", int(server.base.rsplit(":", 1)[1])
    connections: list[socket.socket] = []
    try:
        # Phones coming back into coverage: each opens a connection and keeps it.
        for _ in range(60):
            sock = socket.create_connection((host, port), timeout=10)
            connections.append(sock)
            assert keep_alive_get(sock, host, "/api/health").endswith(b"200 OK")
        for _ in range(4):  # then each polls on its own connection
            for sock in connections:
                assert keep_alive_get(sock, host, "/api/health").endswith(b"200 OK")
    finally:
        for sock in connections:
            sock.close()
        stop_server(server)
    counts = served_by(server, "/api/health")
    assert len(counts) == 2, counts
    total = sum(counts.values())
    # 300 requests on 60 connections; a worker holding 31 of the 60 serves 51.7 %.
    assert max(counts.values()) <= 0.55 * total, counts


@pytest.mark.slow
def test_a_stopped_worker_leaves_new_connections_to_the_others(tmp_path: Path) -> None:
    server = started_with_every_worker(tmp_path)
    host, port = "127.0.0.1", int(server.base.rsplit(":", 1)[1])
    frozen, *others = workers_of(server)
    before = served_by(server, "/api/health")  # the probes that saw the server start
    os.kill(frozen, signal.SIGSTOP)
    try:
        for _ in range(20):
            with socket.create_connection((host, port), timeout=5) as sock:
                assert keep_alive_get(sock, host, "/api/health").endswith(b"200 OK")
    finally:
        os.kill(frozen, signal.SIGCONT)
        stop_server(server)
    after = served_by(server, "/api/health") - before
    assert set(after) == set(others) and sum(after.values()) == 20, after
