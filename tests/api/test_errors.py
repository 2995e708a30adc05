"""One error shape from every layer, Werkzeug's own errors included, and no stack traces."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient


def assert_error(response: object, status: int, code: str) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    body = response.get_json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"].endswith((".", "!", ")"))


def test_unknown_path_is_404_in_the_error_shape(client: FlaskClient) -> None:
    assert_error(client.get("/api/nope"), 404, "not_found")


def test_wrong_method_is_405_in_the_error_shape(client: FlaskClient) -> None:
    response = client.delete("/api/health")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_crash_is_500_without_a_trace(app: Flask) -> None:
    @app.get("/api/boom")
    def boom() -> str:
        raise RuntimeError("secret internals /etc/passwd")

    response = app.test_client().get("/api/boom")
    assert_error(response, 500, "internal_error")
    assert b"secret internals" not in response.data
    assert b"Traceback" not in response.data


def test_health(client: FlaskClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] is True
    assert body["queue_depth"] == 0


def test_cors_preflight_allows_the_app_headers(client: FlaskClient) -> None:
    response = client.options(
        "/api/upload",
        headers={"Origin": "http://localhost:8081", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Idempotency-Key" in response.headers["Access-Control-Allow-Headers"]
