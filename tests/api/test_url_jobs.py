"""Jobs submitted by URL, fetched from a local HTTP server on 127.0.0.1 (allow-listed here)."""

from __future__ import annotations

import ipaddress
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import backend.uploads.fetch as fetch_module
from backend.uploads.by_url import UrlSource
from tests.helpers import AuthActions, files_under, services_of, wait_for, wait_for_job

LIMIT = 300_000


class VideoSite:
    """What the local server answers, by path."""

    def __init__(self, video: bytes) -> None:
        self.video = video
        self.base = ""
        self.requests: list[str] = []
        self.half_sent = threading.Event()
        self.go_on = threading.Event()

    def answer(self, path: str) -> tuple[int, dict[str, str], bytes | list[bytes]]:
        if path in ("/clip.mp4", "/slow.mp4"):
            return 200, {"Content-Type": "video/mp4"}, self.video
        if path == "/moved":
            return 302, {"Location": "/clip.mp4"}, b""
        if path == "/to-metadata":
            return 302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""
        if path == "/loop":
            return 302, {"Location": f"{self.base}/loop"}, b""
        if path == "/big-announced.mp4":
            return 200, {"Content-Length": str(LIMIT + 1)}, self.video
        if path == "/big-streamed.mp4":
            # No Content-Length: the size is only found out while reading.
            return 200, {}, [self.video] + [b"\0" * 65536] * 8
        if path == "/notes.txt":
            return 200, {"Content-Type": "video/mp4"}, b"these are words, not a video " * 200
        return 404, {}, b"not here"


@pytest.fixture
def site(small_video: Path) -> Iterator[VideoSite]:
    content = VideoSite(small_video.read_bytes())

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            content.requests.append(f"{self.headers['Host']} {self.path}")
            status, headers, body = content.answer(self.path)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if isinstance(body, list):
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for piece in body:
                    self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
                return
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.path == "/slow.mp4":
                # Half the video, then wait until the test has seen the download's progress.
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                content.half_sent.set()
                content.go_on.wait(30)
                body = body[len(body) // 2 :]
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    content.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield content
    server.shutdown()
    server.server_close()


@pytest.fixture
def allowed(make_app: Callable[..., Flask]) -> tuple[FlaskClient, dict[str, str]]:
    app = make_app(fetch_allow_hosts=frozenset({"127.0.0.1"}), max_upload_bytes=LIMIT)
    client = app.test_client()
    return client, AuthActions(client).register()


def submit(client: FlaskClient, headers: dict[str, str], url: str) -> Any:
    return client.post("/api/jobs", json={"url": url}, headers=headers)


def test_a_url_job_downloads_then_analyses(
    allowed: tuple[FlaskClient, dict[str, str]], site: VideoSite, small_video: Path
) -> None:
    client, headers = allowed
    answer = submit(client, headers, f"{site.base}/moved")
    assert answer.status_code == 202, answer.get_json()
    assert answer.headers["Location"] == f"/api/jobs/{answer.get_json()['job_id']}"

    job = wait_for_job(client, headers, answer.get_json()["job_id"])
    assert job["status"] == "completed", job
    assert job["video"] == {
        "filename": "moved",
        "size_bytes": small_video.stat().st_size,
        "content_type": "video/mp4",
    }
    assert job["result"]["video"]["frame_count"] == 48
    port = site.base.rsplit(":", 1)[1]
    assert site.requests == [f"127.0.0.1:{port} /moved", f"127.0.0.1:{port} /clip.mp4"]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/to-metadata", "fetch_failed"),
        ("/loop", "fetch_failed"),
        ("/missing.mp4", "fetch_failed"),
        ("/big-announced.mp4", "too_large"),
        ("/big-streamed.mp4", "too_large"),
        ("/notes.txt", "not_a_video"),
    ],
)
def test_a_url_that_cannot_give_a_video_fails_its_job(
    allowed: tuple[FlaskClient, dict[str, str]],
    site: VideoSite,
    tmp_path: Path,
    path: str,
    code: str,
) -> None:
    client, headers = allowed
    answer = submit(client, headers, f"{site.base}{path}")
    assert answer.status_code == 202
    job = wait_for_job(client, headers, answer.get_json()["job_id"])
    assert job["status"] == "failed"
    assert job["error"]["code"] == code, job["error"]
    assert job["error"]["message"].endswith(".")
    assert files_under(tmp_path / "uploads") == []
    # The private address a redirect pointed to was never contacted: the check comes first.
    assert all("169.254" not in line for line in site.requests)
    if path == "/loop":
        assert len(site.requests) == 4  # the first request and 3 redirects, then it stops


