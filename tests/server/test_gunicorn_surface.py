"""What backend/server/ relies on in gunicorn, pinned: an upgrade that renames, removes or
changes any of it fails here instead of silently turning a protection off.

When gunicorn is upgraded this test fails by design (the version). Re-read each member below in
the new release, adjust backend/server/ if needed, then record the new version and signatures.
"""

from __future__ import annotations

import inspect
import io
import re
import socket
from collections.abc import Callable
from typing import Any

import gunicorn
import pytest
from gunicorn import arbiter
from gunicorn.config import Config
from gunicorn.glogging import Logger
from gunicorn.http import errors, wsgi
from gunicorn.http.parser import Parser, RequestParser
from gunicorn.workers import base, gthread

from backend.config import PROJECT_ROOT

GUNICORN_VERSION = "27.0.1"

# Every gunicorn member backend/server/ overrides or calls, with its signature in that release.
SIGNATURES: dict[str, str] = {
    # worker.py: ClipscopeWorker overrides these ...
    "ThreadWorker.__init__": "(self, *args, **kwargs)",
    "ThreadWorker.init_process": "(self)",
    "Worker.load_wsgi": "(self)",
    "ThreadWorker.get_thread_pool": "(self)",
    "ThreadWorker.run": "(self)",
    "ThreadWorker.handle_exit": "(self, sig, frame)",
    "ThreadWorker.handle_quit": "(self, sig, frame)",
    "ThreadWorker.murder_keepalived": "(self, force=False)",
    "ThreadWorker.wait_for_and_dispatch_events": "(self, timeout)",
    "ThreadWorker.enqueue_req": "(self, conn)",
    "ThreadWorker.handle": "(self, conn)",
    "Worker.handle_error": "(self, req, client, addr, exc)",
    # ... the one private method (the quick close of a refused body) ...
    "ThreadWorker._keepalive_after": "(self, conn, keepalive)",
    # ... and calls these.
    "ThreadWorker.accept": "(self, listener)",
    # A poll refused by the event loop goes back to keep-alive (or closes) as a thread's would.
    "ThreadWorker.finish_request": "(self, conn, fs)",
    "Parser.finish_body": "(self, deadline=None, max_bytes=None)",
    # connection.py: Connection overrides TConn's.
    "TConn.__init__": "(self, cfg, sock, client, server)",
    "TConn.init": "(self)",
    "TConn.close": "(self, graceful=False)",
}
OWNERS: dict[str, Any] = {
    "ThreadWorker": gthread.ThreadWorker,
    "Worker": base.Worker,
    "TConn": gthread.TConn,
    "Parser": Parser,
    "wsgi": wsgi,
}

# Attributes read or written on gunicorn's objects.
WORKER_ATTRIBUTES = (
    "alive",
    "cfg",
    "log",
    "nr_conns",
    "poller",
    "sockets",
    "worker_connections",
    "keepalived_conns",
    "max_keepalived",
)
CONNECTION_ATTRIBUTES = (
    "cfg",
    "sock",
    "client",
    "server",
    "parser",
    "initialized",
    "data_ready",
    "is_http2",
)
CONFIG_ATTRIBUTES = ("is_ssl", "keepalive", "threads")

