"""Telling a status poll apart from its bytes, before any parsing (backend/server/peek.py)."""

from __future__ import annotations

import socket

import pytest

from backend.server.peek import PollHead, peek_poll, poll_head

POLL = b"GET /api/jobs/abc HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n"


def test_a_whole_poll_is_told_with_its_length_even_with_the_next_request_behind_it() -> None:
    assert poll_head(POLL + b"GET /api/jobs/abc HTTP/1.1\r\n") == PollHead(len(POLL), True, False)
    head = b"HEAD /api/jobs/abc?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"
    assert poll_head(head) == PollHead(len(head), True, True)  # its answer has no body


@pytest.mark.parametrize(
    ("head", "keep_alive"),
    [
        (b"GET /api/jobs/abc HTTP/1.1\r\nConnection: close\r\n\r\n", False),
        (b"GET /api/jobs/abc HTTP/1.1\r\nCONNECTION:   Close\r\n\r\n", False),
        (b"GET /api/jobs/abc HTTP/1.0\r\nHost: x\r\n\r\n", False),
        (b"GET /api/jobs/abc HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", True),
    ],
)
def test_the_connection_goes_on_only_as_http_1_1_says(head: bytes, keep_alive: bool) -> None:
    found = poll_head(head)
    assert found is not None and found.keep_alive is keep_alive


@pytest.mark.parametrize(
    "data",
    [
        b"GET /api/jobs/abc HTTP/1.1\r\nHost: x\r\n",  # its head has not all arrived
        b"GET /api/health HTTP/1.1\r\n\r\n",  # a probe must see a busy server as alive
        b"GET /api/health?full=1 HTTP/1.1\r\n\r\n",
        b"GET /api/jobs/abc/events HTTP/1.1\r\n\r\n",  # waits for a change, holding no CPU
        b"GET /api/jobs/abc HTTP/1.1\r\nPrefer: wait=10\r\n\r\n",
        b"GET /api/jobs/abc HTTP/1.1\r\nprefer: respond-async, wait=5\r\n\r\n",
        b"POST /api/upload HTTP/1.1\r\nContent-Length: 0\r\n\r\n",  # bodies are not shed
        b"GET /api/jobs/abc HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
        b"GET /api/jobs/abc HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"GET /api/%68ealth HTTP/1.1\r\n\r\n",  # could route to the health check
        b"GET http://x/api/jobs/abc HTTP/1.1\r\n\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        b"GET /api/jobs/a b HTTP/1.1\r\n\r\n",
        b"",
    ],
)
def test_anything_else_is_left_to_the_parser(data: bytes) -> None:
    assert poll_head(data) is None


def test_peeking_leaves_the_bytes_in_the_socket_and_an_empty_socket_is_no_poll() -> None:
    ours, client = socket.socketpair()
    with ours, client:
        ours.setblocking(False)
        assert peek_poll(ours) is None
        client.sendall(POLL)
        assert peek_poll(ours) == PollHead(len(POLL), True, False)
        assert ours.recv(1000) == POLL
