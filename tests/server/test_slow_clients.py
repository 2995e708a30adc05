"""Slow, stalled and malformed clients against the real server, started as `make run` does."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.helpers import wait_for
from tests.server import sockets
from tests.server.processes import running_server, signed_up
from tests.videos import make_video

pytestmark = pytest.mark.slow
IDLE_S = 2


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # Few threads, so that a handful of stalled clients is "more than the server has".
    directory = tmp_path_factory.mktemp("slow-server")
    with running_server(
        directory,
        GUNICORN_THREADS="4",
        CLIPSCOPE_BODY_IDLE_TIMEOUT_S=str(IDLE_S),
        CLIPSCOPE_MAX_UPLOAD_MB="1",
        CLIPSCOPE_RATE_LIMITS="off",
    ) as url:
        yield url


@pytest.fixture(scope="module")
def token(base: str) -> str:
    return signed_up(base, "slow@example.com")["Authorization"].removeprefix("Bearer ")


def connect(base: str) -> socket.socket:
    return sockets.connect(base, timeout=IDLE_S * 10)


def read_answer(sock: socket.socket) -> str:
    return sockets.read_until_closed(sock).decode("latin-1")


def uploads_left(base_dir: Path) -> list[Path]:
    return list(base_dir.rglob("*")) if base_dir.exists() else []


def test_stalled_bodies_beyond_the_threads_are_dropped_and_health_answers(base: str) -> None:
    # 2 workers x 4 threads; 12 anonymous logins that announce 60 kB and send 11 bytes.
    stalled = sockets.stalled_logins(base, 12, timeout=IDLE_S * 10)
    started = time.monotonic()
    assert requests.get(f"{base}/api/health", timeout=30).status_code == 200
    assert time.monotonic() - started < 20
    for sock in stalled:
        answer = read_answer(sock)
        assert answer.startswith("HTTP/1.1 408"), answer[:300]
        assert '"code": "request_timeout"' in answer.replace('":"', '": "')
        sock.close()


def test_a_request_head_that_stalls_frees_its_thread_after_the_idle_timeout(base: str) -> None:
    # The timeout holds from the request line on, not only for bodies the app reads.
    with connect(base) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")  # the head never ends
        started = time.monotonic()
        assert read_answer(sock) == ""  # nothing to answer: the connection just closes
        assert IDLE_S / 2 < time.monotonic() - started < IDLE_S * 5


def test_a_refused_body_that_is_not_sent_closes_the_connection_at_once(base: str) -> None:
    # The app answers 401 without reading the upload; gunicorn alone would wait 5 s for the
    # rest of the body before letting go of the thread (backend/server/worker.py, DRAIN_S).
    with connect(base) as sock:
        sock.sendall(
            b"POST /api/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n"
            b"Content-Type: video/mp4\r\nContent-Length: 1000000\r\n\r\n0123456789"
        )
        started = time.monotonic()
        answer = read_answer(sock)
        assert time.monotonic() - started < 2.5
    assert answer.startswith("HTTP/1.1 401"), answer[:300]


def test_a_slow_upload_that_keeps_arriving_is_never_cut(base: str, token: str) -> None:
    video = make_video(Path(f"/tmp/slow-{time.time_ns()}.mp4"), seconds=1.0).read_bytes()
    pieces = 8
    step = -(-len(video) // pieces)
    with connect(base) as sock:
        sock.sendall(
            f"POST /api/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: video/mp4\r\nX-Filename: slow.mp4\r\nConnection: close\r\n"
            f"Content-Length: {len(video)}\r\n\r\n".encode()
        )
        # Half the idle timeout between pieces: four idle timeouts in all, never one silent.
        for n in range(pieces):
            sock.sendall(video[n * step : (n + 1) * step])
            time.sleep(IDLE_S / 2)  # the client's pace, not a wait for the server
        answer = read_answer(sock)
    assert answer.startswith("HTTP/1.1 202"), answer[:300]


def test_a_chunked_body_cut_short_or_malformed_is_400(base: str, token: str) -> None:
    head = (
        f"POST /api/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: video/mp4\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    video = make_video(Path(f"/tmp/chunked-{time.time_ns()}.mp4"), seconds=1.0).read_bytes()
    with connect(base) as sock:
        sock.sendall(head + b"%x\r\n" % 4000 + video[:4000] + b"\r\n" + b"%x\r\n" % 9000)
        sock.sendall(video[4000:6000])
        sock.shutdown(socket.SHUT_WR)  # the phone lost its connection mid-chunk
        cut = read_answer(sock)
    assert cut.startswith("HTTP/1.1 400"), cut[:300]
    assert "ended before all of it arrived" in cut
    with connect(base) as sock:
        sock.sendall(head + b"zz\r\n" + video[:100])
        malformed = read_answer(sock)
    assert malformed.startswith("HTTP/1.1 400"), malformed[:300]
    assert '"error"' in malformed and "Traceback" not in malformed
    jobs = requests.get(f"{base}/api/jobs", headers={"Authorization": f"Bearer {token}"})
    assert [j["video"]["filename"] for j in jobs.json()["jobs"]] == ["slow.mp4"]


def test_a_chunked_upload_over_the_limit_is_413_and_leaves_nothing(
    base: str, token: str, tmp_path: Path
) -> None:
    video = make_video(tmp_path / "head.mp4", seconds=1.0).read_bytes()
    body = video + b"\0" * (3 * 1024 * 1024)  # a 1 MB limit, no Content-Length to check first
    with connect(base) as sock:
        sock.sendall(
            f"POST /api/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: video/mp4\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        for start in range(0, len(body), 65536):
            piece = body[start : start + 65536]
            try:
                sock.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break  # the server answered and closed while we were still sending
        answer = read_answer(sock)
    assert answer.startswith("HTTP/1.1 413"), answer[:300]
    assert "file_too_large" in answer
    jobs = requests.get(f"{base}/api/jobs", headers={"Authorization": f"Bearer {token}"})
    names = [j["video"]["filename"] for j in jobs.json()["jobs"]]
    assert "head.mp4" not in names


@pytest.mark.parametrize(
    ("request_head", "status", "code"),
    [
        (b"GET /api/health?" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
        (
            b"GET /api/health HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"b" * 9000 + b"\r\n\r\n",
            431,
            "headers_too_large",
        ),
        (b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Nul: a\0b\r\n\r\n", 400, "bad_request"),
    ],
)
def test_what_gunicorn_refuses_itself_comes_in_our_error_shape(
    base: str, request_head: bytes, status: int, code: str
) -> None:
    with connect(base) as sock:
        sock.sendall(request_head)
        answer = read_answer(sock)
    assert answer.startswith(f"HTTP/1.1 {status}"), answer[:300]
    head, _, body = answer.partition("\r\n\r\n")
    assert "Content-Type: application/json" in head
    assert f'"code": "{code}"' in body


def test_a_crashing_analysis_fails_its_job_and_the_server_goes_on(tmp_path: Path) -> None:
    video = make_video(tmp_path / "crash.mp4", seconds=1.0)
    with running_server(tmp_path, CLIPSCOPE_TEST_ANALYSIS_FAULT="abort") as url:
        http = requests.Session()
        http.headers.update(signed_up(url, "c@example.com"))
        with open(video, "rb") as handle:
            accepted = http.post(f"{url}/api/upload", files={"video": ("crash.mp4", handle)})
        job_url = url + accepted.headers["Location"]

        def failed() -> bool:
            return bool(http.get(job_url, timeout=5).json()["status"] == "failed")

        wait_for(failed, timeout=60, what="the job to fail")
        job = http.get(job_url, timeout=5).json()
        assert job["error"]["code"] == "analysis_crashed"
        assert http.get(f"{url}/api/health", timeout=5).status_code == 200
        assert http.get(f"{url}/api/jobs", timeout=5).status_code == 200