# Where gunicorn calls what the worker overrides: the hook is only worth something if it is
# still asked, at that moment.
CALL_SITES: tuple[tuple[str, str], ...] = (
    # The idle timeout: after gunicorn switches the socket to blocking mode, before it reads.
    ("ThreadWorker.handle", r"conn\.sock\.setblocking\(True\)\s+(#.*\s+)*conn\.init\(\)"),
    ("ThreadWorker.handle", r"self\._keepalive_after\(conn, self\.handle_request\("),
    ("ThreadWorker.handle", r"self\.handle_error\(req, conn\.sock, conn\.client, e\)"),
    # spread.py: the loop asks worker_connections on every turn.
    ("ThreadWorker.run", r"self\.nr_conns < self\.worker_connections"),
    ("ThreadWorker.run", r"self\.murder_keepalived\(\)"),
    ("ThreadWorker.accept", r"self\.enqueue_req\(conn\)"),
    ("ThreadWorker.on_client_socket_readable", r"self\.enqueue_req\(conn\)"),
    ("ThreadWorker.on_pending_socket_readable", r"self\.enqueue_req\(conn\)"),
    ("ThreadWorker.finish_request", r"conn\.close\(graceful=True\)"),
    # backlog.py: what handle() returns (a poll refused unparsed: keep-alive or not) and a
    # parser's read-ahead are what the loop looks at when a request ends.
    ("ThreadWorker.enqueue_req", r"self\.tpool\.submit\(self\.handle, conn\)"),
    ("ThreadWorker.enqueue_req", r"self\.finish_request, conn, fut"),
    ("ThreadWorker.finish_request", r"fs\.result\(\)"),
    ("ThreadWorker.finish_request", r"conn\.parser\.unreader\.buf\.getvalue\(\)"),
    # guard.py: whether a poll's answer may wait for the network (the socket it is written to).
    ("wsgi.default_environ", r'"gunicorn\.socket": sock'),
    ("ThreadWorker.handle_request", r"wsgi\.create\(req, conn\.sock,"),
    ("Worker.load_wsgi", r"self\.wsgi = "),
)


def member(name: str) -> Callable[..., Any]:
    owner, _, attribute = name.partition(".")
    found = getattr(OWNERS[owner], attribute, None)
    assert callable(found), f"gunicorn has no {name} any more"
    return found


# refusals.py: gunicorn's request errors, each still one of its parse errors.
PARSE_ERRORS = (
    errors.ConfigurationProblem,
    errors.ExpectationFailed,
    errors.ForbiddenProxyRequest,
    errors.InvalidResponseHeader,
    errors.InvalidResponseHeaderName,
    errors.LimitRequestHeaders,
    errors.LimitRequestLine,
    errors.UnsupportedTransferCoding,
)


def test_the_gunicorn_in_use_is_the_pinned_one() -> None:
    pinned = re.search(
        r"^gunicorn==(\S+)$", (PROJECT_ROOT / "requirements.txt").read_text(), re.MULTILINE
    )
    assert pinned is not None
    assert gunicorn.__version__ == pinned.group(1) == GUNICORN_VERSION


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_each_member_keeps_its_signature(name: str) -> None:
    assert str(inspect.signature(member(name))) == SIGNATURES[name], name


def test_the_worker_and_connection_keep_their_attributes() -> None:
    cfg = Config()
    worker = gthread.ThreadWorker(1, 1, [], None, 30, cfg, Logger(cfg))
    try:
        missing = [name for name in WORKER_ATTRIBUTES if not hasattr(worker, name)]
        assert missing == [], missing
    finally:
        worker.tmp.close()
    ours, theirs = socket.socketpair()
    with ours, theirs:
        conn = gthread.TConn(cfg, ours, ("", 0), ("", 0))
        missing = [name for name in CONNECTION_ATTRIBUTES if not hasattr(conn, name)]
        assert missing == [], missing
        # The parser's read-ahead, where a kept-alive connection's next request may already be.
        assert isinstance(RequestParser(cfg, ours, ("", 0)).unreader.buf, io.BytesIO)
    missing = [name for name in CONFIG_ATTRIBUTES if not hasattr(cfg, name)]
    assert missing == [], missing


@pytest.mark.parametrize(("caller", "pattern"), CALL_SITES)
def test_gunicorn_still_calls_the_hooks_where_the_worker_expects(caller: str, pattern: str) -> None:
    assert re.search(pattern, inspect.getsource(member(caller))), (caller, pattern)


def test_the_errors_mapped_to_answers_are_still_parse_errors() -> None:
    for error in PARSE_ERRORS:
        assert issubclass(error, errors.ParseException), error
    # gunicorn.conf.py's pre_fork reads the live workers from the arbiter.
    assert isinstance(arbiter.Arbiter.WORKERS, dict)
