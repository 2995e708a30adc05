"""POST/DELETE /api/push-tokens: both Expo forms, 422 for the rest, one account per device."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from backend.errors import ValidationFailed
from backend.models import PushToken
from backend.notify.tokens import register_token
from tests.helpers import AuthActions, services_of

TOKEN = "ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]"


def _owner(client: FlaskClient, token: str) -> tuple[int, bool] | None:
    with services_of(client.application).db.session() as session:
        row = session.execute(
            select(PushToken.user_id, PushToken.active).where(PushToken.token == token)
        ).first()
        return (row.user_id, row.active) if row else None


def _register(client: FlaskClient, headers: dict[str, str], token: str, **extra: object) -> int:
    response = client.post("/api/push-tokens", json={"token": token, **extra}, headers=headers)
    return response.status_code


@pytest.mark.parametrize("token", [TOKEN, "ExpoPushToken[abc-DEF_123]"])
def test_register_then_register_again(client: FlaskClient, auth: AuthActions, token: str) -> None:
    headers = auth.register()
    first = client.post(
        "/api/push-tokens", json={"token": token, "platform": "ios"}, headers=headers
    )
    assert first.status_code == 201
    body = first.get_json()
    assert body["token"] == token and body["platform"] == "ios" and body["active"] is True
    again = client.post(
        "/api/push-tokens", json={"token": token, "platform": "ios"}, headers=headers
    )
    assert again.status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "ExponentPushToken[]",
        "ExponentPushToken[abc",
        "ExponentPushToken[a b]",
        "fcm:ExponentPushToken[abc]",
        "ExponentPushToken[" + "x" * 300 + "]",
    ],
)
def test_anything_else_is_422(client: FlaskClient, auth: AuthActions, token: str) -> None:
    headers = auth.register()
    response = client.post("/api/push-tokens", json={"token": token}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


def test_bad_platform_and_missing_token_are_422(client: FlaskClient, auth: AuthActions) -> None:
    headers = auth.register()
    assert _register(client, headers, TOKEN, platform="symbian") == 422
    response = client.post("/api/push-tokens", json={"platform": "ios"}, headers=headers)
    assert response.status_code == 422


def test_a_token_is_needed(client: FlaskClient) -> None:
    response = client.post("/api/push-tokens", json={"token": TOKEN})
    assert response.status_code == 401
    assert client.delete(f"/api/push-tokens/{TOKEN}").status_code == 401


def test_registering_from_another_account_moves_the_token(
    client: FlaskClient, auth: AuthActions
) -> None:
    alice = auth.register("alice@example.com")
    bob = auth.register("bob@example.com")
    assert _register(client, alice, TOKEN) == 201
    alice_id = _owner(client, TOKEN)
    assert _register(client, bob, TOKEN) == 201
    moved = _owner(client, TOKEN)
    assert moved is not None and alice_id is not None and moved[0] != alice_id[0]
    assert moved[1] is True


def test_delete_forgets_only_the_users_own_token(client: FlaskClient, auth: AuthActions) -> None:
    alice = auth.register()
    mallory = auth.register()
    assert _register(client, alice, TOKEN) == 201
    assert client.delete(f"/api/push-tokens/{TOKEN}", headers=mallory).status_code == 204
    assert _owner(client, TOKEN) is not None
    assert client.delete(f"/api/push-tokens/{TOKEN}", headers=alice).status_code == 204
    assert _owner(client, TOKEN) is None
    assert client.delete(f"/api/push-tokens/{TOKEN}", headers=alice).status_code == 204


def test_register_token_for_the_upload_view(client: FlaskClient, auth: AuthActions) -> None:
    """The function the upload calls with its push_token/platform form fields."""
    auth.register()
    with services_of(client.application).db.session() as session:
        user_id = 1
        assert register_token(session, user_id, " " + TOKEN + "\n", "android") is True
        assert register_token(session, user_id, TOKEN, "") is False
        with pytest.raises(ValidationFailed):
            register_token(session, user_id, "not-a-token", "ios")
        with pytest.raises(ValidationFailed):
            register_token(session, user_id, TOKEN, "blackberry")
        platform = session.scalar(select(PushToken.platform).where(PushToken.token == TOKEN))
    assert platform == "android"  # a missing platform keeps the known one


def test_the_routes_are_in_the_openapi_document(client: FlaskClient) -> None:
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert set(paths["/api/push-tokens"]) == {"post"}
    assert set(paths["/api/push-tokens/{token}"]) == {"delete"}
    assert paths["/api/push-tokens"]["post"]["security"] == [{"bearer": []}]
