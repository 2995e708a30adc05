"""The worker's connection: idle timeout on every request's reads, a close that lingers."""

from __future__ import annotations

import selectors
import socket
from collections.abc import Iterator

import pytest
from gunicorn.config import Config
from gunicorn.workers import gthread

from backend.server.connection import Connection
from backend.server.linger import LingeringCloses


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    server_end, client_end = socket.socketpair()
    yield server_end, client_end
    server_end.close()
    client_end.close()


def test_every_request_reads_with_the_idle_timeout(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    server_end, _ = pair
    with selectors.DefaultSelector() as poller:
        fresh = gthread.TConn(Config(), server_end, ("127.0.0.1", 5000), ("127.0.0.1", 8000))
        conn = Connection.adopt(fresh, LingeringCloses(poller), 2.5)
        assert (conn.sock, conn.client, conn.server) == (fresh.sock, fresh.client, fresh.server)
        for _ in range(2):  # the first request and a kept-alive one, as gthread's handle() does
            conn.sock.setblocking(True)  # gunicorn: blocking, no timeout at all
            conn.init()
            assert conn.sock.gettimeout() == 2.5
            assert conn.parser is not None
            conn.sock.setblocking(False)  # back on the poller between requests


def test_a_graceful_close_half_closes_and_leaves_the_wait_to_the_poller(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    server_end, client_end = pair
    with selectors.DefaultSelector() as poller:
        lingering = LingeringCloses(poller)
        conn = Connection(lingering, 2.5, Config(), server_end, ("", 0), ("", 0))
        conn.close(graceful=True)
        assert client_end.recv(10) == b""  # our side is closed for writing ...
        assert server_end.fileno() >= 0  # ... and open for what the client still sends
        assert len(poller.get_map()) == 1
        lingering.expire(force=True)
        assert server_end.fileno() < 0
