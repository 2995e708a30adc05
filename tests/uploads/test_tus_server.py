"""A real tus client (tuspy) against gunicorn started as `make run` does: cuts, kills, restarts."""

from __future__ import annotations

import hashlib
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from tusclient.client import TusClient

from tests.helpers import wait_for
from tests.uploads.helpers import OCTETS, TUS, checksum, metadata
from tests.uploads.server import Gunicorn, request_head
from tests.videos import make_video

CHUNK = 512 * 1024
pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Gunicorn]:
    running = Gunicorn(tmp_path, CLIPSCOPE_SWEEP_INTERVAL_S="1")
    running.start()
    try:
        yield running
    finally:
        running.kill(signal.SIGTERM)


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 2 s clip of about 2.4 MB: enough for several chunks."""
    path = tmp_path_factory.mktemp("tus") / "train.mp4"
    return make_video(path, seconds=2.0, width=320, height=240, noise=40, crf=10)


def _client(server: Gunicorn, headers: dict[str, str]) -> TusClient:
    return TusClient(f"{server.base}/api/uploads", headers=headers)


def _wait_for_job(server: Gunicorn, headers: dict[str, str], job_id: str) -> str:
    def status() -> str:
        response = requests.get(f"{server.base}/api/jobs/{job_id}", headers=headers, timeout=5)
        found: str = response.json()["status"]
        return found

    wait_for(lambda: status() in {"completed", "failed"}, timeout=90, what="the job to end")
    return status()


def _assert_job_is_the_file(server: Gunicorn, job_id: str, data: bytes) -> None:
    """The job's recorded sha256 and its stored source are the bytes the client had."""
    [(sha256, user_id, source_name)] = server.query(
        "SELECT sha256, user_id, source_name FROM jobs WHERE id = ?", job_id
    )
    expected = hashlib.sha256(data).hexdigest()
    assert sha256 == expected
    stored = server.upload_dir / str(user_id) / job_id / source_name
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == expected


def _data_file(server: Gunicorn, url: str) -> Path:
    [(user_id,)] = server.query(
        "SELECT user_id FROM tus_uploads WHERE id = ?", url.rsplit("/", 1)[1]
    )
    return server.upload_dir / "tus" / str(user_id) / url.rsplit("/", 1)[1] / "data"


def _half_patch(
    server: Gunicorn, url: str, headers: dict[str, str], offset: int, body: bytes, sent: int
) -> socket.socket:
    """A PATCH announcing `body` whose connection carries only its first `sent` bytes."""
    head = request_head(
        "PATCH",
        url.removeprefix(server.base),
        {**headers, **TUS, "Upload-Offset": str(offset), "Content-Type": OCTETS},
        len(body),
    )
    return server.send_part(head, body[:sent])


def test_tuspy_resumes_after_a_cut_mid_chunk_and_the_job_is_the_file(
    server: Gunicorn, video: Path
) -> None:
    headers = server.register("train@example.com")
    data = video.read_bytes()
    client = _client(server, headers)
    meta = {"filename": "train.mp4", "filetype": "video/mp4"}
    uploader = client.uploader(str(video), chunk_size=CHUNK, metadata=meta)
    uploader.upload(stop_at=2 * CHUNK)
    url = uploader.url
    assert url is not None and server.head_offset(url, headers) == 2 * CHUNK

    # The phone loses its connection in the middle of the next chunk.
    sock = _half_patch(server, url, headers, 2 * CHUNK, data[2 * CHUNK : 3 * CHUNK], 300_000)
    sock.shutdown(socket.SHUT_WR)
    sock.recv(65536)  # the server has seen the end of what arrived
    sock.close()
    assert server.head_offset(url, headers) == 2 * CHUNK + 300_000

    # It comes back: a new uploader for the same URL asks HEAD where to go on from.
    resumed = client.uploader(str(video), url=url, chunk_size=CHUNK)
    assert resumed.offset == 2 * CHUNK + 300_000
    resumed.upload()
    assert resumed.request is not None
    job_id = resumed.request.response_headers["clipscope-job-id"]

    answer = requests.get(url, headers={**headers, **TUS}, timeout=10)
    assert answer.status_code == 202 and answer.json()["job_id"] == job_id
    assert answer.json()["job"]["video"]["filename"] == "train.mp4"
    assert _wait_for_job(server, headers, job_id) == "completed"
    _assert_job_is_the_file(server, job_id, data)
    assert not (server.upload_dir / "tus" / "1" / url.rsplit("/", 1)[1]).exists()


