"""The real server started as `make run` starts it, and the processes it is made of."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import requests

from backend.config import PROJECT_ROOT
from tests.helpers import wait_for
from tests.services import clean_environ, free_port


@dataclass
class Server:
    """A `make run` process: its URL, its process (make, the group leader) and its log."""

    base: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def master_pid(self) -> int:
        """gunicorn's master: what a deploy tool or systemd signals."""
        for pid in descendants(self.process.pid):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if any(b"gunicorn" in part for part in cmdline[:2]):
                return pid
        raise AssertionError("no gunicorn master under make")


def start_server(
    tmp_path: Path, port: int | None = None, ready_path: str = "/api/health", **env: str
) -> Server:
    """Start `make run` and wait until `ready_path` answers 200; the caller stops it.

    A test of /api/health itself waits on another path, so that its first probe is its own.
    """
    port = port or free_port()
    # Nothing of the machine's configuration (its database, its Redis) may leak into the test.
    environment = {
        **clean_environ(),
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}",
        "CLIPSCOPE_UPLOAD_DIR": str(tmp_path / "uploads"),
        "CLIPSCOPE_SECRET_KEY": "test",
        "CLIPSCOPE_EXPO_PUSH_URL": "http://127.0.0.1:9",
        "WEB_CONCURRENCY": "2",
        **env,
    }
    log_path = tmp_path / f"server-{port}.log"
    log = open(log_path, "ab")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert process.poll() is None, log_path.read_text()
        try:
            return requests.get(f"{base}{ready_path}", timeout=2).status_code == 200
        except requests.RequestException:
            return False  # listening, but the workers are still booting

    try:
        wait_for(healthy, timeout=60, what="gunicorn to answer")
    except BaseException:
        stop_server(Server(base, process, log_path))
        raise
    finally:
        log.close()
    return Server(base, process, log_path)


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(60)


def signed_up(base: str, email: str, password: str = "correct horse") -> dict[str, str]:
    """Register `email` on the server at `base`; the new user's Authorization header."""
    answer = requests.post(
        f"{base}/api/auth/register", json={"email": email, "password": password}, timeout=10
    )
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


@contextmanager
def running_server(tmp_path: Path, **env: str) -> Iterator[str]:
    """`make run` on a free port with its own database and uploads; yields the base URL."""
    server = start_server(tmp_path, **env)
    try:
        yield server.base
    finally:
        stop_server(server)


@contextmanager
def make_run(directory: Path, **env: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`make run` in `directory`; its base URL and the `make` process. Frozen ones thaw."""
    server = start_server(directory, **env)
    try:
        yield server.base, server.process
    finally:
        for pid in descendants(server.process.pid):  # nothing frozen may outlive the test
            _signal(pid, signal.SIGCONT)
        stop_server(server)


def parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            # The command name may hold spaces and parentheses: the fields after the last ')'.
            return int(stat.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def descendants(root: int) -> list[int]:
    """Every live process below `root`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (parent := parent_of(int(entry))) is not None:
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def analysis_children(worker: int) -> list[int]:
    """The analysis processes of a gunicorn worker: the children of its forkserver."""
    return [
        pid
        for pid in descendants(worker)
        if parent_of(pid) != worker and _is_forkserver(parent_of(pid))
    ]


def _is_forkserver(pid: int | None) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return b"forkserver" in cmdline.read()
    except OSError:
        return False


def _signal(pid: int, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, sig)
