"""Raw client sockets for the tests that play slow, stalled or impolite clients."""

from __future__ import annotations

import socket

# An anonymous login that announces 60 kB and sends 11 bytes of it.
STALLED_LOGIN = (
    b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b'Content-Length: 60000\r\n\r\n{"email": "'
)


def connect(base: str, timeout: float = 30.0) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=timeout)


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (or half-closes) the connection."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def stalled_logins(base: str, count: int, timeout: float = 30.0) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = connect(base, timeout)
        sock.sendall(STALLED_LOGIN)
        sockets.append(sock)
    return sockets
