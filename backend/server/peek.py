"""What a waiting request is, read from the first bytes in its socket before any thread parses it.

Past capacity the worker's event loop refuses status polls itself, before handing them to a
thread (worker.py, backlog.py): a thread parses a request in Python under the process's one GIL,
and hundreds of threads parsing requests that were going to be refused anyway kept the admitted
polls waiting for the GIL. To refuse one without parsing it the loop must know, from the bytes
in the socket and without taking them out, that they are one whole status poll: a GET or HEAD
whose head has fully arrived, without a body, that the admission would gate (not the health
check, a long poll or an event stream; admission.py). Anything else, or anything that cannot be
told at a glance, goes to a thread as before.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from backend.server.admission import gated_path

# A poll's head with a bearer token, an ETag and a phone's usual headers is well under this; a
# longer one is left to the parser.
PEEK_BYTES = 4096
_METHODS = (b"GET", b"HEAD")
_VERSIONS = (b"HTTP/1.1", b"HTTP/1.0")


@dataclass(frozen=True, slots=True)
class PollHead:
    """A whole bodiless request head, of a request the admission gates, waiting in a socket."""

    length: int  # bytes, up to and including the empty line that ends it
    keep_alive: bool  # HTTP/1.1 without `Connection: close`: the connection may go on
    head_only: bool  # HEAD: its answer must not carry the body


def peek_poll(sock: socket.socket) -> PollHead | None:
    """The poll waiting in `sock`, left in the socket; None if what is there is not one."""
    try:
        data = sock.recv(PEEK_BYTES, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except OSError:  # nothing there yet, or reset: the thread that reads it will see
        return None
    return poll_head(data)


def poll_head(data: bytes) -> PollHead | None:
    """The head at the start of `data` if it is a whole poll's (see the module's docstring)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None  # not all there yet (or longer than a peek): the parser waits for it
    line_end = data.find(b"\r\n")
    parts = data[:line_end].split(b" ")
    if len(parts) != 3:
        return None
    method, target, version = parts
    # An absolute or percent-encoded target could route elsewhere than it reads here.
    if method not in _METHODS or version not in _VERSIONS or not target.startswith(b"/"):
        return None
    if b"%" in target:
        return None
    headers = data[line_end : end + 2].lower()
    if b"\ncontent-length:" in headers or b"\ntransfer-encoding:" in headers:
        return None  # a body: where the request ends is the parser's business
    path = target.split(b"?", 1)[0].decode("latin-1")
    if not gated_path(path, _values(headers, b"prefer")):
        return None
    keep_alive = version == b"HTTP/1.1" and "close" not in _values(headers, b"connection")
    return PollHead(end + 4, keep_alive, method == b"HEAD")


def _values(headers: bytes, name: bytes) -> str:
    """Every value of header `name` in `headers` (lower case, each line after a "\\n")."""
    key = b"\n" + name + b":"
    found = []
    at = headers.find(key)
    while at >= 0:
        stop = headers.find(b"\r\n", at)
        found.append(headers[at + len(key) : stop].strip())
        at = headers.find(key, stop)
    return b",".join(found).decode("latin-1")
