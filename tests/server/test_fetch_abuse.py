"""URL jobs against hostile sites, over HTTP against `make run`: drips, endless bodies, gzip
bombs, bodies that are no video, and redirects or IPv6 spellings that lead to a local host."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.helpers import files_under, wait_for
from tests.server.processes import running_server
from tests.server.sites import Client, Site, redirect, send

pytestmark = pytest.mark.slow

DEADLINE_S = 4
LIMIT = 2 * 1024 * 1024


class Sites:
    def __init__(self, video: bytes) -> None:
        self.video = video
        self.stop = threading.Event()  # ends the endless routes when the module is done
        self.watched_started = threading.Event()
        self.watched_cut: list[float] = []  # when /continue-watched.mp4 found itself cut off
        # An MP4 header, then 64 MB of zeros: about 64 KB on the wire, gzip-encoded. Made
        # here, not while the fetch waits: on a busy machine that could outlast the read timeout.
        self.bomb_body = gzip.compress(video[:4096] + b"\0" * (64 * 1024 * 1024))
        self.gzipped = gzip.compress(video)
        # A loopback host that is NOT allow-listed, serving a real video: it must never be
        # asked for anything, whatever the allow-listed site redirects to.
        self.hidden = Site({"/clip.mp4": lambda h: send(h, video)}, host="127.0.0.2")
        self.open = Site(
            {
                "/clip.mp4": lambda h: send(h, video),
                "/drip.mp4": self.drip,
                "/endless.mp4": self.endless,
                "/bomb.mp4": self.bomb,
                "/gzipped.mp4": lambda h: send(h, self.gzipped, Content_Encoding="gzip"),
                "/broken.mp4": lambda h: send(h, video[:4096] + b"\0" * 200_000),
                "/to-hidden": redirect(f"{self.hidden.base}/clip.mp4"),
                "/broken-once.mp4": self.broken_once,
                "/continue.mp4": self.endless_continue,
                "/continue-watched.mp4": self.watched_continue,
                "/header-drip.mp4": self.header_drip,
            }
        )
        port = self.open.base.rsplit(":", 1)[1]
        self.open.routes["/to-nat64"] = redirect(f"http://[64:ff9b::127.0.0.1]:{port}/clip.mp4")

    def drip(self, handler: BaseHTTPRequestHandler) -> None:
        """A video's first bytes, then one byte every 0.2 s: 5 B/s, for as long as it is read."""
        self._head(handler)
        handler.wfile.write(self.video[:64])
        for byte in self.video[64:]:
            if self.stop.wait(0.2):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()

    def endless(self, handler: BaseHTTPRequestHandler) -> None:
        """160 KB/s (well above the minimum rate) that would stay under the limit for 12 s."""
        self._head(handler)
        handler.wfile.write(self.video)
        while not self.stop.wait(0.1):
            handler.wfile.write(b"\0" * 16 * 1024)
            handler.wfile.flush()

    def broken_once(self, handler: BaseHTTPRequestHandler) -> None:
        """A body that fails the analysis the first time, the video from then on."""
        asked = sum(path == "/broken-once.mp4" for path, _ in self.open.requests)
        send(handler, self.video if asked > 1 else self.video[:4096] + b"\0" * 200_000)

    def endless_continue(self, handler: BaseHTTPRequestHandler) -> None:
        """`100 Continue` five times a second, forever: http.client skips any number of them."""
        while not self.stop.wait(0.2):
            handler.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            handler.wfile.flush()

    def watched_continue(self, handler: BaseHTTPRequestHandler) -> None:
        """As /continue.mp4, noting when the fetch has cut the connection (a write fails)."""
        self.watched_started.set()
        try:
            self.endless_continue(handler)
        except OSError:
            self.watched_cut.append(time.monotonic())
            raise

    def header_drip(self, handler: BaseHTTPRequestHandler) -> None:
        """A status line, then one header line a byte every 0.2 s: a line may be 64 KiB long."""
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nX-Drip: ")
        while not self.stop.wait(0.2):
            handler.wfile.write(b"a")
            handler.wfile.flush()

    def bomb(self, handler: BaseHTTPRequestHandler) -> None:
        send(handler, self.bomb_body, Content_Encoding="gzip")

    @staticmethod
    def _head(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "video/mp4")
        handler.send_header("Connection", "close")  # no length: the body ends when it closes
        handler.end_headers()