def test_an_upload_resumes_across_restarts_of_the_server(server: Gunicorn, video: Path) -> None:
    headers = server.register("restart@example.com")
    data = video.read_bytes()
    keyed = {**headers, "Idempotency-Key": "clip-after-crash"}
    uploader = _client(server, keyed).uploader(str(video), chunk_size=CHUNK)
    uploader.upload(stop_at=CHUNK)
    url = uploader.url
    assert url is not None

    # kill -9 while a PATCH is in the middle of its body.
    sock = _half_patch(server, url, headers, CHUNK, data[CHUNK:], 900_000)
    data_file = _data_file(server, url)
    wait_for(lambda: data_file.stat().st_size >= CHUNK + 256 * 1024, what="bytes on disk")
    server.kill(signal.SIGKILL)
    sock.close()
    server.start()

    # The file on disk is the truth: the offset is every byte that reached it.
    offset = server.head_offset(url, headers)
    assert offset == data_file.stat().st_size
    assert CHUNK + 256 * 1024 <= offset <= CHUNK + 900_000
    # An app that lost the URL creates again with the same key and gets the same upload.
    again = requests.post(
        f"{server.base}/api/uploads",
        headers={**keyed, **TUS, "Upload-Length": str(len(data))},
        timeout=10,
    )
    assert again.status_code == 201 and again.headers["Upload-Offset"] == str(offset)
    assert server.base + again.headers["Location"] == url

    # A graceful stop between two chunks loses nothing either.
    resumed = _client(server, headers).uploader(str(video), url=url, chunk_size=CHUNK)
    resumed.upload(stop_at=offset + CHUNK)
    server.kill(signal.SIGTERM)
    server.start()
    finished = _client(server, headers).uploader(str(video), url=url, chunk_size=CHUNK)
    assert finished.offset == offset + CHUNK
    finished.upload()
    assert finished.request is not None
    job_id = finished.request.response_headers["clipscope-job-id"]
    assert _wait_for_job(server, headers, job_id) == "completed"
    _assert_job_is_the_file(server, job_id, data)


def test_a_key_reserved_by_a_killed_server_is_free_after_the_restart(
    server: Gunicorn, video: Path
) -> None:
    headers = server.register("crash@example.com")
    data = video.read_bytes()
    keyed = {**headers, "Idempotency-Key": "try-again-1", "Content-Type": "video/mp4"}
    sock = server.send_part(request_head("POST", "/api/upload", keyed, len(data)), data[:900_000])
    wait_for(
        lambda: any(p.stat().st_size >= 256 * 1024 for p in server.upload_dir.rglob("source.part")),
        what="the one-shot upload to be mid-body",
    )
    # Refused before its body is read: a short one keeps the connection from being reset.
    meanwhile = requests.post(
        f"{server.base}/api/upload", headers=keyed, data=data[:1000], timeout=30
    )
    assert meanwhile.status_code == 409  # the key is held by a live request
    server.kill(signal.SIGKILL)
    sock.close()
    server.start()

    retry = requests.post(f"{server.base}/api/upload", headers=keyed, data=data, timeout=30)
    assert retry.status_code == 202, retry.text
    assert _wait_for_job(server, headers, retry.json()["job_id"]) == "completed"


