"""gunicorn started as `make run` starts it, that a test can kill and start again."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
from pathlib import Path
from typing import Any

import requests

from tests.server.processes import Server, free_port, signed_up, start_server
from tests.uploads.helpers import TUS


class Gunicorn:
    """A `make run` server (tests/server/conftest.py) that a test can kill and start again."""

    def __init__(self, directory: Path, **env: str) -> None:
        self.directory = directory
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db_path = directory / "server.db"
        self.upload_dir = directory / "uploads"
        self.env = {"CLIPSCOPE_RATE_LIMITS": "off", **env}
        self.server: Server | None = None

    def start(self) -> None:
        """Start on the same port, database and uploads as before (a restart)."""
        self.server = start_server(self.directory, self.port, **self.env)

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """The whole process group: make, the gunicorn master and its workers."""
        if self.server is not None and self.server.process.poll() is None:
            os.killpg(self.server.process.pid, sig)
            self.server.process.wait(60)
        self.server = None

    def register(self, email: str) -> dict[str, str]:
        return signed_up(self.base, email)

    def head_offset(self, url: str, headers: dict[str, str]) -> int:
        response = requests.head(url, headers={**headers, **TUS}, timeout=10)
        assert response.status_code == 200, response.status_code
        return int(response.headers["Upload-Offset"])

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """Read the server's database as it is on disk (the server may be down)."""
        with sqlite3.connect(self.db_path) as conn:
            return conn.execute(sql, args).fetchall()

    def execute(self, sql: str, *args: Any) -> None:
        with sqlite3.connect(self.db_path) as conn:
            conn.execute(sql, args)

    def send_part(self, head: str, body: bytes) -> socket.socket:
        """Open a connection and send the request head and `body`, leaving it open."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        sock.sendall(head.encode() + body)
        return sock


def request_head(method: str, path: str, headers: dict[str, str], length: int) -> str:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {length}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return "\r\n".join(lines) + "\r\n\r\n"
