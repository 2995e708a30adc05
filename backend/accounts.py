"""Accounts and bearer tokens: hashing, issuing, checking and revoking."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from backend.errors import ApiError, Unauthorized
from backend.models import ApiToken, User
from backend.passwords import check_new_password
from backend.timeutil import utcnow

# Checked against a real hash when the email is unknown, so timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


# Built once: every authenticated request runs it.
_LIVE_TOKEN = select(ApiToken.user_id, ApiToken.id, ApiToken.last_used_at).where(
    ApiToken.token_hash == bindparam("token_hash"),
    ApiToken.revoked_at.is_(None),
    ApiToken.last_used_at > bindparam("idle_cutoff"),
)

# How stale last_used_at may get before a request writes it again: one write an hour per
# token instead of one per request, at most an hour of error on a limit counted in days.
TOUCH_EVERY = timedelta(hours=1)


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough (unlike passwords).
    return hashlib.sha256(token.encode()).hexdigest()


def register(session: Session, email: str, password: str) -> User:
    check_new_password(password, email)
    user = User(email=email.strip().lower(), password_hash=generate_password_hash(password))
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ApiError(
            "An account with this email already exists.", code="email_taken", status=409
        ) from None
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise Unauthorized("The email or password is wrong.")
    if not check_password_hash(user.password_hash, password):
        raise Unauthorized("The email or password is wrong.")
    return user


def issue_token(session: Session, user: User) -> str:
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
    return token


def user_id_for_token(session: Session, token: str, idle_days: int) -> tuple[int, int] | None:
    """(user id, token id) for a live token used within `idle_days`, else None."""
    now = utcnow()
    params = {"token_hash": hash_token(token), "idle_cutoff": now - timedelta(days=idle_days)}
    row = session.execute(_LIVE_TOKEN, params).first()
    if row is None:
        return None
    user_id, token_id, last_used_at = row
    if now - last_used_at >= TOUCH_EVERY:
        touch_token(session, token_id, now)
    return user_id, token_id


def touch_token(executor: Session | Connection, token_id: int, now: datetime) -> None:
    """Record that the token is in use; its caller commits."""
    # Conditional, so concurrent requests of one token write once and never move it back.
    executor.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.last_used_at < now - TOUCH_EVERY)
        .values(last_used_at=now)
    )


def revoke_token(session: Session, token_id: int) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(revoked_at=utcnow()))


def revoke_all_tokens(session: Session, user_id: int) -> int:
    """Revoke every live token of the user; returns how many."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def change_password(session: Session, user_id: int, current: str, new: str) -> str:
    """Check the current password, set the new one, revoke every token; returns a fresh token."""
    user = session.get(User, user_id)
    if user is None:
        raise Unauthorized("This token is not valid any more; sign in again.")
    if not check_password_hash(user.password_hash, current):
        # 403, not 401: the session is fine, only the password typed is wrong.
        raise ApiError("The current password is wrong.", code="wrong_password", status=403)
    check_new_password(new, user.email)
    user.password_hash = generate_password_hash(new)
    revoke_all_tokens(session, user_id)
    return issue_token(session, user)
