"""Push tokens: the devices a user's job notifications go to."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from backend.api.openapi import operation
from backend.api.schemas import PushTokenIn, PushTokenOut
from backend.api.security import auth_required, current_user_id
from backend.api.validation import json_body
from backend.models import PushToken
from backend.notify.tokens import register_token, unregister_token
from backend.services import services
from backend.timeutil import isoformat

bp = Blueprint("push_tokens", __name__, url_prefix="/api/push-tokens")


@bp.post("")
@operation(
    "Register an Expo push token for the user (moves it from another account)",
    body=PushTokenIn,
    responses={201: PushTokenOut, 200: PushTokenOut},
)
@auth_required
def register() -> ResponseReturnValue:
    body = json_body(PushTokenIn)
    with services().db.session() as session:
        created = register_token(session, current_user_id(), body.token, body.platform)
        token = session.scalars(
            select(PushToken).where(
                PushToken.token == body.token.strip(), PushToken.user_id == current_user_id()
            )
        ).one()
        document = {
            "token": token.token,
            "platform": token.platform,
            "active": token.active,
            "created_at": isoformat(token.created_at),
            "registered_at": isoformat(token.registered_at),
        }
    return document, 201 if created else 200


@bp.delete("/<token>")
@operation("Forget a push token of the user", responses={204: None})
@auth_required
def forget(token: str) -> ResponseReturnValue:
    # 204 even when unknown: the app forgets its token on sign-out whatever the server has.
    with services().db.session() as session:
        unregister_token(session, current_user_id(), token)
    return "", 204