def test_auth_ownership_checksum_termination_and_expiry_over_the_wire(
    server: Gunicorn, video: Path
) -> None:
    owner, stranger = server.register("owner@example.com"), server.register("other@example.com")
    data = video.read_bytes()
    uploader = _client(server, owner).uploader(
        str(video), chunk_size=CHUNK, upload_checksum=True, metadata={"filename": "a.mp4"}
    )
    uploader.upload(stop_at=CHUNK)  # with a sha1 Upload-Checksum on every PATCH
    url = uploader.url
    assert url is not None and server.head_offset(url, owner) == CHUNK

    chunk = data[CHUNK : CHUNK + 1000]  # refused before it is read: kept short
    for anyone in ({}, stranger):
        expected = 401 if not anyone else 404
        with_tus = {**anyone, **TUS}
        assert requests.head(url, headers=with_tus, timeout=10).status_code == expected
        at_offset = {**with_tus, "Upload-Offset": str(CHUNK), "Content-Type": OCTETS}
        refused = requests.patch(url, headers=at_offset, data=chunk, timeout=10)
        assert refused.status_code == expected
        assert refused.json()["error"]["code"] == ("unauthorized" if not anyone else "not_found")
        assert requests.delete(url, headers=with_tus, timeout=10).status_code == expected
    created = requests.post(
        f"{server.base}/api/uploads", headers={**TUS, "Upload-Length": "10"}, timeout=10
    )
    assert created.status_code == 401 and created.json()["error"]["code"] == "unauthorized"

    lie = {
        **owner,
        **TUS,
        "Upload-Offset": str(CHUNK),
        "Content-Type": OCTETS,
        "Upload-Checksum": checksum("sha1", b"not these bytes"),
    }
    mismatch = requests.patch(url, headers=lie, data=data[CHUNK : 2 * CHUNK], timeout=10)
    assert mismatch.status_code == 460
    assert mismatch.json()["error"]["code"] == "checksum_mismatch"
    assert server.head_offset(url, owner) == CHUNK
    assert _data_file(server, url).stat().st_size == CHUNK

    data_dir = _data_file(server, url).parent
    assert requests.delete(url, headers={**owner, **TUS}, timeout=10).status_code == 204
    assert requests.head(url, headers={**owner, **TUS}, timeout=10).status_code == 404
    assert not data_dir.exists()

    # Expiry: an upload left unfinished past its time loses its bytes to the sweeper.
    left = requests.post(
        f"{server.base}/api/uploads",
        headers={
            **owner,
            **TUS,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": metadata(filename="left.mp4"),
            "Content-Type": OCTETS,
        },
        data=data[:CHUNK],
        timeout=10,
    )
    assert left.status_code == 201 and left.headers["Upload-Offset"] == str(CHUNK)
    left_url = server.base + left.headers["Location"]
    left_file = _data_file(server, left_url)
    assert left_file.exists()
    server.execute("UPDATE tus_uploads SET expires_at = '2000-01-01 00:00:00.000000'")
    wait_for(lambda: not left_file.parent.exists(), timeout=30, what="the sweeper")
    assert requests.head(left_url, headers={**owner, **TUS}, timeout=10).status_code == 404


def test_a_stalled_patch_is_dropped_after_the_idle_timeout_and_its_bytes_kept(
    tmp_path: Path, video: Path
) -> None:
    server = Gunicorn(tmp_path, CLIPSCOPE_BODY_IDLE_TIMEOUT_S="2")
    server.start()
    try:
        headers = server.register("tunnel@example.com")
        data = video.read_bytes()
        uploader = _client(server, headers).uploader(str(video), chunk_size=CHUNK)
        uploader.upload(stop_at=CHUNK)
        url = uploader.url
        assert url is not None
        # The phone goes into a tunnel: its connection stays open and sends nothing more.
        stalled = _half_patch(server, url, headers, CHUNK, data[CHUNK:], 300_000)
        stalled.settimeout(60)
        answer = stalled.recv(65536).decode("latin-1")  # the server gives up on it
        stalled.close()
        assert answer.startswith("HTTP/1.1 408"), answer[:200]
        # What the server had read is kept; the part of a 256 KiB read still in gunicorn's
        # buffer when the stall ended it is not (docs/uploads.md).
        offset = server.head_offset(url, headers)
        assert CHUNK + 256 * 1024 <= offset <= CHUNK + 300_000
        resumed = _client(server, headers).uploader(str(video), url=url, chunk_size=CHUNK)
        resumed.upload()
        assert resumed.request is not None
        job_id = resumed.request.response_headers["clipscope-job-id"]
        assert _wait_for_job(server, headers, job_id) == "completed"
        _assert_job_is_the_file(server, job_id, data)
    finally:
        server.kill(signal.SIGTERM)
