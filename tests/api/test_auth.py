"""Accounts over HTTP: register, login, logout, and what bad input gets."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from backend.models import ApiToken, User
from tests.helpers import AuthActions, services_of


def test_register_login_logout(client: FlaskClient) -> None:
    creds = {"email": "Ana@Example.com", "password": "long enough"}
    created = client.post("/api/auth/register", json=creds)
    assert created.status_code == 201
    body = created.get_json()
    assert body["user"]["email"] == "ana@example.com"
    assert body["token"]

    login = client.post("/api/auth/login", json=creds)
    assert login.status_code == 200
    token = login.get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/jobs", headers=headers).status_code == 200

    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    after = client.get("/api/jobs", headers=headers)
    assert after.status_code == 401
    assert after.get_json()["error"]["code"] == "unauthorized"


def test_passwords_and_tokens_are_stored_hashed(app: Flask, client: FlaskClient) -> None:
    body = client.post(
        "/api/auth/register", json={"email": "b@example.com", "password": "s3cret-pass"}
    ).get_json()
    with services_of(app).db.session() as session:
        user = session.scalars(select(User)).one()
        hashes = session.scalars(select(ApiToken.token_hash)).all()
    assert "s3cret-pass" not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert body["token"] not in hashes and len(hashes) == 1


def test_duplicate_email_is_a_conflict(client: FlaskClient, auth: AuthActions) -> None:
    auth.register("same@example.com")
    again = client.post(
        "/api/auth/register", json={"email": "same@example.com", "password": "another one"}
    )
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "email_taken"


def test_wrong_password_is_401(client: FlaskClient, auth: AuthActions) -> None:
    auth.register("c@example.com", password="the right one")
    for email, password in (("c@example.com", "the wrong one"), ("nobody@example.com", "x" * 9)):
        response = client.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 401
        assert response.get_json()["error"]["message"] == "The email or password is wrong."


def test_invalid_bodies_get_readable_errors(client: FlaskClient) -> None:
    short = client.post("/api/auth/register", json={"email": "d@example.com", "password": "x"})
    assert short.status_code == 422
    error = short.get_json()["error"]
    assert error["code"] == "validation_error" and "password" in error["message"]

    not_json = client.post("/api/auth/register", data="hello", content_type="text/plain")
    assert not_json.status_code == 400
    assert not_json.get_json()["error"]["code"] == "bad_request"

    bad_email = client.post("/api/auth/register", json={"email": "nope", "password": "x" * 10})
    assert bad_email.status_code == 422


def test_malformed_authorization_header(client: FlaskClient) -> None:
    for header in ("Token abc", "Bearer", "Bearer not-a-token"):
        response = client.get("/api/jobs", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
