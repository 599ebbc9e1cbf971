"""Browser sessions kept in the database, so that signing out ends them on every server.

The cookie (signed by the app) carries a random key; the ``user_sessions`` row holds its
SHA-256 and when it expires. A request is signed in only while its row exists
(``users.signed_in`` reads it in the same query as the user). Signing out deletes the row;
a password change, an administrator disabling the user, and "sign out everywhere" delete every
row of the user.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.models import UserSession
from app.models.base import utcnow


def key_hash(key: str) -> str:
    """The SHA-256 (hex) under which a session key is stored and looked up."""
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def open_session(session: Session, user_id: int, lifetime: dt.timedelta) -> str:
    """A new session of the user lasting ``lifetime``; returns its key (for the cookie only).

    The user's expired sessions are deleted on the way, so the table holds live sessions and
    the expired ones of users who have not signed in since.
    """
    now = utcnow()
    session.execute(delete(UserSession).where(UserSession.user_id == user_id,
                                              UserSession.expires_at <= now)
                    .execution_options(synchronize_session=False))
    key = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user_id, key_hash=key_hash(key), expires_at=now + lifetime))
    session.flush()
    return key


def end_session(session: Session, key: str) -> None:
    """End the one session of this key (signing out); an unknown key is no error."""
    session.execute(delete(UserSession).where(UserSession.key_hash == key_hash(key))
                    .execution_options(synchronize_session=False))


def end_all_sessions(session: Session, user_id: int) -> int:
    """End every session of the user, on every server; returns how many there were."""
    result = session.execute(delete(UserSession).where(UserSession.user_id == user_id)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0
