"""Start the real server as `make run` does, in a temp dir, and stop it with all it started."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bench.figures import Figure, save, table

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PASSWORD = "bench password 1234"
# The bench plays hundreds of phones from one address and one account: the limits are not
# what it measures, but their code stays on the path.
GENEROUS_LIMIT = "1000000/minute"


def on_sigterm_exit() -> None:
    """Turn SIGTERM into SystemExit so `finally` blocks stop servers and remove temp dirs."""

    def handler(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    base: str
    port: int
    root: Path
    process: subprocess.Popen[bytes]
    workers: int

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    @property
    def db_path(self) -> Path:
        return self.root / "server.db"

    def worker_pids(self) -> list[int]:
        """The gunicorn worker processes (children of the master)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except FileNotFoundError:
            return []

    def register(self, email: str) -> str:
        """A bearer token for a new account."""
        answer = requests.post(
            f"{self.base}/api/auth/register",
            json={"email": email, "password": PASSWORD},
            timeout=30,
        )
        if answer.status_code != 201:
            raise RuntimeError(f"register {email}: {answer.status_code} {answer.text[:200]}")
        token: str = answer.json()["token"]
        return token

    def health(self) -> dict[str, Any]:
        body: dict[str, Any] = requests.get(f"{self.base}/api/health", timeout=10).json()
        return body


def _wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError("the server exited:\n" + server.log_path.read_text()[-3000:])
        try:
            answered = requests.get(f"{server.base}/api/health", timeout=5).status_code == 200
            # Every worker imports the app on its own; wait until all are up.
            if answered and len(server.worker_pids()) >= server.workers:
                return
        except requests.RequestException:
            pass  # not listening yet, or a worker still importing the app
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {timeout:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the whole process group (master, workers); SIGKILL what is left after 20 s."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(20)
        except subprocess.TimeoutExpired:
            pass
    # Workers may outlive a master that was killed; the group holds them all.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


@contextmanager
def running_server(
    name: str,
    env: dict[str, str] | None = None,
    app: str = "backend.wsgi:app",
    gunicorn_args: tuple[str, ...] = (),
) -> Iterator[Server]:
    """A fresh server on SQLite in its own temp dir, removed with everything in it on exit.

    `app` and `gunicorn_args` serve something else with the same settings (the calibration's
    bare route, bench/calibration.py).
    """
    root = Path(tempfile.mkdtemp(prefix=f"clipscope-bench-{name}-"))
    process: subprocess.Popen[bytes] | None = None
    try:
        port = free_port()
        full_env = {
            **os.environ,
            "PORT": str(port),
            "HOST": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{root / 'server.db'}",
            "CLIPSCOPE_UPLOAD_DIR": str(root / "uploads"),
            "CLIPSCOPE_SECRET_KEY": "bench",
            "CLIPSCOPE_EXPO_PUSH_URL": "http://127.0.0.1:9",
            "CLIPSCOPE_AUTH_RATE_LIMIT": GENEROUS_LIMIT,
            "CLIPSCOPE_UPLOAD_RATE_LIMIT": GENEROUS_LIMIT,
            "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
            **(env or {}),
        }
        with open(root / "server.log", "wb") as log:
            subprocess.run(
                [str(VENV_BIN / "python"), "-m", "backend.migrate"],
                cwd=PROJECT_ROOT,
                env=full_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
                timeout=120,
            )
            # Its own session: a Ctrl-C on the terminal reaches the bench, which stops the
            # server in order, and killpg reaches every process the server started.
            process = subprocess.Popen(
                [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", *gunicorn_args, app],
                cwd=PROJECT_ROOT,
                env=full_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        workers = int(full_env["WEB_CONCURRENCY"])
        server = Server(f"http://127.0.0.1:{port}", port, root, process, workers)
        _wait_healthy(server, timeout=90)
        yield server
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(root, ignore_errors=True)


def bench_main(run: Callable[[bool], list[Figure]], title: str, description: str | None) -> None:
    """The command line every bench shares: --quick, --json PATH; prints its table."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    on_sigterm_exit()
    figures = run(args.quick)
    print(table(figures, title), flush=True)
    save(figures, args.json)
