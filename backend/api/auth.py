"""Accounts: register, log in, log out (one device or all), change the password."""

from __future__ import annotations

from flask import Blueprint, g
from flask.typing import ResponseReturnValue

from backend import accounts
from backend.api.limits import auth_limit, limiter
from backend.api.openapi import operation
from backend.api.schemas import AuthOut, Credentials, PasswordChange
from backend.api.security import auth_required, current_user_id
from backend.api.validation import json_body
from backend.models import User
from backend.services import services
from backend.timeutil import isoformat

bp = Blueprint("auth", __name__, url_prefix="/api/auth")


def _auth_answer(user: User, token: str) -> dict[str, object]:
    user_doc = {"id": user.id, "email": user.email, "created_at": isoformat(user.created_at)}
    return {"token": token, "user": user_doc}


@bp.post("/register")
@operation(
    "Create an account",
    body=Credentials,
    responses={201: AuthOut},
    refusals={422: "The password is too easy to guess (common, or a pattern)."},
)
@limiter.shared_limit(auth_limit, scope="auth")
def register() -> ResponseReturnValue:
    body = json_body(Credentials)
    with services().db.session() as session:
        user = accounts.register(session, body.email, body.password)
        token = accounts.issue_token(session, user)
    return _auth_answer(user, token), 201


@bp.post("/login")
@operation("Get a token", body=Credentials, responses={200: AuthOut})
@limiter.shared_limit(auth_limit, scope="auth")
def login() -> ResponseReturnValue:
    body = json_body(Credentials)
    with services().db.session() as session:
        user = accounts.authenticate(session, body.email, body.password)
        token = accounts.issue_token(session, user)
    return _auth_answer(user, token), 200


@bp.post("/logout")
@operation("Revoke the token in use", responses={204: None})
@auth_required
def logout() -> ResponseReturnValue:
    with services().db.session() as session:
        accounts.revoke_token(session, g.token_id)
    return "", 204


@bp.post("/logout-all")
@operation("Revoke every token of the account (sign out on every device)", responses={204: None})
@auth_required
def logout_all() -> ResponseReturnValue:
    with services().db.session() as session:
        accounts.revoke_all_tokens(session, current_user_id())
    return "", 204


@bp.post("/password")
@operation(
    "Change the password; every other token is revoked and a fresh one returned",
    body=PasswordChange,
    responses={200: AuthOut},
)
@auth_required
@limiter.shared_limit(auth_limit, scope="auth")
def change_password() -> ResponseReturnValue:
    body = json_body(PasswordChange)
    with services().db.session() as session:
        token = accounts.change_password(
            session, current_user_id(), body.current_password, body.new_password
        )
        user = session.get_one(User, current_user_id())
    return _auth_answer(user, token), 200
