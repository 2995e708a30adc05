"""Throwaway PostgreSQL, Redis and RabbitMQ servers for the tests, on free ports.

Each server is started from the Debian packages `make test` installs (never the machine's running
services), lives in its own temporary directory, and is stopped and removed afterwards.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

START_TIMEOUT_S = 60.0


class ServerError(RuntimeError):
    """A test server could not be started; the message says which and why."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_environ() -> dict[str, str]:
    """This process's environment without the machine's Clipscope settings, database or broker.

    For the servers and workers tests start: they must never reach the machine's own data.
    """
    machine = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "PROMETHEUS_MULTIPROC_DIR")
    return {
        k: v for k, v in os.environ.items() if not k.startswith("CLIPSCOPE_") and k not in machine
    }


def _wait_until(ready: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    pause = threading.Event()
    while not ready():
        if process.poll() is not None:
            raise ServerError(f"{what} exited with {process.returncode} while starting")
        if time.monotonic() > deadline:
            raise ServerError(f"{what} was not ready after {START_TIMEOUT_S:.0f} s")
        pause.wait(0.05)


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _is_redis_of(port: int, pid: int) -> bool:
    """Whether the Redis server answering on `port` is process `pid`."""
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=0.5)
    try:
        return int(client.info("server")["process_id"]) == pid
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def _require(path: str | None, package: str) -> str:
    if path is None or not os.access(path, os.X_OK):
        raise ServerError(f"{package} is not installed; `make test` installs it (apt-get).")
    return path


class _Server:
    """A server process in its own session and directory, stopped by `stop()`."""

    name = "server"

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix=f"clipscope-{self.name}-"))
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.root / "server.log"

    def _spawn(self, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root,
                env=env,
                start_new_session=True,
            )
        return self.process

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the process group (fast shutdown), then remove the directory."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, self.stop_signal)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)

    stop_signal = signal.SIGTERM


