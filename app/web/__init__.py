"""The server-rendered web interface: one package per area, wired here."""

from __future__ import annotations

from flask import Flask, g, render_template, request, session
from flask_babel import Babel, get_translations
from flask_wtf.csrf import CSRFError, CSRFProtect

from app.db import get_session
from app.services.access.users import log_access_denied
from app.services.errors import NotFound

csrf = CSRFProtect()
babel = Babel()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


SUPPORTED_LOCALES = ("zh", "en")
"""Simplified Chinese (the default) and English; English msgids need no catalogue."""


def _select_locale() -> str:
    """The signed-in user's language, else the session's choice, else the browser's, else zh."""
    user = g.get("user")
    if user is not None and user.locale in SUPPORTED_LOCALES:
        return user.locale
    chosen = session.get("locale")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "zh"


def register_web(app: Flask) -> None:
    """Register CSRF, i18n, security headers, error pages, template helpers and blueprints."""
    from app.web import (
        admin,
        agreements,
        api,
        audit,
        auth,
        catalogue,
        deadlines,
        documents,
        exchange,
        funds,
        home,
        investments,
        lookup,
        notifications,
        observations,
        parks,
        people,
        projects,
        regions,
        reports,
        search,
        settlement,
        statements,
    )
    from app.web.auth.session import load_signed_in_user
    from app.web.common import register_template_helpers
    from app.web.health import bp as health_bp

    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    _install_template_gettext(app)
    app.before_request(load_signed_in_user)
    app.after_request(_security_headers)
    register_template_helpers(app)
    people.register(app)
    for module in (auth, home, funds, investments, projects, agreements, statements, settlement,
                   admin, audit, regions, api, exchange, reports, observations, lookup, search,
                   documents, notifications, catalogue, parks, deadlines):
        app.register_blueprint(module.bp)
    app.register_blueprint(health_bp)  # readiness: no sign-in, JSON only
    csrf.exempt(api.bp)  # token-authenticated: a session cookie is never accepted there

    @app.errorhandler(NotFound)
    def _out_of_scope(_error):
        _log_access_denied()
        return render_template("errors/404.html"), 404

    @app.errorhandler(404)
    def _not_found(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def _not_allowed(_error):
        return render_template("errors/404.html"), 405

    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return render_template("errors/400.html", reason="csrf"), 400

    @app.errorhandler(413)
    def _too_large(_error):
        return render_template("errors/400.html", reason="too_large"), 413

    @app.errorhandler(400)
    def _bad_request(_error):
        return render_template("errors/400.html", reason="bad_request"), 400

    @app.errorhandler(500)
    def _server_error(_error):
        return render_template("errors/500.html"), 500

    api.install(app)  # errors under /api/v1 (no route, wrong method …) as problem details


def _request_translations():
    """The request's catalogue, looked up once: Flask-Babel resolves the locale afresh on every
    message, and a page shows a few hundred of them."""
    translations = g.get("ui_translations")
    if translations is None:
        translations = g.ui_translations = get_translations()
    return translations


def _install_template_gettext(app: Flask) -> None:
    """Templates' ``_()``, ``gettext`` and ``ngettext`` through the request's catalogue (the
    same newstyle, autoescaping callables Flask-Babel installs, a few µs cheaper per message)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
        newstyle=True)


def _log_access_denied() -> None:
    """Record a signed-in user's request for something absent or outside their scope."""
    actor = g.get("actor")
    if actor is None:
        return
    session = get_session()
    session.rollback()  # whatever the request had started is abandoned, and frees the database
    log_access_denied(session, actor.user_id, actor.label, request.full_path.rstrip("?"))
    session.commit()


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint and request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
