"""When writing an answer may wait for the client's network (backend/server/guard.py)."""

from __future__ import annotations

import socket

from gunicorn.http.wsgi import FileWrapper

from backend.server.guard import WRITES_AT_ONCE_BYTES, _may_wait


def test_only_a_small_answer_into_a_socket_the_client_keeps_reading_is_written_at_once() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        ours, _ = listener.accept()
    with ours, client:
        environ = {"wsgi.file_wrapper": FileWrapper, "gunicorn.socket": ours}
        assert not _may_wait(environ, [b"{}"], 2)
        assert not _may_wait(environ, [], 0)  # 304: no body
        assert _may_wait(environ, [b"x"], None)  # a length nobody knows
        assert _may_wait(environ, [b"x"], WRITES_AT_ONCE_BYTES + 1)
        with open(__file__, "rb") as file:
            assert _may_wait(environ, FileWrapper(file), 10)
        # A client that does not read its answers: the next one may wait for it.
        ours.setblocking(False)
        try:
            while True:
                ours.send(b"x" * 65536)
        except BlockingIOError:
            pass
        assert _may_wait(environ, [b"{}"], 2)
