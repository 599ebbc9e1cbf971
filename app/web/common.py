"""What every area of the web interface shares: the signed-in actor, form handling, filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from functools import wraps

from flask import Flask, abort, flash, g, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Form

from app.db import get_session
from app.domain.money import format_amount, format_percent, format_ratio
from app.domain.quarter import Quarter, QuarterError
from app.domain.sharing.explain import decimal_text
from app.services.access import Actor
from app.services.errors import Conflict, ValidationFailed

UNPROCESSABLE = 422


def today() -> dt.date:
    """Today's date in UTC: the web's one clock for defaults such as the current quarter."""
    return dt.datetime.now(dt.UTC).date()


def quarter_arg() -> Quarter:
    """The ``quarter`` query argument, or the current quarter (with a message if it was bad)."""
    text = request.args.get("quarter", "").strip()
    if text:
        try:
            return Quarter.parse(text)
        except QuarterError as exc:
            flash(_("quarter: %(error)s", error=str(exc)), "error")
    return Quarter.containing(today())


def actor() -> Actor:
    """The signed-in user's actor (views behind ``sign_in_required`` always have one)."""
    return g.actor


def require_sign_in():
    """Before-request hook of every signed-in area: anonymous visitors go to the sign-in page."""
    if g.get("actor") is None:
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    return None


def sign_in_required(view: Callable) -> Callable:
    """Send anonymous visitors to the sign-in page, then back."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        return require_sign_in() or view(*args, **kwargs)

    return wrapped


def submit(form: Form, action: Callable[[], object], success: Callable[[object], str],
           message: str, on_errors: Callable[[dict], None] | None = None) -> object | None:
    """Run ``action`` for a valid POSTed form inside one transaction, then redirect.

    Returns the redirect response on success. On a business-rule failure the errors are put
    beside the fields and nothing is written; on a concurrent edit the form shows the conflict.
    Returns None when the page should be (re)rendered; see :func:`status_of`. ``on_errors``
    receives the field errors instead, for pages whose inputs are not form fields (grids).
    """
    if request.method != "POST" or not form.validate():
        return None
    session = get_session()
    try:
        result = action()
        session.commit()
    except ValidationFailed as exc:
        session.rollback()
        (on_errors or (lambda errors: attach_errors(form, errors)))(exc.errors)
        return None
    except (Conflict, StaleDataError) as exc:
        session.rollback()
        form.conflict = str(exc) if isinstance(exc, Conflict) else _(
            "Someone else saved a change at the same moment. Nothing of yours was saved: "
            "reload and try again.")
        return None
    flash(message, "success")
    return redirect(success(result))


def attach_errors(form: Form, errors: dict[str, list[str]]) -> None:
    """Put service errors beside the matching fields; the rest go to the form's top."""
    form.form_errors = list(getattr(form, "form_errors", []))
    for name, messages in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + list(messages)
        else:
            form.form_errors.extend(f"{name}: {m}" for m in messages)


def status_of(form: Form) -> int:
    """422 when a POSTed form carries errors or a conflict, else 200."""
    has_errors = bool(form.errors) or bool(getattr(form, "form_errors", None)) \
        or bool(getattr(form, "conflict", None))
    return UNPROCESSABLE if request.method == "POST" and has_errors else 200


def parse_id_or_404(value: str) -> int:
    """An id from a URL or query string, or 404 for anything that is not a positive integer."""
    if not value.isdigit():
        abort(404)
    return int(value)


def coded_label(member) -> str:
    """A coded value's label in the user's language (the code itself if it has none)."""
    if member is None:
        return "—"
    if not hasattr(member, "label_zh"):
        return str(member)
    return member.label_zh if str(get_locale() or "zh").startswith("zh") else member.label_en


def exact_text(value) -> str:
    """An exact rational as decimal text: all digits if it terminates, else ten and "…" with
    the fraction beside it (so an auditor can redo the division)."""
    if value is None:
        return "—"
    fraction = Fraction(value)
    text = decimal_text(fraction, min_places=2)
    return f"{text} (= {fraction})" if text.endswith("…") else text


def plain_decimal(value) -> str:
    """A decimal without trailing zeros (a weight of 50.0000 prints as 50)."""
    if value is None:
        return "—"
    text = f"{Decimal(value).normalize():f}"
    return text


def register_template_helpers(app: Flask) -> None:
    """Number formatting filters for templates: amounts, ratios, percentages; "—" for undefined."""
    app.add_template_filter(format_amount, "amount")
    app.add_template_filter(format_ratio, "ratio")
    app.add_template_filter(format_percent, "percent")
    app.add_template_filter(coded_label, "label")
    app.add_template_filter(exact_text, "exact")
    app.add_template_filter(plain_decimal, "plain")

    @app.context_processor
    def _globals():
        return {"actor": g.get("actor"), "current_user": g.get("user")}
