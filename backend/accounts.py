"""Accounts and bearer tokens: hashing, issuing, checking and revoking."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from backend.errors import ApiError, Unauthorized
from backend.models import ApiToken, User
from backend.timeutil import utcnow

# Checked against a real hash when the email is unknown, so timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


# Built once: every authenticated request runs it.
_LIVE_TOKEN = select(ApiToken.user_id, ApiToken.id).where(
    ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None)
)


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough (unlike passwords).
    return hashlib.sha256(token.encode()).hexdigest()


def register(session: Session, email: str, password: str) -> User:
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


def user_id_for_token(session: Session, token: str) -> tuple[int, int] | None:
    """(user id, token id) for a live token, else None."""
    row = session.execute(_LIVE_TOKEN, {"token_hash": hash_token(token)}).first()
    return (row[0], row[1]) if row else None


def revoke_token(session: Session, token_id: int) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(revoked_at=utcnow()))