class PostgresServer(_Server):
    """`initdb` + `postgres` from Debian's postgresql package; as an unprivileged user if root."""

    name = "postgres"
    stop_signal = signal.SIGINT  # PostgreSQL's "fast" shutdown

    def __init__(self) -> None:
        super().__init__()
        self.bin = _postgres_bin()
        self.port = 0
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: run it as the package's `postgres` user.
            user = _unprivileged_user()
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as_user = [
                "setpriv",
                f"--reuid={user.pw_uid}",
                f"--regid={user.pw_gid}",
                "--clear-groups",
                "--",
            ]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def start(self) -> PostgresServer:
        data = self.root / "data"
        initdb = [
            *self._as_user,
            f"{self.bin}/initdb",
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]
        done = subprocess.run(initdb, cwd=self.root, capture_output=True, check=False)
        if done.returncode != 0:
            raise ServerError(f"initdb failed: {done.stderr.decode(errors='replace')}")
        for _ in range(3):  # another process may take the free port before we bind it
            self.port = free_port()
            process = self._spawn(
                [
                    *self._as_user,
                    f"{self.bin}/postgres",
                    "-D",
                    str(data),
                    "-p",
                    str(self.port),
                    "-k",
                    str(self.root),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    # A throwaway server: durability costs time and buys nothing here.
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "max_connections=200",
                ]
            )
            try:
                _wait_until(self._ready, process, "PostgreSQL")
                return self
            except ServerError:
                if process.poll() is None:
                    raise
        raise ServerError(f"PostgreSQL did not start: {self.log_tail()}")

    def _ready(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(
                host="127.0.0.1",
                port=self.port,
                user="postgres",
                dbname="postgres",
                connect_timeout=1,
            ):
                return True
        except psycopg.OperationalError:
            return False


def _postgres_bin() -> str:
    """The newest `/usr/lib/postgresql/N/bin` (Debian keeps the server off PATH), else PATH's."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"),
        key=lambda path: [int(part) for part in Path(path).parts[-3].split(".") if part.isdigit()],
    )
    binary = found[-1] if found else shutil.which("postgres")
    return str(Path(_require(binary, "postgresql")).parent)


def _unprivileged_user() -> pwd.struct_passwd:
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ServerError("no unprivileged user (postgres or nobody) to run PostgreSQL as")


class RedisServer(_Server):
    """`redis-server` from Debian's redis-server package, in memory only."""

    name = "redis"

    def __init__(self) -> None:
        super().__init__()
        self.port = 0
        self.databases = 64

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> RedisServer:
        binary = _require(shutil.which("redis-server"), "redis-server")
        for _ in range(3):
            self.port = free_port()
            process = self._spawn(
                [
                    binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--databases",
                    str(self.databases),
                    "--dir",
                    str(self.root),
                ]
            )
            try:
                # Ours, not whatever else took the port first: the tests flush what they reach.
                ours = partial(_is_redis_of, self.port, process.pid)
                _wait_until(ours, process, "Redis")
                return self
            except ServerError:
                if process.poll() is None:
                    raise
        raise ServerError(f"Redis did not start: {self.log_tail()}")


RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
RABBITMQ_CTL = "/usr/lib/rabbitmq/bin/rabbitmqctl"


class RabbitMQServer(_Server):
    """Debian's rabbitmq-server as its own node, with its own epmd, on free ports."""

    name = "rabbitmq"

    def __init__(self) -> None:
        super().__init__()
        self.port = 0
        self.epmd: subprocess.Popen[bytes] | None = None
        self.env: dict[str, str] = {}

    def url(self, vhost: str = "") -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/{vhost}"

    def add_vhost(self, vhost: str) -> str:
        """A virtual host of its own (for one test) that the guest user may use; its URL."""
        self.ctl("add_vhost", vhost)
        self.ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        return self.url(vhost)

    def delete_vhost(self, vhost: str) -> None:
        self.ctl("delete_vhost", vhost)

    def ctl(self, *args: str) -> None:
        """`rabbitmqctl` against this node (about 0.8 s each: it boots an Erlang VM)."""
        done = subprocess.run(
            [RABBITMQ_CTL, *args], env=self.env, capture_output=True, check=False, timeout=60
        )
        if done.returncode != 0:
            raise ServerError(f"rabbitmqctl {' '.join(args)}: {done.stderr.decode()[-500:]}")

    def start(self) -> RabbitMQServer:
        server = _require(RABBITMQ_SERVER, "rabbitmq-server")
        epmd_bin = _require(shutil.which("epmd"), "rabbitmq-server (erlang epmd)")
        self.port, dist_port, epmd_port = free_port(), free_port(), free_port()
        # Our own epmd in the foreground, so the Erlang node never leaves a daemon behind.
        self.epmd = subprocess.Popen(
            [epmd_bin, "-port", str(epmd_port), "-address", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_until(lambda: _accepts(epmd_port), self.epmd, "epmd")
        (self.root / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\nloopback_users = none\n"
        )
        (self.root / "enabled_plugins").write_text("[].\n")
        self.env = env = {
            **os.environ,
            "HOME": str(self.root),  # the Erlang cookie lives here
            "RABBITMQ_NODENAME": f"clipscope-test-{self.port}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(dist_port),
            "ERL_EPMD_PORT": str(epmd_port),
            "RABBITMQ_MNESIA_BASE": str(self.root / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.root / "log"),
            "RABBITMQ_LOGS": "-",
            "RABBITMQ_CONFIG_FILE": str(self.root / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.root / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(self.root / "rabbitmq.pid"),
        }
        process = self._spawn([server], env)
        _wait_until(self._ready, process, "RabbitMQ")
        return self

    def _ready(self) -> bool:
        import kombu

        try:
            with kombu.Connection(self.url(), connect_timeout=1) as connection:
                connection.connect()
                return True
        except Exception:  # any failure to connect is "not yet"
            return False

    def stop(self) -> None:
        super().stop()
        if self.epmd is not None and self.epmd.poll() is None:
            self.epmd.terminate()
            self.epmd.wait(10)
