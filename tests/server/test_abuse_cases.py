"""What an ordinary account (or anyone) could do to fool the service, over HTTP against `make run`:
shared caches, metric series, odd header numbers and ranges, odd forms, weak passwords."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.server.processes import running_server
from tests.server.sites import Client
from tests.uploads.helpers import TUS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"CLIPSCOPE_RATE_LIMITS": "off"}
    with running_server(tmp_path_factory.mktemp("abuse"), **env) as url:
        yield url


@pytest.fixture(scope="module")
def done(base: str, small_video: Path) -> tuple[Client, dict[str, Any]]:
    """A user and their completed job."""
    user = Client(base, "owner@example.com")
    with small_video.open("rb") as body:
        answer = user.post("/api/upload", files={"video": ("clip.mp4", body, "video/mp4")})
    job = user.wait_for_end(answer.json()["job_id"])
    assert job["status"] == "completed", job
    return user, job


def _private(response: requests.Response) -> None:
    cache = response.headers.get("Cache-Control", "")
    assert "private" in cache and "public" not in cache, (response.url, cache)
    assert "Authorization" in response.headers.get("Vary", ""), response.url


def test_per_user_answers_are_for_the_users_own_cache_only(
    base: str, done: tuple[Client, dict[str, Any]]
) -> None:
    user, job = done
    result = user.get(f"/api/jobs/{job['id']}/result").json()
    for path in (
        f"/api/jobs/{job['id']}/video",
        result["scenes"][0]["thumbnail_url"],
        f"/api/jobs/{job['id']}",
        f"/api/results/job/{job['id']}",
        f"/api/jobs/{job['id']}/result",
        "/api/jobs",
    ):
        answer = user.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        _private(answer)
    # Answers that carry a token are kept by no cache at all.
    for path in ("/api/auth/register", "/api/auth/login"):
        answer = requests.post(
            f"{base}{path}", json={"email": "nocache@example.com", "password": "blue-owl"}
        )
        assert answer.status_code in (200, 201), answer.text
        assert answer.headers["Cache-Control"] == "no-store"


def test_answers_that_carry_a_credential_are_kept_by_no_cache(
    base: str, done: tuple[Client, dict[str, Any]]
) -> None:
    user, job = done
    link = user.post(f"/api/jobs/{job['id']}/video-link")
    assert link.status_code == 200, link.text
    # Whoever holds the signed URL can watch the video for an hour, with no token.
    assert link.headers["Cache-Control"] == "no-store"
    assert requests.get(f"{base}{link.json()['url']}", timeout=10).status_code == 200

    changer = Client(base, "nostore-changer@example.com")
    changed = changer.post(
        "/api/auth/password",
        json={"current_password": "correct horse", "new_password": "violet lantern meadow"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("range_header", "status"),
    [
        ("bytes=0-0,1-1", 200),  # several ranges: the whole file (RFC 9110 allows ignoring)
        ("bytes=0-9,20-29", 200),
        ("bytes=abc", 200),  # invalid: ignored
        ("bytes=5-1", 200),
        ("bytes=\xb2-", 200),  # a Latin-1 superscript two is no digit
        ("items=0-9", 200),
        ("bytes=0-9", 206),
        ("bytes=-10", 206),
        ("bytes=999999999-", 416),  # valid but past the end
    ],
)
def test_ranges_are_served_or_ignored_as_rfc_9110_says(
    done: tuple[Client, dict[str, Any]], range_header: str, status: int
) -> None:
    user, job = done
    answer = user.get(f"/api/jobs/{job['id']}/video", headers={"Range": range_header})
    assert answer.status_code == status, answer.text[:200]
    size = job["video"]["size_bytes"]
    if status == 200:
        assert len(answer.content) == size
    elif status == 206:
        assert len(answer.content) == 10
        assert answer.headers["Content-Range"].endswith(f"/{size}")


def test_unknown_methods_and_paths_add_no_metric_series(base: str) -> None:
    methods = ["QWERTYUIOP", "ASDFGHJKL", "ZXCVBNMQ", "POIUYTREWQ"]
    for n, method in enumerate(methods):
        requests.request(method, f"{base}/api/health", timeout=10)
        requests.request(method, f"{base}/no/such/path/{n}", timeout=10)
        requests.get(f"{base}/guess-{n}", timeout=10)
    scrape = requests.get(f"{base}/metrics", headers={"Origin": "https://evil.test"}, timeout=10)
    assert scrape.status_code == 200
    assert not any(method in scrape.text for method in methods)
    assert "guess-" not in scrape.text and "/no/such/path" not in scrape.text
    assert 'method="other"' in scrape.text and 'route="other"' in scrape.text
    # A page in the operator's browser must not read it cross-origin.
    assert "Access-Control-Allow-Origin" not in scrape.headers


def test_header_numbers_are_ascii_digits_only(base: str) -> None:
    user = Client(base, "digits@example.com")
    # \xa0 and \x85 are Unicode whitespace that str.strip() would take away.
    for value in ("\xb2", "\xb9\xb2", "1\xb2", "+5", "0x10", "1e3", "\xa010", "10\xa0", "\x8510"):
        # As bytes: requests refuses a str value with leading (Unicode) whitespace.
        raw = value.encode("latin-1")
        answer = user.post("/api/uploads", headers={**TUS, "Upload-Length": raw})
        assert answer.status_code == 400, (value, answer.status_code, answer.text)
        assert answer.json()["error"]["code"] == "bad_request"
    created = user.post("/api/uploads", headers={**TUS, "Upload-Length": "10"})
    assert created.status_code == 201
    patch = requests.patch(
        f"{base}{created.headers['Location']}",
        headers={
            **user.headers,
            **TUS,
            "Upload-Offset": "\xb2",
            "Content-Type": "application/offset+octet-stream",
        },
        data=b"0123456789",
        timeout=10,
    )
    assert patch.status_code == 400, patch.text
    waited = user.get("/api/jobs/nope", headers={"Prefer": "wait=\xb2"})
    assert waited.status_code == 404  # the preference is ignored, the request answered


def test_a_tus_idempotency_key_reused_for_another_length_or_file_is_422(base: str) -> None:
    user = Client(base, "tuskey@example.com")
    key = {"Idempotency-Key": "same-key-1234"}
    first = user.post("/api/uploads", headers={**TUS, **key, "Upload-Length": "1000"})
    assert first.status_code == 201
    again = user.post("/api/uploads", headers={**TUS, **key, "Upload-Length": "1000"})
    assert again.status_code == 201 and again.headers["Location"] == first.headers["Location"]
    other = user.post("/api/uploads", headers={**TUS, **key, "Upload-Length": "2000"})
    assert other.status_code == 422, other.text
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    # The same length, another file (its name in Upload-Metadata): another upload too.
    renamed = {**TUS, **key, "Upload-Length": "1000", "Upload-Metadata": "filename b3RoZXIubXA0"}
    another = user.post("/api/uploads", headers=renamed)
    assert another.status_code == 422, another.text
    assert another.json()["error"]["code"] == "idempotency_key_reused"


def _form(boundary: str, parts: list[tuple[str, bytes]]) -> bytes:
    body = b""
    for disposition, content in parts:
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


@pytest.mark.parametrize("path", ["/api/upload", "/api/batches"])
def test_a_form_with_too_many_parts_is_400_not_file_too_large(base: str, path: str) -> None:
    user = Client(base, f"parts{path.replace('/', '-')}@example.com")
    boundary = "b0undary"
    body = _form(boundary, [(f'form-data; name="f{n}"', b"x") for n in range(60)])
    answer = user.post(
        path, data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "too_many_parts"


@pytest.mark.parametrize("path", ["/api/upload", "/api/batches"])
def test_a_part_whose_headers_never_end_is_400_not_file_too_large(base: str, path: str) -> None:
    user = Client(base, f"header{path.replace('/', '-')}@example.com")
    boundary = "b0undary"
    huge = 'form-data; name="video"; filename="' + "a" * (1024 * 1024 + 10) + '"'
    body = _form(boundary, [(huge, b"x")])
    answer = user.post(
        path, data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "part_headers_too_large"


def test_weak_and_common_passwords_are_refused(base: str) -> None:
    for password in ("aaaaaaaa", " " * 8, "12345678", "password", "qwertyuiop", "iloveyou1"):
        answer = requests.post(
            f"{base}/api/auth/register",
            json={"email": "weak@example.com", "password": password},
            timeout=10,
        )
        assert answer.status_code == 422, (password, answer.text)
        assert answer.json()["error"]["code"] == "weak_password"
        assert answer.json()["error"]["message"].endswith(".")
    user = Client(base, "changer@example.com")
    weak = user.post(
        "/api/auth/password",
        json={"current_password": "correct horse", "new_password": "qwertyuiop"},
    )
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "weak_password"
    strong = user.post(
        "/api/auth/password",
        json={"current_password": "correct horse", "new_password": "tulip-92 on the sill"},
    )
    assert strong.status_code == 200, strong.text


@pytest.mark.parametrize(
    "email", ["\x1b[2J\x1b[Hroot@example.com", "a\x07@example.com", "a\u202eb@example.com"]
)
def test_an_email_with_control_characters_is_refused(base: str, email: str) -> None:
    answer = requests.post(
        f"{base}/api/auth/register", json={"email": email, "password": "blue-owl"}, timeout=10
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "validation_error"
