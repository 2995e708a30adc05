"""Status polls on a real `make run` server: ETag and 304, revocation seen by every worker,
and 503 overloaded past capacity (also before a thread parses them) with the health check still
answering."""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections import Counter
from pathlib import Path
from typing import BinaryIO, NamedTuple

import pytest
import requests

from tests.helpers import wait_for
from tests.server.processes import running_server, signed_up, start_server, stop_server


def email_bytes(headers: dict[str, str]) -> bytes:
    return headers["Authorization"].encode()  # a distinct file per user: no deduplication


def _upload(base: str, headers: dict[str, str], tail: bytes) -> requests.Response:
    # An MP4 header and then garbage: the job fails within moments, and nothing analyses while
    # the test polls.
    broken = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40 + tail
    return requests.post(
        f"{base}/api/upload", files={"video": ("broken.mp4", broken)}, headers=headers, timeout=30
    )


def _job(base: str, headers: dict[str, str]) -> str:
    answer = _upload(base, headers, email_bytes(headers))
    assert answer.status_code == 202, answer.text
    job_url = f"{base}/api/jobs/{answer.json()['job_id']}"

    def ended() -> bool:  # so that it no longer changes while the test looks at it
        return bool(requests.get(job_url, headers=headers, timeout=10).json()["status"] == "failed")

    wait_for(ended, timeout=60, what="the broken upload's job to fail")
    return str(answer.json()["job_id"])


@pytest.mark.slow
def test_an_unchanged_job_answers_304_and_a_revoked_token_is_refused_by_every_worker(
    tmp_path: Path,
) -> None:
    with running_server(tmp_path) as base:
        headers = signed_up(base, "poll@example.com")
        job_id = _job(base, headers)
        url = f"{base}/api/jobs/{job_id}"

        first = requests.get(url, headers=headers, timeout=10)
        etag = first.headers["ETag"]
        assert first.status_code == 200 and etag.startswith('"')
        again = requests.get(url, headers={**headers, "If-None-Match": etag}, timeout=10)
        assert again.status_code == 304 and again.content == b""
        assert again.headers["ETag"] == etag
        # Another version, or the other document of the same job: the whole body again.
        stale = requests.get(url, headers={**headers, "If-None-Match": '"old"'}, timeout=10)
        assert stale.status_code == 200 and stale.json() == first.json()
        results = requests.get(f"{base}/api/results/job/{job_id}", headers=headers, timeout=10)
        assert results.headers["ETag"] != etag
        # A job that changes (deleted here) answers something else, never 304.
        assert requests.delete(url, headers=headers, timeout=10).status_code == 204
        gone = requests.get(url, headers={**headers, "If-None-Match": etag}, timeout=10)
        assert gone.status_code == 404

        # Each poll on a new connection: the two workers take turns (tests/server/test_spread).
        other = signed_up(base, "poll2@example.com")
        other_job = f"{base}/api/jobs/{_job(base, other)}"
        assert all(
            requests.get(other_job, headers=other, timeout=10).status_code == 200 for _ in range(6)
        )
        assert requests.post(f"{base}/api/auth/logout", headers=other).status_code == 204
        after = Counter(
            requests.get(other_job, headers=other, timeout=10).status_code for _ in range(6)
        )
        assert after == {401: 6}


@pytest.mark.slow
def test_past_capacity_polls_are_refused_at_once_and_health_keeps_answering(
    tmp_path: Path,
) -> None:
    # One worker and a 1 ms bound: a few dozen polls at once are more than it takes.
    with running_server(tmp_path, WEB_CONCURRENCY="1", CLIPSCOPE_QUEUE_MAX_MS="1") as base:
        headers = signed_up(base, "busy@example.com")
        url = f"{base}/api/jobs/{_job(base, headers)}"
        answers: list[requests.Response] = []
        health: list[tuple[int, float]] = []
        stop = threading.Event()

        def phone() -> None:
            with requests.Session() as http:
                for _ in range(15):
                    answers.append(http.get(url, headers=headers, timeout=30))

        def probe() -> None:
            while not stop.is_set():
                started = time.monotonic()
                status = requests.get(f"{base}/api/health", timeout=5).status_code
                health.append((status, time.monotonic() - started))

        prober = threading.Thread(target=probe)
        prober.start()
        phones = [threading.Thread(target=phone) for _ in range(48)]
        for thread in phones:
            thread.start()
        for thread in phones:
            thread.join()
        stop.set()
        prober.join()

        statuses = Counter(answer.status_code for answer in answers)
        assert set(statuses) == {200, 503}, statuses
        refused = [answer for answer in answers if answer.status_code == 503]
        for answer in refused:
            assert answer.json()["error"]["code"] == "overloaded"
            assert int(answer.headers["Retry-After"]) > 0
        assert health and all(status == 200 and took < 1.0 for status, took in health), health
        # Nothing was lost: once the burst is over the job answers as before.
        assert requests.get(url, headers=headers, timeout=10).status_code == 200
        # An operator sees the shedding (the app never saw those requests).
        scrape = requests.get(f"{base}/metrics", timeout=10).text
        assert f"clipscope_http_shed_total {float(len(refused))}" in scrape


