"""The JSON API under /api/v1: bearer tokens, the web's services, problem details, OpenAPI."""

# A session cookie counts for nothing here, so CSRF (from which the API is exempt: no browser
# sends a bearer token on its own) cannot be bypassed through it.

from __future__ import annotations

from flask import current_app, g, request

from app.db import get_session
from app.models import set_actor
from app.services.access import tokens
from app.services.access.scopes import actor_for
from app.web.api import (
    agreements,
    audit,
    catalogue,
    documents,
    funds,
    ledgers,
    notifications,
    observations,
    openapi,
    parks,
    projects,
    reference,
    reports,
    settlement,
    statements,
)
from app.web.api.problems import (
    register,
    take_over_app_errors,
    too_many_requests,
    unauthorized,
)
from app.web.api.routing import bp

__all__ = ["bp", "install"]
_MODULES = (reference, catalogue, funds, ledgers, projects, parks, agreements, statements,
            settlement, observations, audit, reports, documents, notifications, openapi)


@bp.before_request
def _authenticate():
    """Act as the user of the bearer token, with their roles and scopes; else 401."""
    g.user = g.actor = None  # whoever a session cookie names, the API ignores them
    if request.endpoint in openapi.PUBLIC_ENDPOINTS:
        return None
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return unauthorized()
    db = get_session()
    set_actor(db, None, "api")
    try:
        user = tokens.authenticate(db, secret.strip(), request.remote_addr or "?")
    except tokens.TokenRefused as refused:
        db.commit()  # the refusal is counted (and logged) even though the request is not served
        limit = current_app.config["API_REFUSALS_PER_MINUTE"]
        if (wait := refused.refusal.retry_after(limit)) is not None:
            return too_many_requests(wait)
        return unauthorized()
    db.commit()
    g.user, g.actor = user, actor_for(user)
    set_actor(db, user.id, user.email)  # every change this request makes is theirs
    return None


register(bp)


def install(app) -> None:
    """After the web's error pages exist: answer errors under /api/v1 with problems too."""
    take_over_app_errors(app, bp.url_prefix)
