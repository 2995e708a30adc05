"""gunicorn's own refusals answered in the API's error shape (backend/server/refusals.py)."""

from __future__ import annotations

import json
import ssl

import pytest
from gunicorn.http import errors

from backend.server.refusals import refusal_for


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (errors.InvalidRequestLine("GET"), 400, "bad_request"),
        (errors.InvalidHeader("X-Nul"), 400, "bad_request"),
        (errors.InvalidChunkSize(b"zz"), 400, "bad_request"),
        (errors.InvalidProxyHeader("v2"), 400, "bad_request"),
        (errors.LimitRequestLine(5000, 4094), 414, "uri_too_long"),
        (errors.LimitRequestHeaders("too many"), 431, "headers_too_large"),
        (errors.ExpectationFailed("200-ok"), 417, "expectation_failed"),
        (errors.UnsupportedTransferCoding("gzip"), 501, "not_implemented"),
        (errors.ForbiddenProxyRequest("10.0.0.1"), 403, "forbidden"),
        (ssl.SSLError(1, "bad handshake"), 403, "forbidden"),
        (errors.ConfigurationProblem("bad"), 500, "internal_error"),
        (errors.InvalidResponseHeader("X-App"), 500, "internal_error"),  # the app's fault
        (RuntimeError("escaped the app"), 500, "internal_error"),
    ],
)
def test_each_refusal_has_its_status_and_code(error: BaseException, status: int, code: str) -> None:
    refusal = refusal_for(error)
    assert (refusal.status, refusal.code) == (status, code)
    head, _, body = refusal.answer().decode("latin-1").partition("\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ")
    assert "Connection: close" in head and "Content-Type: application/json" in head
    assert f"Content-Length: {len(body)}" in head
    assert json.loads(body) == {"error": {"code": code, "message": refusal.message}}


def test_only_the_clients_faults_are_logged_as_warnings() -> None:
    assert refusal_for(errors.InvalidRequestLine("x")).client_error
    assert not refusal_for(errors.InvalidResponseHeaderName("x")).client_error
    assert not refusal_for(KeyError("x")).client_error