class Answer(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes


def read_answer(stream: BinaryIO, head_only: bool) -> Answer:
    """One whole HTTP/1.1 answer from a kept-alive connection, read strictly to its end."""
    status_line = stream.readline()
    assert status_line.startswith(b"HTTP/1.1 "), f"closed or garbled instead: {status_line!r}"
    headers = {}
    while (line := stream.readline()) != b"\r\n":
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = 0 if head_only else int(headers.get("content-length", "0"))
    body = stream.read(length)
    assert len(body) == length, "the connection ended inside an answer"
    return Answer(int(status_line.split()[1]), headers, body)


@pytest.mark.slow
def test_a_flood_of_kept_alive_polls_is_refused_unread_and_nothing_else_suffers(
    tmp_path: Path,
) -> None:
    # One worker, a 1 ms bound and dozens of phones polling flat out on kept-alive connections:
    # most polls are refused by the worker's event loop before any thread parses them.
    server = start_server(tmp_path, WEB_CONCURRENCY="1", CLIPSCOPE_QUEUE_MAX_MS="1")
    try:
        base, port = server.base, int(server.base.rsplit(":", 1)[1])
        headers = signed_up(base, "flood@example.com")
        job_id = _job(base, headers)
        path = f"/api/jobs/{job_id}"
        before = requests.get(f"{base}{path}", headers=headers, timeout=10)
        etag = before.headers["ETag"]
        poll = f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: {headers['Authorization']}\r\n"
        # A plain poll, one with the ETag the app has, a HEAD; and two in one write (pipelined).
        kinds = [
            [(poll + "\r\n", False)],
            [(poll + f"If-None-Match: {etag}\r\n\r\n", False)],
            [(poll.replace("GET", "HEAD", 1) + "\r\n", True)],
            [(poll + "\r\n", False), (poll + f"If-None-Match: {etag}\r\n\r\n", False)],
        ]
        answers: list[tuple[Answer, bool]] = []
        failures: list[BaseException] = []
        health: list[tuple[int, float]] = []
        uploads: list[requests.Response] = []
        uploaded = threading.Event()

        def phone(n: int) -> None:
            sock = socket.create_connection(("127.0.0.1", port), timeout=30)
            try:
                for sent in itertools.count():
                    if sent >= 40 and uploaded.is_set():
                        return
                    batch = kinds[(n + sent) % len(kinds)]
                    sock.sendall(b"".join(request.encode() for request, _ in batch))
                    stream = sock.makefile("rb")
                    for _, head_only in batch:
                        answer = read_answer(stream, head_only)
                        answers.append((answer, head_only))
                        # A new connection's first request refused: the rest is sent again.
                        if answer.headers.get("connection") == "close":
                            sock.close()
                            sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                            break
                    stream.close()
            except BaseException as error:  # a reset, an early close, a garbled answer
                failures.append(error)
            finally:
                sock.close()

        def probe() -> None:
            while not all_done.is_set():
                started = time.monotonic()
                status = requests.get(f"{base}/api/health", timeout=5).status_code
                health.append((status, time.monotonic() - started))

        def upload() -> None:
            for n in range(3):
                other = {**headers, "Authorization": headers["Authorization"] + str(n)}
                uploads.append(_upload(base, headers, email_bytes(other)))
            uploaded.set()

        all_done = threading.Event()
        prober = threading.Thread(target=probe)
        prober.start()
        phones = [threading.Thread(target=phone, args=(n,)) for n in range(32)]
        for thread in [*phones, threading.Thread(target=upload)]:
            thread.start()
        for thread in phones:
            thread.join()
        all_done.set()
        prober.join()

        assert failures == []
        statuses = Counter(answer.status for answer, _ in answers)
        assert set(statuses) <= {200, 304, 503} and statuses[503] and statuses[200], statuses
        for answer, head_only in answers:
            if answer.status == 503:
                assert int(answer.headers["retry-after"]) > 0
                assert answer.headers["content-type"] == "application/json"
                if not head_only:
                    assert json.loads(answer.body)["error"]["code"] == "overloaded"
            elif answer.status == 200 and not head_only:
                assert json.loads(answer.body) == before.json()
        assert health and all(status == 200 and took < 1.0 for status, took in health), health
        # The uploads beside the flood were all taken, and their jobs and the polled one are
        # intact.
        assert [answer.status_code for answer in uploads] == [202] * 3
        for answer in uploads:
            job = requests.get(f"{base}{answer.headers['Location']}", headers=headers, timeout=10)
            assert job.status_code == 200 and job.json()["id"] == answer.json()["job_id"]
        again = requests.get(f"{base}{path}", headers={**headers, "If-None-Match": etag})
        assert again.status_code == 304
        # Every refusal is counted once, whichever layer made it, and the operator's log says
        # that polls were refused unread (the app never saw them).
        scrape = requests.get(f"{base}/metrics", timeout=10).text
        assert f"clipscope_http_shed_total {float(statuses[503])}" in scrape
        assert "polls unread" in server.log_path.read_text()
    finally:
        stop_server(server)