@pytest.fixture(scope="module")
def sites(small_video: Path) -> Iterator[Sites]:
    content = Sites(small_video.read_bytes())
    with content.open.serving(), content.hidden.serving():
        yield content
        content.stop.set()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    directory = tmp_path_factory.mktemp("fetch-abuse")
    env = {
        "CLIPSCOPE_FETCH_ALLOW_HOSTS": "127.0.0.1",
        "CLIPSCOPE_FETCH_READ_TIMEOUT_S": "2",
        "CLIPSCOPE_FETCH_DEADLINE_S": str(DEADLINE_S),
        "CLIPSCOPE_FETCH_MIN_RATE_KBPS": "64",
        "CLIPSCOPE_MAX_UPLOAD_MB": str(LIMIT // 2**20),
        "CLIPSCOPE_RATE_LIMITS": "off",
    }
    with running_server(directory, **env) as base:
        yield base, directory / "uploads"


@pytest.fixture(scope="module")
def user(server: tuple[str, Path]) -> Client:
    return Client(server[0], "fetcher@example.com")


def _files_of(uploads: Path, job_id: str) -> list[Path]:
    return [path for path in files_under(uploads) if job_id in path.parts]


def test_a_dripping_server_is_cut_once_the_read_timeout_has_passed(
    user: Client, sites: Sites, server: tuple[str, Path]
) -> None:
    started = time.monotonic()
    job_id = user.submit_url(f"{sites.open.base}/drip.mp4").json()["job_id"]
    job = user.wait_for_end(job_id, timeout=30)
    assert job["status"] == "failed" and job["error"]["code"] == "fetch_failed", job["error"]
    assert "too slowly" in job["error"]["message"]
    # Before, it held its slot as long as the drip went on (up to the job timeout).
    assert time.monotonic() - started < 15
    assert _files_of(server[1], job_id) == []


def test_a_download_that_goes_on_fast_enough_still_ends_at_the_deadline(
    user: Client, sites: Sites, server: tuple[str, Path]
) -> None:
    started = time.monotonic()
    job_id = user.submit_url(f"{sites.open.base}/endless.mp4").json()["job_id"]
    job = user.wait_for_end(job_id, timeout=30)
    assert job["status"] == "failed" and job["error"]["code"] == "fetch_failed", job["error"]
    assert f"longer than the limit of {DEADLINE_S} seconds" in job["error"]["message"]
    assert time.monotonic() - started < 11  # the size limit alone would end it after ~13 s
    assert _files_of(server[1], job_id) == []


@pytest.mark.parametrize("path", ["/continue.mp4", "/header-drip.mp4"])
def test_a_server_that_never_ends_its_headers_is_cut_at_the_deadline(
    user: Client, sites: Sites, server: tuple[str, Path], path: str
) -> None:
    """No body byte ever arrives, so only a clock that runs beside the read can end these;
    before, each held its analysis slot up to the job timeout (and a cancel went unseen)."""
    started = time.monotonic()
    job_id = user.submit_url(f"{sites.open.base}{path}").json()["job_id"]
    job = user.wait_for_end(job_id, timeout=DEADLINE_S + 10)
    assert job["status"] == "failed" and job["error"]["code"] == "fetch_failed", job["error"]
    assert f"longer than the limit of {DEADLINE_S} seconds" in job["error"]["message"]
    assert time.monotonic() - started < DEADLINE_S + 5
    assert _files_of(server[1], job_id) == []


def test_a_cancel_cuts_a_fetch_that_is_still_reading_headers(
    user: Client, sites: Sites, server: tuple[str, Path]
) -> None:
    job_id = user.submit_url(f"{sites.open.base}/continue-watched.mp4").json()["job_id"]
    assert sites.watched_started.wait(15)
    started = time.monotonic()  # the fetch's deadline runs from before this
    assert user.post(f"/api/jobs/{job_id}/cancel").status_code == 202
    wait_for(lambda: bool(sites.watched_cut), DEADLINE_S + 2, "the connection to be cut")
    # Well before the deadline would have cut it: the cancel did.
    assert sites.watched_cut[0] < started + DEADLINE_S - 1, sites.watched_cut[0] - started
    assert user.job(job_id)["status"] == "cancelled"
    assert _files_of(server[1], job_id) == []


def test_a_gzip_bomb_is_unpacked_only_up_to_the_limit_and_leaves_nothing(
    user: Client, sites: Sites, server: tuple[str, Path]
) -> None:
    job_id = user.submit_url(f"{sites.open.base}/bomb.mp4").json()["job_id"]
    job = user.wait_for_end(job_id)
    assert job["status"] == "failed" and job["error"]["code"] == "too_large", job["error"]
    asked = [headers for path, headers in sites.open.requests if path == "/bomb.mp4"]
    assert asked[-1]["Accept-Encoding"] == "identity"
    assert _files_of(server[1], job_id) == []


def test_a_gzip_encoded_video_is_unpacked_and_analysed(
    user: Client, sites: Sites, small_video: Path
) -> None:
    job_id = user.submit_url(f"{sites.open.base}/gzipped.mp4").json()["job_id"]
    job = user.wait_for_end(job_id)
    assert job["status"] == "completed", job
    assert job["video"]["size_bytes"] == small_video.stat().st_size


def test_a_fetched_file_that_fails_its_analysis_is_removed_at_once(
    user: Client, sites: Sites, server: tuple[str, Path]
) -> None:
    job_id = user.submit_url(f"{sites.open.base}/broken.mp4").json()["job_id"]
    job = user.wait_for_end(job_id)
    assert job["status"] == "failed" and job["error"]["code"] == "invalid_video", job["error"]
    # Not kept for CLIPSCOPE_KEEP_SOURCE_HOURS: a site serving such bodies would fill the disk.
    assert _files_of(server[1], job_id) == []


def test_retrying_a_failed_url_job_fetches_the_url_again(
    user: Client, sites: Sites, small_video: Path
) -> None:
    """Its file was removed when it failed (above); a retry is not 410 `source_expired`."""
    job_id = user.submit_url(f"{sites.open.base}/broken-once.mp4").json()["job_id"]
    assert user.wait_for_end(job_id)["status"] == "failed"
    retried = user.post(f"/api/jobs/{job_id}/retry")
    assert retried.status_code == 202, retried.text
    job = user.wait_for_end(job_id)
    assert job["status"] == "completed", job
    assert job["video"]["size_bytes"] == small_video.stat().st_size
    assert sum(path == "/broken-once.mp4" for path, _ in sites.open.requests) == 2


def test_a_redirect_to_a_local_host_that_is_not_allowed_is_never_followed(
    user: Client, sites: Sites
) -> None:
    """Every hop is checked: the hidden host serves a video, so a fetch that checked only the
    first hop would complete; it must fail without the hidden host seeing a request."""
    job_id = user.submit_url(f"{sites.open.base}/to-hidden").json()["job_id"]
    job = user.wait_for_end(job_id)
    assert job["status"] == "failed" and job["error"]["code"] == "fetch_failed", job["error"]
    assert "private or local network" in job["error"]["message"]
    assert sites.hidden.requests == []


def test_a_redirect_to_an_ipv6_spelling_of_a_local_address_is_refused(
    user: Client, sites: Sites
) -> None:
    job_id = user.submit_url(f"{sites.open.base}/to-nat64").json()["job_id"]
    job = user.wait_for_end(job_id)
    assert job["status"] == "failed" and job["error"]["code"] == "fetch_failed", job["error"]
    assert "private or local network" in job["error"]["message"]


@pytest.mark.parametrize(
    "host",
    [
        "[::127.0.0.1]",  # v4-compatible
        "[::169.254.169.254]",
        "[::ffff:127.0.0.1]",  # v4-mapped
        "[::ffff:0:127.0.0.1]",  # SIIT
        "[64:ff9b::127.0.0.1]",  # NAT64
        "[64:ff9b:1::a00:1]",  # local-use NAT64
        "[2002:7f00:1::1]",  # 6to4 of 127.0.0.1
        "[2001:0:4136:e378:8000:63bf:80ff:fffe]",  # Teredo
        "[fec0::1]",  # site-local
    ],
)
def test_ipv6_spellings_of_local_addresses_are_refused_at_submit(user: Client, host: str) -> None:
    answer = user.submit_url(f"http://{host}:8080/clip.mp4")
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "url_not_allowed"
