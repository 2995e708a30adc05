"""Bearer-token authentication for the views that need it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Flask, Request, Response, g, request
from flask.sessions import SessionInterface, SessionMixin

from backend.accounts import user_id_for_token
from backend.errors import Unauthorized
from backend.observability.requests import remember_user
from backend.services import services

P = ParamSpec("P")
R = TypeVar("R")


def bearer_token() -> str:
    """The request's bearer token, or 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Sign in first: send 'Authorization: Bearer <token>'.")
    return token.strip()


def signed_in(found: tuple[int, int] | None) -> int:
    """Record the (user id, token id) a live token resolved to, or answer 401 for None."""
    if found is None:
        raise Unauthorized(
            "This session has ended (signed out or unused for too long); sign in again."
        )
    g.user_id, g.token_id = found
    remember_user(g.user_id)
    return g.user_id  # type: ignore[no-any-return]


def auth_required(view: Callable[P, R]) -> Callable[P, R]:
    """Resolve the bearer token to g.user_id / g.token_id, or answer 401."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = bearer_token()
        with services().db.session() as session:
            signed_in(user_id_for_token(session, token, services().config.token_idle_days))
        return view(*args, **kwargs)

    return auth_checked_by_view(wrapper)


def auth_checked_by_view(view: Callable[P, R]) -> Callable[P, R]:
    """Mark a view that checks the bearer token itself (in its own query) as needing one."""
    view._auth_required = True  # type: ignore[attr-defined]
    return view


def current_user_id() -> int:
    user_id: int = g.user_id
    return user_id


class NoCookieSessions(SessionInterface):
    """No Flask session: clients authenticate with bearer tokens and no cookie is ever set.

    Flask's default opened (and verified the signature of) a cookie session on every request.
    """

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        return None  # Flask then hands out its null session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        return None
