"""What gunicorn refuses itself, before the app sees a request, in the API's one error shape.

gunicorn answers a request line too long, headers too large or a malformed request with an HTML
page of its own. The worker's error handler (worker.py, `handle_error`) answers with the JSON
below instead: the status gunicorn gives each of its errors, our code and message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from ssl import SSLError

from gunicorn.http.errors import (
    ConfigurationProblem,
    ExpectationFailed,
    ForbiddenProxyRequest,
    InvalidResponseHeader,
    InvalidResponseHeaderName,
    LimitRequestHeaders,
    LimitRequestLine,
    ParseException,
    UnsupportedTransferCoding,
)

from backend.error_body import error_body


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str
    code: str
    message: str
    # The client's fault: one warning line in the log, not a traceback.
    client_error: bool = True

    def answer(self) -> bytes:
        """The whole HTTP answer; the connection closes after it."""
        body = json.dumps(error_body(self.code, self.message)).encode()
        head = (
            f"HTTP/1.1 {self.status} {self.reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return head.encode("latin-1") + body


MALFORMED = Refusal(400, "Bad Request", "bad_request", "The request is malformed.")
INTERNAL = Refusal(
    500, "Internal Server Error", "internal_error", "Something went wrong on our side.", False
)

# First match wins, so the more specific classes come first. Statuses as gunicorn gives them.
_RULES: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], Refusal], ...] = (
    # A header the app tried to send is the app's fault (they subclass the request-side errors).
    ((InvalidResponseHeader, InvalidResponseHeaderName), INTERNAL),
    (LimitRequestLine, Refusal(414, "URI Too Long", "uri_too_long", "The address is too long.")),
    (
        LimitRequestHeaders,
        Refusal(
            431,
            "Request Header Fields Too Large",
            "headers_too_large",
            "The request headers are too large.",
        ),
    ),
    (
        ExpectationFailed,
        Refusal(
            417,
            "Expectation Failed",
            "expectation_failed",
            "The server cannot meet the request's Expect header.",
        ),
    ),
    (
        UnsupportedTransferCoding,
        Refusal(
            501,
            "Not Implemented",
            "not_implemented",
            "The server does not support this transfer coding.",
        ),
    ),
    (
        (ForbiddenProxyRequest, SSLError),
        Refusal(403, "Forbidden", "forbidden", "This request is not allowed."),
    ),
    # The server's configuration refuses the request: gunicorn counts it a client error.
    (ConfigurationProblem, Refusal(500, "Internal Server Error", INTERNAL.code, INTERNAL.message)),
    # Every other parse error (request line, method, version, header, chunk, proxy line).
    (ParseException, MALFORMED),
)


def refusal_for(error: BaseException) -> Refusal:
    """The answer to an error gunicorn met while reading or answering a request."""
    for kinds, refusal in _RULES:
        if isinstance(error, kinds):
            return refusal
    return INTERNAL  # anything else escaped the app: ours, not the client's
