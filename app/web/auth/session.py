"""The signed-in user of a request, from the session cookie."""

from __future__ import annotations

from flask import g, session

from app.db import get_session
from app.models import set_actor
from app.services.errors import NotFound
from app.services.users import signed_in


def load_signed_in_user() -> None:
    """Set ``g.user`` (a ``users.SignedIn``) and ``g.actor`` (None when nobody is signed in or
    the user was disabled)."""
    g.user = g.actor = None
    user_id = session.get("user_id")
    if not isinstance(user_id, int):
        return
    try:
        user = signed_in(get_session(), user_id)
    except NotFound:
        session.clear()
        return
    if not user.is_active or session.get("auth_stamp") != _stamp(user.password_hash):
        session.clear()
        return
    g.user = user
    g.actor = user.actor
    set_actor(get_session(), user.id, user.email)  # every change this request makes is theirs


def start_session(user) -> None:
    """Sign ``user`` in: a fresh session (no pre-sign-in state survives), bound to the password."""
    locale = session.get("locale")
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    session["auth_stamp"] = _stamp(user.password_hash)
    if locale:
        session["locale"] = locale


def _stamp(password_hash: str) -> str:
    # Changing the password ends every other session of the user.
    return password_hash[-16:]
