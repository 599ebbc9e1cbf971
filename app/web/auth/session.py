"""The signed-in user of a request, from the session cookie and its row in the database."""

from __future__ import annotations

from flask import current_app, g, session

from app.db import get_session
from app.models import set_actor
from app.services.access import sessions
from app.services.access.users import signed_in
from app.services.errors import NotFound


def load_signed_in_user() -> None:
    """Set ``g.user`` (a ``users.SignedIn``) and ``g.actor`` (None when nobody is signed in,
    the session was ended or the user was disabled)."""
    g.user = g.actor = None
    user_id, key = session.get("user_id"), session.get("session_key")
    if not isinstance(user_id, int) or not isinstance(key, str):
        if user_id is not None:
            session.clear()  # a cookie from before sessions were kept in the database
        return
    try:
        user = signed_in(get_session(), user_id, key)
    except NotFound:
        session.clear()
        return
    if not user.is_active:
        session.clear()
        return
    g.user = user
    g.actor = user.actor
    set_actor(get_session(), user.id, user.email)  # every change this request makes is theirs


def start_session(user) -> None:
    """Sign ``user`` in: a fresh session (no pre-sign-in state survives) with a new row in the
    database; the caller commits."""
    locale = session.get("locale")
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    session["session_key"] = sessions.open_session(  # PERMANENT_SESSION_LIFETIME, 8 hours
        get_session(), user.id, current_app.permanent_session_lifetime)
    if locale:
        session["locale"] = locale


def end_session(everywhere: bool = False) -> str | None:
    """Sign out: delete this session's row (or every session of the user), commit, and clear
    the cookie but for the language; returns that language."""
    user = g.get("user")
    locale = user.locale if user is not None else session.get("locale")
    db = get_session()
    if everywhere and user is not None:
        sessions.end_all_sessions(db, user.id)
    elif isinstance(session.get("session_key"), str):
        sessions.end_session(db, session["session_key"])
    db.commit()
    session.clear()
    if locale:
        session["locale"] = locale
    return locale
