"""What the local Expo service received, and the failures it has been told to produce."""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Endpoint = Literal["send", "receipts"]
FailureKind = Literal["429", "500", "drop"]
FAILURE_KINDS: tuple[str, ...] = ("429", "500", "drop")


@dataclass(frozen=True)
class Received:
    """One request as it arrived: `at` is time.perf_counter() when its body was read."""

    endpoint: Endpoint
    at: float
    headers: dict[str, str]
    body: Any
    status: int  # what was answered; 0 for a dropped connection


@dataclass
class _Ticket:
    token: str
    message: dict[str, Any]
    receipt_error: str | None


@dataclass
class ExpoState:
    """Thread-safe: the HTTP threads write, tests read and wait on `changed`."""

    access_token: str | None = None
    requests: list[Received] = field(default_factory=list)
    # Messages Expo accepted (an "ok" ticket), in order: what the devices would get.
    delivered: list[dict[str, Any]] = field(default_factory=list)
    _failures: dict[str, deque[str]] = field(
        default_factory=lambda: {"send": deque(), "receipts": deque()}
    )
    _ticket_errors: dict[str, str] = field(default_factory=dict)
    _receipt_errors: dict[str, str] = field(default_factory=dict)
    _tickets: dict[str, _Ticket] = field(default_factory=dict)
    withhold_receipts: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    # --- what tests (or the control API) ask for ----------------------------------------

    def fail_next(self, endpoint: Endpoint, kind: FailureKind, times: int = 1) -> None:
        """Answer the next `times` requests to `endpoint` with this failure."""
        if kind not in FAILURE_KINDS:
            raise ValueError(f"kind must be one of {FAILURE_KINDS}")
        with self.changed:
            self._failures[endpoint].extend([kind] * times)

    def fail_ticket(self, token: str, error: str = "DeviceNotRegistered") -> None:
        """Every message to `token` gets an error ticket with this code."""
        with self.changed:
            self._ticket_errors[token] = error

    def fail_receipt(self, token: str, error: str = "DeviceNotRegistered") -> None:
        """Messages to `token` get an ok ticket, then an error receipt with this code."""
        with self.changed:
            self._receipt_errors[token] = error

    def reset(self) -> None:
        with self.changed:
            self.requests.clear()
            self.delivered.clear()
            for queue in self._failures.values():
                queue.clear()
            self._ticket_errors.clear()
            self._receipt_errors.clear()
            self._tickets.clear()
            self.withhold_receipts = False
            self.changed.notify_all()

    def wait_for(self, predicate: Callable[[ExpoState], bool], timeout: float = 10.0) -> bool:
        """Block until `predicate(self)` holds (re-checked on every request) or the timeout."""
        with self.changed:
            return self.changed.wait_for(lambda: predicate(self), timeout)

    def delivered_to(self, token: str) -> list[dict[str, Any]]:
        with self.changed:
            return [m for m in self.delivered if m.get("to") == token]

    def count(self, endpoint: Endpoint) -> int:
        with self.changed:
            return sum(1 for r in self.requests if r.endpoint == endpoint)

    # --- what the HTTP handler calls ----------------------------------------------------

    def next_failure(self, endpoint: Endpoint) -> str | None:
        with self.changed:
            queue = self._failures[endpoint]
            return queue.popleft() if queue else None

    def record(self, received: Received) -> None:
        with self.changed:
            self.requests.append(received)
            self.changed.notify_all()

    def ticket_for(self, token: str, message: dict[str, Any]) -> dict[str, Any]:
        """The ticket Expo answers for one message to one token, remembering ok ones."""
        with self.changed:
            error = self._ticket_errors.get(token)
            if error is not None:
                return error_answer(token, error)
            ticket_id = str(uuid.uuid4())
            self._tickets[ticket_id] = _Ticket(token, message, self._receipt_errors.get(token))
            self.delivered.append(message)
            return {"status": "ok", "id": ticket_id}

    def receipts_for(self, ids: list[str]) -> dict[str, Any]:
        """Receipts Expo has for these ids; like Expo, unknown ids are simply absent."""
        with self.changed:
            if self.withhold_receipts:
                return {}
            found: dict[str, Any] = {}
            for ticket_id in ids:
                ticket = self._tickets.get(ticket_id)
                if ticket is None:
                    continue
                if ticket.receipt_error is None:
                    found[ticket_id] = {"status": "ok"}
                else:
                    found[ticket_id] = error_answer(ticket.token, ticket.receipt_error)
            return found


MESSAGES = {
    "DeviceNotRegistered": "{token} is not a registered push notification recipient",
    "MessageTooBig": "Message too big",
    "MessageRateExceeded": "Message rate exceeded",
    "InvalidCredentials": "Invalid push notification credentials",
}


def error_answer(token: str, error: str) -> dict[str, Any]:
    """An error ticket or receipt, shaped as Expo's."""
    message = MESSAGES.get(error, error).format(token=f'"{token}"')
    details: dict[str, Any] = {"error": error}
    if error == "DeviceNotRegistered":
        details["expoPushToken"] = token
    return {"status": "error", "message": message, "details": details}


def now() -> float:
    return time.perf_counter()
