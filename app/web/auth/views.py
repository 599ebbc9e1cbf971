"""Views: sign in, sign out, profile (password and language)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from app.db import get_session
from app.services.access import tokens, users
from app.services.errors import NotFound, ValidationFailed
from app.web.auth.forms import (
    LanguageSwitchForm,
    LocaleForm,
    PasswordForm,
    RevokeTokenForm,
    SignInForm,
    SignOutEverywhereForm,
    TokenForm,
)
from app.web.auth.session import end_session, start_session
from app.web.common import (
    UNPROCESSABLE,
    attach_errors,
    sign_in_required,
    status_of,
    submit,
)

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would let a phishing link borrow our sign-in."""
    if target and target.startswith("/") and not target.startswith("//") \
            and "\\" not in target and target.isprintable() and not urlsplit(target).netloc:
        return target
    return url_for("home.index")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign in with e-mail and password (rate-limited)."""
    if g.get("actor") is not None:
        return redirect(url_for("home.index"))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        db = get_session()
        try:
            user = users.authenticate(
                db, form.email.data, form.password.data, request.remote_addr or "?",
                max_failures=current_app.config["SIGN_IN_MAX_FAILURES"],
                window_seconds=current_app.config["SIGN_IN_WINDOW_SECONDS"])
        except users.SignInRefused as refused:
            db.commit()  # the failed attempt is recorded even though the sign-in is refused
            form.form_errors = [_("Too many failed attempts. Try again in a few minutes.")
                                if refused.is_rate_limited else _("Wrong e-mail or password.")]
            status = 429 if refused.is_rate_limited else UNPROCESSABLE
        else:
            start_session(user)
            db.commit()
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = UNPROCESSABLE
    return render_template("auth/sign_in.html", form=form), status


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    """End this session (a copy of its cookie is dead too); the sign-in page that follows
    keeps the user's language."""
    end_session()
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/sign-out-everywhere", methods=["POST"])
@sign_in_required
def sign_out_everywhere():
    """End every session of the user, in every browser and on every server."""
    form = SignOutEverywhereForm()
    if not form.validate():
        return redirect(url_for("auth.profile"))
    end_session(everywhere=True)
    flash(_("You have signed out everywhere."), "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the interface language from the header and go back to the (same-site) page.

    Saved on a signed-in user, so it is remembered at the next sign-in (and audit-trailed like
    any change of a user); an anonymous visitor's choice is kept in the session.
    """
    form = LanguageSwitchForm()
    if not form.validate():
        return redirect(_safe_next(form.next.data))
    user = g.get("user")
    if user is not None and user.locale != form.locale.data:
        db = get_session()
        users.set_locale(db, user.id, form.locale.data)
        db.commit()
    session["locale"] = form.locale.data
    return redirect(_safe_next(form.next.data))


@bp.route("/profile", methods=["GET", "POST"])
@sign_in_required
def profile():
    """Change one's password or language."""
    password_form = PasswordForm(prefix="pw")
    locale_form = LocaleForm(prefix="lang", locale=g.user.locale)
    db = get_session()
    if request.method == "POST" and "lang-locale" in request.form:
        done = submit(locale_form, lambda: users.set_locale(db, g.user.id, locale_form.locale.data),
                      lambda _r: url_for("auth.profile"), _("Language saved."))
        if done:
            return done
        status = status_of(locale_form)
    else:
        def change():
            users.change_password(db, g.user.id, password_form.current_password.data,
                                  password_form.new_password.data)
            start_session(users.get_user(db, g.user.id))

        done = submit(password_form, change, lambda _r: url_for("auth.profile"),
                      _("Password changed."))
        if done:
            return done
        status = status_of(password_form)
    return _profile_page(password_form=password_form, locale_form=locale_form), status


def _profile_page(**forms) -> str:
    """The profile page with its forms and the user's API tokens."""
    forms.setdefault("password_form", PasswordForm(prefix="pw"))
    forms.setdefault("locale_form", LocaleForm(prefix="lang", locale=g.user.locale))
    forms.setdefault("token_form", TokenForm(prefix="tok"))
    db = get_session()
    return render_template("auth/profile.html", **forms, revoke_form=RevokeTokenForm(),
                           everywhere_form=SignOutEverywhereForm(),
                           user=users.get_user(db, g.user.id),  # with their grants
                           tokens=tokens.list_tokens(db, g.user.id))


@bp.route("/profile/tokens", methods=["POST"])
@sign_in_required
def create_token():
    """Create a personal API token and show its secret, this once (it is stored hashed)."""
    form = TokenForm(prefix="tok")
    db = get_session()
    if not form.validate():
        return _profile_page(token_form=form), UNPROCESSABLE
    try:
        created = tokens.create_token(db, g.user.id, form.name.data, form.expires_days.data)
        db.commit()
    except ValidationFailed as exc:
        db.rollback()
        attach_errors(form, exc.errors)
        return _profile_page(token_form=form), UNPROCESSABLE
    # Rendered, not redirected: the secret must not travel through the session cookie.
    return _profile_page(new_token=created), 201


@bp.route("/profile/tokens/revoke", methods=["POST"])
@sign_in_required
def revoke_token():
    """Revoke one of one's own tokens; anyone else's is 404."""
    form = RevokeTokenForm()
    text = str(form.token_id.data or "")
    if not form.validate() or not (text.isascii() and text.isdigit() and len(text) < 10):
        raise NotFound("token")
    db = get_session()
    tokens.revoke_token(db, g.user.id, int(text))
    db.commit()
    flash(_("Token revoked: it no longer opens the API."), "success")
    return redirect(url_for("auth.profile"))
