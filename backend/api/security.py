"""Bearer-token authentication for the views that need it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, request

from backend.accounts import user_id_for_token
from backend.errors import Unauthorized
from backend.observability.requests import remember_user
from backend.services import services

P = ParamSpec("P")
R = TypeVar("R")


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def auth_required(view: Callable[P, R]) -> Callable[P, R]:
    """Resolve the bearer token to g.user_id / g.token_id, or answer 401."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _bearer_token()
        if token is None:
            raise Unauthorized("Sign in first: send 'Authorization: Bearer <token>'.")
        with services().db.session() as session:
            found = user_id_for_token(session, token, services().config.token_idle_days)
        if found is None:
            raise Unauthorized(
                "This session has ended (signed out or unused for too long); sign in again."
            )
        g.user_id, g.token_id = found
        remember_user(g.user_id)
        return view(*args, **kwargs)

    wrapper._auth_required = True  # type: ignore[attr-defined]
    return wrapper


def current_user_id() -> int:
    user_id: int = g.user_id
    return user_id
