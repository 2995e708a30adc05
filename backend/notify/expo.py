"""The Expo push API through exponent-server-sdk: one HTTP session per thread, errors sorted."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

import requests
from exponent_server_sdk import (
    DeviceNotRegisteredError,
    MessageRateExceededError,
    PushClient,
    PushMessage,
    PushServerError,
    PushTicketError,
)

from backend.notify.settings import PushSettings
from backend.notify.tokens import is_expo_token

_SDK_ACCEPTED_TOKEN = "ExponentPushToken[placeholder]"


class ExpoMessage(PushMessage):  # type: ignore[misc]
    """A PushMessage that also takes the newer ExpoPushToken[…] form."""

    __slots__ = ()

    def get_payload(self) -> dict[str, Any]:
        # The SDK's own check knows only ExponentPushToken[…]; check both forms here and let
        # the SDK map the other fields (channel_id -> channelId, …).
        if not is_expo_token(self.to):
            raise ValueError("Invalid push token")
        payload: dict[str, Any] = PushMessage.get_payload(self._replace(to=_SDK_ACCEPTED_TOKEN))
        payload["to"] = self.to
        return payload


class _TicketRef(NamedTuple):
    """What check_receipts_multiple reads from a ticket: its id."""

    id: str


class Verdict(StrEnum):
    OK = "ok"
    DEVICE_GONE = "device_gone"  # DeviceNotRegistered: deactivate the token
    RETRY = "retry"  # worth sending again later
    ERROR = "error"  # will not get better by retrying


@dataclass(frozen=True)
class Answer:
    """Expo's answer about one message, from its ticket or its receipt."""

    verdict: Verdict
    ticket_id: str = ""
    reason: str = ""


@dataclass(frozen=True)
class RequestFailure:
    """A whole request failed; `retryable` for 429, 5xx and network errors."""

    retryable: bool
    reason: str
    retry_after_s: float | None = None


class ExpoClient:
    """PushClient per calling thread: requests.Session is not safe to share between threads."""

    def __init__(self, settings: PushSettings) -> None:
        self.settings = settings
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def _client(self) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            session = requests.Session()
            # The SDK sets these only on a session it creates itself.
            session.headers.update(
                {
                    "accept": "application/json",
                    "accept-encoding": "gzip, deflate",
                    "content-type": "application/json",
                }
            )
            if self.settings.access_token:
                session.headers["Authorization"] = f"Bearer {self.settings.access_token}"
            client = PushClient(
                host=self.settings.host, session=session, timeout=self.settings.timeout_s
            )
            self._local.client = client
            with self._lock:
                self._sessions.append(session)
        return client

    def send(self, messages: Sequence[ExpoMessage]) -> list[Answer]:
        """One send request (at most 100 messages); raises on a failed request."""
        tickets = self._client().publish_multiple(list(messages))
        return [_judge(ticket) for ticket in tickets]

    def receipts(self, ticket_ids: Sequence[str]) -> dict[str, Answer]:
        """Receipts by ticket id; ids Expo has no receipt for (yet) are absent."""
        found = self._client().check_receipts_multiple([_TicketRef(i) for i in ticket_ids])
        return {receipt.id: _judge(receipt) for receipt in found}

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()


def _judge(answer: Any) -> Answer:
    """Sort a PushTicket or PushReceipt with the SDK's own validation."""
    ticket_id = str(getattr(answer, "id", "") or "")
    try:
        answer.validate_response()
    except DeviceNotRegisteredError as error:
        return Answer(Verdict.DEVICE_GONE, ticket_id, _reason(answer, error))
    except MessageRateExceededError as error:
        return Answer(Verdict.RETRY, ticket_id, _reason(answer, error))
    except PushTicketError as error:
        return Answer(Verdict.ERROR, ticket_id, _reason(answer, error))
    return Answer(Verdict.OK, ticket_id)


def _reason(answer: Any, error: PushTicketError) -> str:
    details = answer.details if isinstance(answer.details, dict) else {}
    code = details.get("error") or "error"
    return f"{code}: {error.message}"[:500]


def classify(error: Exception) -> RequestFailure:
    """Whether a failed request is worth retrying, and a reason to record."""
    if isinstance(error, PushServerError | requests.HTTPError):
        response = error.response
        status = int(getattr(response, "status_code", 0) or 0)
        detail = _server_detail(error)
        retryable = status == 429 or status >= 500 or 200 <= status < 300
        retry_after = _retry_after(response) if status == 429 else None
        return RequestFailure(retryable, f"HTTP {status}: {detail}"[:500], retry_after)
    if isinstance(error, requests.RequestException):
        return RequestFailure(True, f"network: {type(error).__name__}: {error}"[:500])
    if isinstance(error, ValueError):
        # The SDK raises ValueError for a message it refuses to build: retrying cannot help.
        return RequestFailure(False, f"invalid message: {error}"[:500])
    return RequestFailure(True, f"{type(error).__name__}: {error}"[:500])


def _server_detail(error: Exception) -> str:
    errors = getattr(error, "errors", None)
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return f"{first.get('code', 'error')} {first.get('message', '')}".strip()
    return str(getattr(error, "message", "") or error)


def _retry_after(response: Any) -> float | None:
    raw = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except ValueError:
        return None
