"""Personal API tokens: create (the secret shown once, stored as SHA-256), list, revoke, check."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.messages import N_
from app.models import ApiToken, User
from app.models.base import utcnow
from app.services import refusals
from app.services.errors import NotFound, ServiceError, ValidationFailed
from app.services.users import get_user

SECRET_START = "tlk_"  # noqa: S105 - a marker, not a secret
"""Every secret starts so, which lets secret scanners recognise a leaked token."""
PREFIX_LENGTH = len(SECRET_START) + 8
"""How much of a secret is kept in clear to tell tokens apart (never enough to guess one)."""
MAX_NAME_LENGTH = 100
USE_RESOLUTION = dt.timedelta(minutes=1)
"""``last_used_at`` is rewritten at most this often, so busy clients do not write every call."""


@dataclass(frozen=True)
class NewToken:
    """A token just created, with its secret: the only moment the secret is known."""

    token: ApiToken
    secret: str


class TokenRefused(ServiceError):
    """No token, an unknown or revoked one, or one whose user was disabled."""


def hash_secret(secret: str) -> str:
    """The SHA-256 (hex) under which a secret is stored and looked up."""
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def create_token(session: Session, user_id: int, name: str) -> NewToken:
    """A new token of the user, named to tell it apart (say, the system that will use it)."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(name=N_("is required"))
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(name=N_("is longer than %(n)s characters", n=MAX_NAME_LENGTH))
    user = get_user(session, user_id)
    if not user.is_active:
        raise NotFound(f"user {user_id}")
    secret = SECRET_START + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_secret(secret),
                     prefix=secret[:PREFIX_LENGTH])
    session.add(token)
    session.flush()
    return NewToken(token, secret)


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(session: Session, user_id: int, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (at once, for good); NotFound for anyone else's."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFound(f"token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


def authenticate(session: Session, secret: str, remote_addr: str) -> User:
    """The active user of an active token with this secret; else TokenRefused, logged."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    user = get_user(session, token.user_id) if token is not None else None  # grants loaded
    if token is None or token.revoked_at is not None or not user.is_active:
        reason = "unknown token" if token is None else (
            "revoked token" if token.revoked_at is not None else "inactive user")
        shown = secret[:PREFIX_LENGTH] if secret.startswith(SECRET_START) else "(not a token)"
        refusals.record(session, remote_addr, (None, "api"),
                        ("security", "api-token", "TOKEN_REFUSED",
                         {"token": shown, "remote_addr": remote_addr[:64], "reason": reason}))
        raise TokenRefused(reason)
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= USE_RESOLUTION:
        # Bookkeeping, not business data: a bulk UPDATE writes no audit entry.
        session.execute(update(ApiToken).where(ApiToken.id == token.id)
                        .values(last_used_at=now).execution_options(synchronize_session=False))
    return user
