"""Local web sites a URL job fetches from (127.0.0.x only), and an HTTP client for `make run`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from tests.helpers import wait_for
from tests.server.processes import signed_up

Route = Callable[[BaseHTTPRequestHandler], None]


class Site:
    """An HTTP server whose answers are functions by path; it records every request."""

    def __init__(self, routes: dict[str, Route], host: str = "127.0.0.1") -> None:
        self.routes = routes
        self.requests: list[tuple[str, dict[str, str]]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.requests.append((self.path, dict(self.headers.items())))
                route = site.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                # The fetch may give up mid-answer: that is what these sites test.
                with suppress(BrokenPipeError, ConnectionResetError):
                    route(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://{host}:{self.server.server_address[1]}"

    @contextmanager
    def serving(self) -> Iterator[Site]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


def send(handler: BaseHTTPRequestHandler, body: bytes, **headers: str) -> None:
    handler.send_response(200)
    headers.setdefault("Content-Type", "video/mp4")
    headers.setdefault("Content_Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(body)


def redirect(location: str) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


class Client:
    """A registered user of a running server."""

    def __init__(self, base: str, email: str, password: str = "correct horse") -> None:
        self.base = base
        self.headers = signed_up(base, email, password)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return requests.get(f"{self.base}{path}", headers=headers, timeout=10, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return requests.post(f"{self.base}{path}", headers=headers, timeout=30, **kwargs)

    def submit_url(self, url: str) -> requests.Response:
        return self.post("/api/jobs", json={"url": url})

    def job(self, job_id: str) -> dict[str, Any]:
        answer = self.get(f"/api/jobs/{job_id}")
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def wait_until(
        self, job_id: str, done: Callable[[dict[str, Any]], bool], timeout: float = 60
    ) -> dict[str, Any]:
        wait_for(lambda: done(self.job(job_id)), timeout=timeout, what=f"job {job_id}")
        return self.job(job_id)

    def wait_for_end(self, job_id: str, timeout: float = 60) -> dict[str, Any]:
        ended = ("completed", "failed", "cancelled")
        return self.wait_until(job_id, lambda job: job["status"] in ended, timeout)
