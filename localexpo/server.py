"""An Expo-compatible push service on 127.0.0.1: the two endpoints exponent-server-sdk calls."""

from __future__ import annotations

import gzip
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from localexpo.state import Endpoint, ExpoState, Received, now

SEND_PATH = "/--/api/v2/push/send"
RECEIPTS_PATH = "/--/api/v2/push/getReceipts"
MAX_MESSAGES = 100
MAX_RECEIPT_IDS = 1000
MAX_PAYLOAD_BYTES = 4096
TOKEN = re.compile(r"^(ExponentPushToken|ExpoPushToken)\[[^\[\]\s]+\]$")


def _errors(code: str, message: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message}]}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: ExpoState


class _Handler(BaseHTTPRequestHandler):
    # Keep-alive, as Expo does: the SDK's requests.Session reuses its connection.
    protocol_version = "HTTP/1.1"
    # Headers and body in one segment, sent at once: otherwise Nagle's algorithm and the
    # client's delayed ACK add ~40 ms to every answer, an artefact Expo does not have.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the tests read `state.requests`; a log line per request is noise

    # --- routing ------------------------------------------------------------------------

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == SEND_PATH:
            self._expo("send", self._send)
        elif path == RECEIPTS_PATH:
            self._expo("receipts", self._receipts)
        elif path.startswith("/_local/"):
            self._control(path)
        else:
            self._answer(404, _errors("NOT_FOUND", "Not found"))

    def do_GET(self) -> None:
        state = self.server.state
        if self.path == "/_local/requests":
            with state.changed:
                body = [
                    {"endpoint": r.endpoint, "status": r.status, "body": r.body}
                    for r in state.requests
                ]
            self._answer(200, {"requests": body})
        elif self.path == "/_local/messages":
            with state.changed:
                self._answer(200, {"messages": list(state.delivered)})
        else:
            self._answer(404, _errors("NOT_FOUND", "Not found"))

    # --- the Expo endpoints -------------------------------------------------------------

    def _expo(self, endpoint: Endpoint, handle: Any) -> None:
        state = self.server.state
        raw = self._read_body()
        at = now()
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            body: Any = json.loads(raw or b"null")
        except ValueError:
            body = None
        failure = state.next_failure(endpoint)
        if failure == "drop":
            state.record(Received(endpoint, at, headers, body, 0))
            self.close_connection = True  # no answer at all: the client sees a reset
            return
        if failure == "429":
            status, answer = (
                429,
                _errors(
                    "TOO_MANY_REQUESTS",
                    "You are sending too many requests; wait before trying again.",
                ),
            )
        elif failure == "500":
            status, answer = 500, _errors("INTERNAL_SERVER_ERROR", "An unknown error occurred.")
        elif state.access_token and headers.get("authorization") != (
            f"Bearer {state.access_token}"
        ):
            status, answer = (
                401,
                _errors("UNAUTHORIZED", "The bearer token is invalid; check your access token."),
            )
        elif body is None:
            status, answer = 400, _errors("VALIDATION_ERROR", "The body must be JSON.")
        else:
            status, answer = handle(body)
        state.record(Received(endpoint, at, headers, body, status))
        self._answer(status, answer)

    def _send(self, body: Any) -> tuple[int, dict[str, Any]]:
        single = isinstance(body, dict)
        messages = [body] if single else body
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            return 400, _errors("VALIDATION_ERROR", '"value" must be an object or an array.')
        recipients: list[tuple[str, dict[str, Any]]] = []
        for message in messages:
            to = message.get("to")
            tokens = to if isinstance(to, list) else [to]
            if not tokens or not all(isinstance(t, str) and TOKEN.match(t) for t in tokens):
                return 400, _errors(
                    "VALIDATION_ERROR", f'"to" must be an Expo push token, got {to!r}.'
                )
            recipients.extend((token, {**message, "to": token}) for token in tokens)
        if len(recipients) > MAX_MESSAGES:
            return 400, _errors(
                "PUSH_TOO_MANY_NOTIFICATIONS",
                f"You are trying to send more than {MAX_MESSAGES} push notifications in one "
                "request.",
            )
        tickets = [self._ticket(token, message) for token, message in recipients]
        return 200, {"data": tickets[0] if single and len(tickets) == 1 else tickets}

    def _ticket(self, token: str, message: dict[str, Any]) -> dict[str, Any]:
        payload = {k: v for k, v in message.items() if k != "to"}
        if len(json.dumps(payload).encode()) > MAX_PAYLOAD_BYTES:
            return {
                "status": "error",
                "message": "Message too big",
                "details": {"error": "MessageTooBig"},
            }
        return self.server.state.ticket_for(token, message)

    def _receipts(self, body: Any) -> tuple[int, dict[str, Any]]:
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return 400, _errors("VALIDATION_ERROR", '"ids" must be an array of strings.')
        if len(ids) > MAX_RECEIPT_IDS:
            return 400, _errors(
                "PUSH_TOO_MANY_RECEIPTS",
                f"You are trying to get more than {MAX_RECEIPT_IDS} push receipts in one request.",
            )
        return 200, {"data": self.server.state.receipts_for(ids)}

    # --- the control API (for a service run as a process) -------------------------------

    def _control(self, path: str) -> None:
        state = self.server.state
        try:
            body = json.loads(self._read_body() or b"{}")
            if path == "/_local/fail":
                state.fail_next(
                    body.get("endpoint", "send"), body["kind"], int(body.get("times", 1))
                )
            elif path == "/_local/fail-ticket":
                state.fail_ticket(body["token"], body.get("error", "DeviceNotRegistered"))
            elif path == "/_local/fail-receipt":
                state.fail_receipt(body["token"], body.get("error", "DeviceNotRegistered"))
            elif path == "/_local/reset":
                state.reset()
            else:
                self._answer(404, _errors("NOT_FOUND", "Not found"))
                return
        except (KeyError, ValueError, TypeError) as error:
            self._answer(400, _errors("VALIDATION_ERROR", str(error)))
            return
        self._answer(200, {"ok": True})

    # --- plumbing -----------------------------------------------------------------------

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            raw = gzip.decompress(raw)  # Expo's node SDK compresses large bodies
        return raw

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class LocalExpo:
    """The service, started in a background thread; `url` goes in CLIPSCOPE_EXPO_PUSH_URL."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, access_token: str | None = None
    ) -> None:
        self.state = ExpoState(access_token=access_token)
        self._server = _Server((host, port), _Handler)
        self._server.state = self.state
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = cast(str, self._server.server_address[0])
        return f"http://{host}:{self.port}"

    def start(self) -> LocalExpo:
        self._thread = threading.Thread(target=self.serve_forever, name="localexpo", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        # A short poll keeps stop() quick; the tests start and stop one service each.
        self._server.serve_forever(poll_interval=0.05)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> LocalExpo:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
