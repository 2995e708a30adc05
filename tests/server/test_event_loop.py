"""What one client does never holds up a worker process's other clients (a real `make run`).

One worker process, so every connection shares its event loop and its body slots.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
import requests

from backend.server.linger import LINGER_S
from tests.helpers import wait_for
from tests.server.processes import running_server
from tests.server.sockets import connect, read_until_closed, stalled_logins

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("one-worker")
    with running_server(
        directory, WEB_CONCURRENCY="1", GUNICORN_THREADS="16", CLIPSCOPE_RATE_LIMITS="off"
    ) as url:
        yield url


def reset_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed the connection for good (it answers bytes with a reset)."""
    try:
        sock.send(b"x")
        return False
    except OSError:
        return True


def test_clients_that_keep_their_end_open_do_not_stop_the_loop(base: str) -> None:
    # Each answer says `Connection: close`; each client reads it and then neither sends nor
    # closes. Waiting for such a client on the loop's thread held every other request of the
    # process for LINGER_S per client: ten of them, 20 s.
    lingering = []
    started = time.monotonic()
    for _ in range(10):
        sock = connect(base)
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert read_until_closed(sock).startswith(b"HTTP/1.1 200")
        lingering.append(sock)
    assert requests.get(f"{base}/api/health", timeout=30).status_code == 200
    assert time.monotonic() - started < 3 * LINGER_S
    # The server still closes them for good once they have had their time.
    wait_for(
        lambda: all(reset_by_server(sock) for sock in lingering),
        timeout=10 * LINGER_S,
        what="the lingering connections to be closed",
    )
    for sock in lingering:
        sock.close()


def test_bodies_waiting_for_the_network_hold_no_turn(base: str) -> None:
    # More stalled bodies than the process has body slots, none near its 30 s idle timeout: a
    # login that arrives whole is answered at once, while the stalled ones still wait.
    stalled = stalled_logins(base, 6)
    answer = requests.post(
        f"{base}/api/auth/login",
        json={"email": "nobody@example.com", "password": "not a password"},
        timeout=10,
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"
    for sock in stalled:
        sock.setblocking(False)
        with pytest.raises(BlockingIOError):  # no answer yet: its body is still awaited
            sock.recv(1)
        sock.close()
