"""The real server, started exactly as `make run` starts it, driven over a socket."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import requests

from tests.helpers import wait_for
from tests.server.processes import signed_up
from tests.videos import make_video


@pytest.mark.slow
def test_make_run_serves_the_whole_flow(server: str, tmp_path: Path) -> None:
    http = requests.Session()
    http.headers.update(signed_up(server, "g@example.com"))

    video = make_video(tmp_path / "phone.mp4", seconds=2.0, cuts=(1.0,))
    with open(video, "rb") as handle:
        accepted = http.post(f"{server}/api/upload", files={"video": ("phone.mp4", handle)})
    assert accepted.status_code == 202
    job_url = server + accepted.headers["Location"]

    def finished() -> bool:
        return http.get(job_url, timeout=5).json()["status"] in {"completed", "failed"}

    wait_for(finished, timeout=60, what="the job to finish under gunicorn")
    result = http.get(f"{job_url}/result", timeout=5)
    assert result.status_code == 200
    assert result.json()["video"]["frame_count"] == 48

    missing = http.get(f"{server}/api/jobs/nope", timeout=5)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


@pytest.mark.slow
def test_an_upload_cut_off_mid_body_creates_nothing(server: str, tmp_path: Path) -> None:
    """Behind gunicorn a dropped connection looks like the end of the body: it must not pass."""
    http = requests.Session()
    authorization = signed_up(server, "cut@example.com")["Authorization"]
    video = make_video(tmp_path / "phone.mp4", seconds=2.0).read_bytes()
    host, port = server.removeprefix("http://").split(":")
    head = (
        f"POST /api/upload HTTP/1.1\r\nHost: {host}\r\nAuthorization: {authorization}\r\n"
        f"Content-Type: video/mp4\r\nX-Filename: cut.mp4\r\nIdempotency-Key: cut-1\r\n"
        f"Content-Length: {len(video)}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head + video[: len(video) // 2])
        sock.shutdown(socket.SHUT_WR)  # the phone lost its connection
        answer = sock.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 400"), answer[:200]
    http.headers["Authorization"] = authorization
    assert http.get(f"{server}/api/jobs", timeout=5).json()["jobs"] == []
    # The retry with the same key and the whole video is accepted, not refused as a reuse.
    retry = http.post(
        f"{server}/api/upload",
        data=video,
        headers={"Content-Type": "video/mp4", "X-Filename": "cut.mp4", "Idempotency-Key": "cut-1"},
    )
    assert retry.status_code == 202
