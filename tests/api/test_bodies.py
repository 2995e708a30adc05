"""Request bodies: JSON capped, forms with one video, names in any script."""

from __future__ import annotations

import io
from pathlib import Path

from flask.testing import FlaskClient

from tests.helpers import AuthActions


def test_a_json_body_over_64_kib_is_413_before_it_is_read(client: FlaskClient) -> None:
    body = b'{"email": "' + b"a" * (70 * 1024) + b'", "password": "x"}'
    response = client.post("/api/auth/login", data=body, content_type="application/json")
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "request_too_large"
    assert "64 KiB" in error["message"]


def test_a_chunked_json_body_over_64_kib_is_413(client: FlaskClient) -> None:
    body = io.BytesIO(b'{"email": "' + b"a" * (70 * 1024) + b'"}')
    response = client.post(
        "/api/auth/login",
        input_stream=body,
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413, response.get_json()
    assert response.get_json()["error"]["code"] == "request_too_large"


def test_a_small_json_body_still_works(client: FlaskClient, auth: AuthActions) -> None:
    auth.register("small@example.com", "a long password")
    response = client.post(
        "/api/auth/login", json={"email": "small@example.com", "password": "a long password"}
    )
    assert response.status_code == 200


def test_a_form_with_two_video_parts_is_400_and_stores_nothing(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    data = small_video.read_bytes()
    response = client.post(
        "/api/upload",
        data={"video": [(io.BytesIO(data), "a.mp4"), (io.BytesIO(data), "b.mp4")]},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "one video" in response.get_json()["error"]["message"]
    assert client.get("/api/jobs", headers=headers).get_json()["jobs"] == []


def test_a_non_ascii_file_name_keeps_its_name(
    client: FlaskClient, auth: AuthActions, small_video: Path
) -> None:
    headers = auth.register()
    names = {
        "%C3%A9t%C3%A9%20%C3%A0%20la%20plage.mp4": "été à la plage.mp4",
        "UTF-8''%E6%B5%B7%E8%BE%BA.mp4": "海辺.mp4",
        "attachment; filename*=UTF-8''%D0%BF%D0%BB%D1%8F%D0%B6.mp4": "пляж.mp4",
    }
    for n, (sent, shown) in enumerate(names.items()):
        response = client.post(
            "/api/upload",
            data=small_video.read_bytes() + bytes(n),  # distinct bytes: no dedup
            headers={**headers, "X-Filename": sent},
            content_type="video/mp4",
        )
        assert response.status_code == 202, response.get_json()
        assert response.get_json()["job"]["video"]["filename"] == shown
