"""gunicorn started as `make run` starts it, that a test can kill and start again."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
from pathlib import Path
from typing import IO, Any

import requests

from backend.config import PROJECT_ROOT
from tests.helpers import wait_for
from tests.uploads.helpers import TUS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Gunicorn:
    def __init__(self, directory: Path, **env: str) -> None:
        self.directory = directory
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db_path = directory / "server.db"
        self.upload_dir = directory / "uploads"
        self.env = {
            **os.environ,
            "PORT": str(self.port),
            "DATABASE_URL": f"sqlite:///{self.db_path}",
            "CLIPSCOPE_UPLOAD_DIR": str(self.upload_dir),
            "CLIPSCOPE_SECRET_KEY": "test",
            "CLIPSCOPE_EXPO_PUSH_URL": "http://127.0.0.1:9",
            "CLIPSCOPE_RATE_LIMITS": "off",
            "WEB_CONCURRENCY": "2",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._log: IO[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.directory / f"server-{self.starts}.log"

    def start(self) -> None:
        self.starts += 1
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in kill()
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self._healthy, timeout=60, what="gunicorn to answer")

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """The whole process group: make, the gunicorn master and its workers."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(40)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def _healthy(self) -> bool:
        assert self.process is not None and self.process.poll() is None, self.log_path.read_text()
        try:
            return requests.get(f"{self.base}/api/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False  # listening, but the workers are still booting

    def register(self, email: str) -> dict[str, str]:
        response = requests.post(
            f"{self.base}/api/auth/register",
            json={"email": email, "password": "12345678"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

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
