"""Personal API tokens: create (the secret shown once, stored as SHA-256, with an optional
expiry), list, revoke, check."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from app.domain.messages import N_
from app.models import ApiToken, User
from app.models.base import utcnow
from app.services.access import refusals
from app.services.access.users import get_user
from app.services.errors import NotFound, ServiceError, ValidationFailed

SECRET_START = "tlk_"  # noqa: S105 - a marker, not a secret
"""Every secret starts so, which lets secret scanners recognise a leaked token."""
PREFIX_LENGTH = len(SECRET_START) + 8
"""How much of a secret is kept in clear to tell tokens apart (never enough to guess one)."""
MAX_NAME_LENGTH = 100
MAX_EXPIRY_DAYS = 3650
"""A token may be given at most ten years; without an expiry it lasts until revoked."""
USE_RESOLUTION = dt.timedelta(minutes=1)
"""``last_used_at`` is rewritten at most this often, so busy clients do not write every call."""


@dataclass(frozen=True)
class NewToken:
    """A token just created, with its secret: the only moment the secret is known."""

    token: ApiToken
    secret: str


class TokenRefused(ServiceError):
    """No token, an unknown, revoked or expired one, or one whose user was disabled.
    ``refusal`` is the counted refusal (its count decides 401 or 429)."""

    def __init__(self, message: str, refusal: refusals.Refusal):
        super().__init__(message)
        self.refusal = refusal


def hash_secret(secret: str) -> str:
    """The SHA-256 (hex) under which a secret is stored and looked up."""
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def create_token(session: Session, user_id: int, name: str,
                 expires_days: int | None = None) -> NewToken:
    """A new token of the user, named to tell it apart (say, the system that will use it).

    ``expires_days`` (1 to 3650) makes it stop working that many whole days (of 24 hours) from
    now; None: it works until revoked.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(name=N_("is required"))
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(name=N_("is longer than %(n)s characters", n=MAX_NAME_LENGTH))
    if expires_days is not None and not (
            isinstance(expires_days, int) and 1 <= expires_days <= MAX_EXPIRY_DAYS):
        raise ValidationFailed(expires_days=N_("must be a whole number of days from 1 to %(n)s",
                                               n=MAX_EXPIRY_DAYS))
    user = get_user(session, user_id)
    if not user.is_active:
        raise NotFound(f"user {user_id}")
    secret = SECRET_START + secrets.token_urlsafe(32)
    expires_at = utcnow() + dt.timedelta(days=expires_days) if expires_days else None
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_secret(secret),
                     prefix=secret[:PREFIX_LENGTH], expires_at=expires_at)
    session.add(token)
    session.flush()
    return NewToken(token, secret)


def list_tokens(session: Session, user_id: int | None) -> list[ApiToken]:
    """The user's tokens (everyone's for None, with their users), newest first, revoked and
    expired ones included."""
    query = select(ApiToken).options(joinedload(ApiToken.user))
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(session.scalars(query.order_by(ApiToken.created_at.desc(),
                                               ApiToken.id.desc())))


def find_token(session: Session, token_id: int) -> ApiToken | None:
    """Any user's token by its id (for the command line), or None."""
    return session.get(ApiToken, token_id)


def revoke_token(session: Session, user_id: int | None, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (at once, for good); NotFound for anyone else's.
    ``user_id`` None (the command line): any user's token."""
    token = session.get(ApiToken, token_id)
    if token is None or (user_id is not None and token.user_id != user_id):
        raise NotFound(f"token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


def authenticate(session: Session, secret: str, remote_addr: str) -> User:
    """The active user of an active token with this secret; else TokenRefused, logged."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    user = get_user(session, token.user_id) if token is not None else None  # grants loaded
    if token is None or token.revoked_at is not None or token.is_expired or not user.is_active:
        reason = "unknown token" if token is None else (
            "revoked token" if token.revoked_at is not None else
            "expired token" if token.is_expired else "inactive user")
        shown = secret[:PREFIX_LENGTH] if secret.startswith(SECRET_START) else "(not a token)"
        refusal = refusals.record(session, remote_addr, (None, "api"), (
            "security", "api-token", "TOKEN_REFUSED",
            {"token": shown, "remote_addr": remote_addr[:64], "reason": reason}))
        raise TokenRefused(reason, refusal)
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= USE_RESOLUTION:
        # Bookkeeping, not business data: a bulk UPDATE writes no audit entry.
        session.execute(update(ApiToken).where(ApiToken.id == token.id)
                        .values(last_used_at=now).execution_options(synchronize_session=False))
    return user
