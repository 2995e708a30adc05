"""Expo push tokens: register (or move) one, forget one, deactivate a dead one."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from backend.errors import ValidationFailed
from backend.models import PushToken
from backend.notify.sql import upsert_insert
from backend.timeutil import utcnow

# Both forms Expo hands out; what is inside the brackets is Expo's business.
TOKEN_PATTERN = re.compile(r"^(ExponentPushToken|ExpoPushToken)\[[^\[\]\s]{1,200}\]$")
PLATFORMS = frozenset({"ios", "android", "web"})


def is_expo_token(token: object) -> bool:
    return isinstance(token, str) and TOKEN_PATTERN.fullmatch(token) is not None


def register_token(session: Session, user_id: int, token: str, platform: str | None) -> bool:
    """Make `token` an active token of the user; True when the user did not have it yet."""
    token = token.strip()
    platform = platform or None  # an empty form field means "not said"
    if not is_expo_token(token):
        raise ValidationFailed(
            "push_token must be an Expo push token: ExponentPushToken[…] or ExpoPushToken[…]."
        )
    if platform is not None and platform not in PLATFORMS:
        raise ValidationFailed("platform must be one of ios, android or web.")
    known = session.execute(
        select(PushToken.user_id, PushToken.active).where(PushToken.token == token)
    ).first()
    now = utcnow()
    # One statement whatever happened before: two devices racing to register the same token
    # (or a retry) cannot trip the unique constraint. Re-registering revives a dead token.
    statement = upsert_insert(session, PushToken).values(
        token=token,
        user_id=user_id,
        platform=platform,
        active=True,
        created_at=now,
        registered_at=now,
    )
    updates: dict[str, object] = {
        "user_id": statement.excluded.user_id,
        "active": True,
        "registered_at": now,
        "deactivated_at": None,
        "deactivated_reason": None,
    }
    if platform is not None:
        updates["platform"] = platform
    session.execute(statement.on_conflict_do_update(index_elements=["token"], set_=updates))
    return known is None or known.user_id != user_id or not known.active


def unregister_token(session: Session, user_id: int, token: str) -> bool:
    """Forget the user's token; another user's token is left alone. True if one was removed."""
    result = session.execute(
        delete(PushToken).where(PushToken.token == token, PushToken.user_id == user_id)
    )
    return bool(getattr(result, "rowcount", 0))


def deactivate_token(
    session: Session, token_id: int, reason: str, *, registered_before: datetime
) -> bool:
    """Stop using a token Expo reports dead, unless the app registered it again since."""
    result = session.execute(
        update(PushToken)
        .where(
            PushToken.id == token_id,
            PushToken.active.is_(True),
            PushToken.registered_at <= registered_before,
        )
        .values(active=False, deactivated_at=utcnow(), deactivated_reason=reason[:200])
    )
    return bool(getattr(result, "rowcount", 0))
