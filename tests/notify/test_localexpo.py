"""The local Expo service answers exponent-server-sdk as Expo does, and fails on request."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from exponent_server_sdk import (
    DeviceNotRegisteredError,
    PushClient,
    PushMessage,
    PushServerError,
)

from localexpo import LocalExpo
from tests.helpers import wait_for

TOKEN = "ExponentPushToken[abcdefghijklmnopqrstuv]"


@pytest.fixture
def service() -> Iterator[LocalExpo]:
    with LocalExpo() as running:
        yield running


def _client(service: LocalExpo, **kwargs: Any) -> Any:
    return PushClient(host=service.url, timeout=5, **kwargs)


def test_send_then_receipts_round_trip(service: LocalExpo) -> None:
    client = _client(service)
    [ticket] = client.publish_multiple([PushMessage(to=TOKEN, title="t", body="b", data={"k": 1})])
    ticket.validate_response()
    assert ticket.id
    [receipt] = client.check_receipts_multiple([ticket])
    assert receipt.id == ticket.id and receipt.is_success()
    assert service.state.delivered == [{"to": TOKEN, "title": "t", "body": "b", "data": {"k": 1}}]


@pytest.mark.parametrize(("kind", "status"), [("429", 429), ("500", 500)])
def test_failures_raise_push_server_error(service: LocalExpo, kind: str, status: int) -> None:
    service.state.fail_next("send", kind)  # type: ignore[arg-type]
    with pytest.raises(PushServerError) as raised:
        _client(service).publish(PushMessage(to=TOKEN, body="b"))
    assert raised.value.response.status_code == status
    assert raised.value.errors[0]["code"]
    _client(service).publish(PushMessage(to=TOKEN, body="b")).validate_response()


def test_a_dropped_connection_is_a_network_error(service: LocalExpo) -> None:
    service.state.fail_next("receipts", "drop")
    [ticket] = _client(service).publish_multiple([PushMessage(to=TOKEN, body="b")])
    with pytest.raises(requests.ConnectionError):
        _client(service).check_receipts_multiple([ticket])
    assert [r.id for r in _client(service).check_receipts_multiple([ticket])] == [ticket.id]


def test_device_not_registered_ticket_and_receipt(service: LocalExpo) -> None:
    gone_now, gone_later = "ExponentPushToken[gone-now]", "ExpoPushToken[gone-later]"
    service.state.fail_ticket(gone_now)
    service.state.fail_receipt(gone_later)
    client = _client(service)
    # The SDK's PushMessage checks only the ExponentPushToken form; send raw for the other.
    now_ticket = client.publish(PushMessage(to=gone_now, body="b"))
    with pytest.raises(DeviceNotRegisteredError):
        now_ticket.validate_response()
    assert now_ticket.details == {"error": "DeviceNotRegistered", "expoPushToken": gone_now}
    raw = requests.post(
        f"{service.url}/--/api/v2/push/send", json=[{"to": gone_later, "body": "b"}], timeout=5
    ).json()
    ticket_id = raw["data"][0]["id"]
    receipts = requests.post(
        f"{service.url}/--/api/v2/push/getReceipts", json={"ids": [ticket_id]}, timeout=5
    ).json()
    assert receipts["data"][ticket_id]["details"]["error"] == "DeviceNotRegistered"


def test_expo_limits_are_enforced(service: LocalExpo) -> None:
    client = _client(service, max_message_count=101)
    with pytest.raises(PushServerError) as raised:
        client.publish_multiple([PushMessage(to=TOKEN, body="b")] * 101)
    assert raised.value.errors[0]["code"] == "PUSH_TOO_MANY_NOTIFICATIONS"
    [ticket] = client.publish_multiple([PushMessage(to=TOKEN, body="x" * 5000)])
    assert ticket.details == {"error": "MessageTooBig"}


def test_a_single_message_and_a_list_of_recipients(service: LocalExpo) -> None:
    one = requests.post(
        f"{service.url}/--/api/v2/push/send", json={"to": TOKEN, "body": "b"}, timeout=5
    ).json()
    assert one["data"]["status"] == "ok"
    many = requests.post(
        f"{service.url}/--/api/v2/push/send",
        json=[{"to": [TOKEN, "ExpoPushToken[other]"], "body": "b"}],
        timeout=5,
    ).json()
    assert [t["status"] for t in many["data"]] == ["ok", "ok"]


def test_run_as_a_process_with_its_control_api(tmp_path: Any) -> None:
    service = LocalExpo().start()
    port = service.port
    service.stop()
    process = subprocess.Popen(
        [sys.executable, "-m", "localexpo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            try:
                urllib.request.urlopen(f"{url}/_local/messages", timeout=1)
            except OSError:
                return False
            return True

        wait_for(up, timeout=10, what="python -m localexpo to listen")
        requests.post(f"{url}/_local/fail", json={"kind": "429", "times": 1}, timeout=5)
        client = PushClient(host=url, timeout=5)
        with pytest.raises(PushServerError):
            client.publish(PushMessage(to=TOKEN, body="b"))
        client.publish(PushMessage(to=TOKEN, body="b")).validate_response()
        messages = json.loads(urllib.request.urlopen(f"{url}/_local/messages").read())
        assert messages == {"messages": [{"to": TOKEN, "body": "b"}]}
    finally:
        process.terminate()
        process.wait(5)
        if process.stdout is not None:
            process.stdout.close()
