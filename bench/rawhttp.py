"""Raw-socket uploads, so a bench can timestamp the last body byte and the answer's first byte."""

from __future__ import annotations

import json
import socket
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.videos import make_video

# The sniffer reads 4 KiB; the head of a real MP4 without its index (moov comes last) passes
# the sniffer and then fails analysis at once, so these uploads leave the CPU idle.
HEAD_BYTES = 4096


def mp4_head() -> bytes:
    """The first bytes of a real MP4 (ftyp box, then the start of mdat)."""
    with tempfile.TemporaryDirectory(prefix="clipscope-bench-head-") as tmp:
        path = make_video(Path(tmp) / "head.mp4", seconds=2.0, width=320, height=240, noise=20)
        head = path.read_bytes()[:HEAD_BYTES]
    if len(head) < HEAD_BYTES:
        raise RuntimeError("the generated video is smaller than the sniffed head")
    return head


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    first_byte_at: float  # perf_counter() when the status line began to arrive

    def json(self) -> Any:
        return json.loads(self.body)


def upload_head(port: int, token: str, size: int, filename: str = "bench.mp4") -> bytes:
    return (
        "POST /api/upload HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Content-Type: application/octet-stream\r\n"
        f"X-Filename: {filename}\r\n"
        f"Content-Length: {size}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def send_all(sock: socket.socket, parts: Iterable[bytes | memoryview]) -> None:
    for part in parts:
        sock.sendall(part)


def read_answer(sock: socket.socket) -> Answer:
    """Read one response with a Content-Length; stamps the arrival of its first byte."""
    data = sock.recv(65536)
    first_byte_at = time.perf_counter()
    while b"\r\n\r\n" not in data:
        more = sock.recv(65536)
        if not more:
            raise ConnectionError(f"the server closed the connection: {data[:200]!r}")
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        more = sock.recv(65536)
        if not more:
            break
        body += more
    return Answer(status, headers, body, first_byte_at)
