"""Sessions that end: idle tokens expire, logout-all, and a password change revokes tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import backend.accounts as accounts_module
from backend.models import ApiToken
from backend.timeutil import utcnow
from tests.helpers import services_of

CREDS = {"email": "ana@example.com", "password": "first password"}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _login(client: FlaskClient, password: str = CREDS["password"]) -> dict[str, str]:
    response = client.post("/api/auth/login", json={**CREDS, "password": password})
    assert response.status_code == 200, response.get_json()
    return _bearer(response.get_json()["token"])


def _works(client: FlaskClient, headers: dict[str, str]) -> bool:
    status = client.get("/api/jobs", headers=headers).status_code
    assert status in (200, 401)
    return status == 200


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], None]:
    """Move the clock the token checks read forward by a given amount."""
    offset = [timedelta(0)]
    monkeypatch.setattr(accounts_module, "utcnow", lambda: utcnow() + offset[0])

    def advance(by: timedelta) -> None:
        offset[0] += by

    return advance


def test_an_idle_token_expires_and_use_keeps_it_alive(
    make_app: Callable[..., Flask], clock: Callable[[timedelta], None]
) -> None:
    client = make_app(token_idle_days=30).test_client()
    client.post("/api/auth/register", json=CREDS)
    used, idle = _login(client), _login(client)

    clock(timedelta(days=29))
    assert _works(client, used)  # day 29: still fresh, and this use renews it
    clock(timedelta(days=2))
    assert not _works(client, idle)  # day 31, unused since day 0
    refused = client.get("/api/jobs", headers=idle)
    assert refused.get_json()["error"]["code"] == "unauthorized"
    assert "sign in again" in refused.get_json()["error"]["message"]
    assert _works(client, used)  # used 2 days ago
    clock(timedelta(days=31))
    assert not _works(client, used)  # 31 days after its last use


def test_last_use_is_written_at_most_once_an_hour(
    app: Flask, client: FlaskClient, clock: Callable[[timedelta], None]
) -> None:
    client.post("/api/auth/register", json=CREDS)
    headers = _login(client)

    def last_used() -> list[datetime]:
        with services_of(app).db.session() as session:
            return list(session.scalars(select(ApiToken.last_used_at).order_by(ApiToken.id)))

    before = last_used()
    clock(timedelta(minutes=50))
    assert _works(client, headers) and _works(client, headers)
    assert last_used() == before
    clock(timedelta(minutes=20))
    assert _works(client, headers)
    after = last_used()
    assert after[0] == before[0]  # the register token was not used
    assert after[1] - before[1] >= timedelta(hours=1)


def test_logout_all_revokes_every_token(client: FlaskClient) -> None:
    register = client.post("/api/auth/register", json=CREDS)
    phone, tablet = _bearer(register.get_json()["token"]), _login(client)
    assert _works(client, phone) and _works(client, tablet)

    assert client.post("/api/auth/logout-all", headers=tablet).status_code == 204
    assert not _works(client, phone) and not _works(client, tablet)
    assert client.post("/api/auth/logout-all", headers=tablet).status_code == 401
    assert _works(client, _login(client))  # signing in again still works


def test_password_change_needs_the_current_password_and_revokes_every_token(
    client: FlaskClient,
) -> None:
    phone = _bearer(client.post("/api/auth/register", json=CREDS).get_json()["token"])
    laptop = _login(client)

    wrong = client.post(
        "/api/auth/password",
        json={"current_password": "not it at all", "new_password": "second password"},
        headers=laptop,
    )
    assert wrong.status_code == 403
    assert wrong.get_json()["error"] == {
        "code": "wrong_password",
        "message": "The current password is wrong.",
    }
    assert _works(client, phone) and _works(client, laptop)

    changed = client.post(
        "/api/auth/password",
        json={"current_password": CREDS["password"], "new_password": "second password"},
        headers=laptop,
    )
    assert changed.status_code == 200
    body = changed.get_json()
    assert body["user"]["email"] == CREDS["email"]
    fresh = _bearer(body["token"])
    assert not _works(client, phone) and not _works(client, laptop)
    assert _works(client, fresh)
    old = client.post("/api/auth/login", json=CREDS)
    assert old.status_code == 401
    assert _works(client, _login(client, "second password"))


def test_password_change_validates_its_body(client: FlaskClient) -> None:
    headers = _bearer(client.post("/api/auth/register", json=CREDS).get_json()["token"])
    short = client.post(
        "/api/auth/password",
        json={"current_password": CREDS["password"], "new_password": "short"},
        headers=headers,
    )
    assert short.status_code == 422
    assert "new_password" in short.get_json()["error"]["message"]
    anonymous = client.post(
        "/api/auth/password", json={"current_password": "x", "new_password": "y" * 10}
    )
    assert anonymous.status_code == 401
