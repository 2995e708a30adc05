"""Log lines: one per request with its id echoed, one per job transition, and no secrets."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from backend.observability.logs import ContextFilter, TextFormatter, _json_formatter, redact
from tests.helpers import AuthActions, upload_file


def _lines(caplog: pytest.LogCaptureFixture, kind: str) -> list[dict[str, object]]:
    """The captured records of one event kind, formatted as the JSON lines an operator reads."""
    formatter = _json_formatter()
    return [
        json.loads(formatter.format(record))
        for record in caplog.records
        if getattr(record, "event", None) == kind
    ]


def test_one_json_line_per_request_with_the_id_echoed(
    client: FlaskClient, auth: AuthActions, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    headers = auth.register()
    response = client.get("/api/jobs/nope", headers={**headers, "X-Request-ID": "phone-42.a:b"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "phone-42.a:b"

    line = [entry for entry in _lines(caplog, "request") if entry["request_id"] == "phone-42.a:b"]
    assert len(line) == 1
    entry = line[0]
    assert entry["method"] == "GET" and entry["route"] == "/api/jobs/<job_id>"
    assert entry["status"] == 404 and entry["error_code"] == "not_found"
    assert isinstance(entry["ms"], float) and entry["ms"] >= 0
    assert isinstance(entry["user_id"], int) and entry["user_id"] > 0
    assert entry["level"] == "INFO" and "time" in entry


def test_a_bad_request_id_is_replaced_by_a_fresh_one(client: FlaskClient) -> None:
    for bad in ("x" * 129, "two words", 'quote"d', "new\\nline"):
        echoed = client.get("/api/health", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert echoed != bad and len(echoed) == 32 and echoed.isalnum()
    first = client.get("/api/health").headers["X-Request-ID"]
    assert first != client.get("/api/health").headers["X-Request-ID"]


def test_job_transitions_are_logged(
    client: FlaskClient, auth: AuthActions, small_video: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    job_id = upload_file(client, auth.register(), small_video).get_json()["job_id"]
    lines = [entry for entry in _lines(caplog, "job") if entry["job_id"] == job_id]
    assert [(entry["from"], entry["to"]) for entry in lines] == [
        ("queued", "processing"),
        ("processing", "completed"),
    ]
    assert all(entry["attempt"] == 1 for entry in lines)
    assert all(isinstance(entry["ms"], float) and entry["ms"] >= 0 for entry in lines)


def test_no_token_or_password_reaches_a_log(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    body = {"email": "s@example.com", "password": "hunter2-secret"}
    token = client.post("/api/auth/register", json=body).get_json()["token"]
    client.get("/api/jobs", headers={"Authorization": f"Bearer {token}"})
    client.delete(
        "/api/push-tokens/ExponentPushToken[abcdefghijklmnop]",
        headers={"Authorization": f"Bearer {token}"},
    )
    logging.getLogger("clipscope.test").warning("retrying with Authorization: Bearer %s", token)
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    formatter = _json_formatter()
    written = "\n".join(
        formatter.format(record) for record in caplog.records if handler.filter(record)
    )
    assert written.count('"event": "request"') >= 3
    for secret in (token, "hunter2-secret", "abcdefghijklmnop"):
        assert secret not in written


def test_redaction_and_the_text_format() -> None:
    assert redact("Bearer abc.def-ghi") == "Bearer [redacted]"
    assert redact("to ExponentPushToken[xyz123]") == "to ExponentPushToken[…]"
    assert redact('{"password": "p4ss"}') == '{"password": "[redacted]"}'
    record = logging.LogRecord(
        "clipscope.request", logging.INFO, __file__, 1, "GET / 200", None, None
    )
    record.route, record.status = "/api/health", 200
    line = TextFormatter("%(levelname)s %(message)s").format(record)
    assert line == "INFO GET / 200 route=/api/health status=200"