def test_loopback_and_private_urls_are_refused_unless_allow_listed(
    make_app: Callable[..., Flask], site: VideoSite
) -> None:
    client = make_app().test_client()
    headers = AuthActions(client).register()
    port = site.base.rsplit(":", 1)[1]
    for url in (
        f"{site.base}/clip.mp4",
        f"http://localhost:{port}/clip.mp4",  # a name is checked by what it resolves to
        "http://[::1]/clip.mp4",
        "http://10.1.2.3/clip.mp4",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/clip.mp4",
    ):
        refused = submit(client, headers, url)
        assert refused.status_code == 422, url
        assert refused.get_json()["error"]["code"] == "url_not_allowed"
        assert "not allowed" in refused.get_json()["error"]["message"]
    assert site.requests == []
    for url, code in (
        ("ftp://example.com/a.mp4", "validation_error"),
        ("http://user:pw@127.0.0.1/a.mp4", "url_not_allowed"),
    ):
        answer = submit(client, headers, url)
        assert answer.status_code == 422 and answer.get_json()["error"]["code"] == code, url
    assert client.get("/api/jobs", headers=headers).get_json()["jobs"] == []


def test_the_download_is_the_jobs_first_phase_with_its_own_progress(
    make_app: Callable[..., Flask], site: VideoSite
) -> None:
    app = make_app(executor="thread", fetch_allow_hosts=frozenset({"127.0.0.1"}))
    client = app.test_client()
    headers = AuthActions(client).register()
    job_id = submit(client, headers, f"{site.base}/slow.mp4").get_json()["job_id"]
    assert site.half_sent.wait(30)

    def fetching() -> dict[str, Any]:
        body: dict[str, Any] = client.get(f"/api/jobs/{job_id}", headers=headers).get_json()
        return body

    wait_for(lambda: "%" in fetching()["message"], timeout=10, what="the download's progress")
    job = fetching()
    assert job["status"] == "processing" and job["phase"] == "fetching"
    # The download's share is in the message; the job's progress (the analysis's) stays at 0
    # so that it never goes back when the analysis starts.
    assert job["progress"] == 0
    assert re.fullmatch(r"Downloading the video: [\d.]+ MB of [\d.]+ MB \(\d+ %\)", job["message"])
    site.go_on.set()
    done = wait_for_job(client, headers, job_id)
    assert done["status"] == "completed" and done["progress"] == 100


def test_the_connection_goes_to_the_checked_address(
    allowed: tuple[FlaskClient, dict[str, str]],
    site: VideoSite,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The name is resolved once, checked, and that address is connected to (no second lookup).

    `video.test` exists in no DNS: only our resolution, replaced here, knows it. A fetch that
    looked the name up again when connecting would fail.
    """
    client, headers = allowed
    port = int(site.base.rsplit(":", 1)[1])
    looked_up: list[str] = []

    def resolve(host: str, _port: int) -> list[ipaddress.IPv4Address]:
        looked_up.append(host)
        return [ipaddress.IPv4Address("127.0.0.1")]

    monkeypatch.setattr(fetch_module, "_resolve", resolve)
    refused = submit(client, headers, f"http://video.test:{port}/clip.mp4")
    assert refused.status_code == 422  # 127.0.0.1 is allowed by name only, not for video.test

    app = client.application
    svc = services_of(app)
    settings = fetch_module.FetchSettings(limit_bytes=LIMIT, allow_hosts=frozenset({"video.test"}))
    svc.store.events = replace(
        svc.store.events, before_analysis=UrlSource(svc.store, svc.storage, settings)
    )
    svc.config = svc.config.with_overrides(fetch_allow_hosts=frozenset({"video.test"}))
    answer = submit(client, headers, f"http://video.test:{port}/clip.mp4")
    assert answer.status_code == 202
    job = wait_for_job(client, headers, answer.get_json()["job_id"])
    assert job["status"] == "completed", job
    assert site.requests == [f"video.test:{port} /clip.mp4"]
    assert looked_up.count("video.test") == 3  # the refused submit, the accepted one, the fetch
