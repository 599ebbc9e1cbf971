"""What every area of the web interface shares: the signed-in actor, form handling, filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from functools import wraps
from zoneinfo import ZoneInfo

from flask import Flask, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Form

from app.db import get_session
from app.domain.codes import Role
from app.domain.messages import Message
from app.domain.money import (
    DASH,
    compact_yuan,
    format_amount,
    format_number,
    format_percent,
    format_ratio,
    format_wan,
)
from app.domain.quarter import Quarter, QuarterError
from app.domain.sharing.explain import decimal_text
from app.services.access.scopes import Actor
from app.services.errors import Conflict, ValidationFailed

UNPROCESSABLE = 422

DUAL_COUNT_NOTICE = "仅用于考核，不对外公布 / for assessment only, not for publication"
"""The label of dual-counted figures, bilingual in either interface (sharing.md, reports.md)."""

LANGUAGES = (("zh", "中文"), ("en", "English"))
"""The interface languages, each named in its own language (so anyone finds theirs)."""


def is_chinese() -> bool:
    """Whether the request's interface language is Chinese; worked out once per request,
    because a page asks it for every coded value and name it shows."""
    chinese = g.get("ui_is_chinese")
    if chinese is None:
        chinese = g.ui_is_chinese = str(get_locale() or "zh").startswith("zh")
    return chinese


def today() -> dt.date:
    """Today's date in UTC: the web's one clock for defaults such as the current quarter."""
    return dt.datetime.now(dt.UTC).date()


def local_today() -> dt.date:
    """Today's date in the ``TIME_ZONE`` setting: the day deadlines are counted on."""
    zone = ZoneInfo(current_app.config.get("TIME_ZONE") or "Asia/Shanghai")
    return dt.datetime.now(zone).date()


def percent_one_place(value: Decimal | None) -> str:
    """A percentage already rounded to one place (timeliness rates): "91.7 %"; None → "—"."""
    return DASH if value is None else f"{value:,.1f} %"


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
           message: str | Callable[[object], str],
           on_errors: Callable[[dict], None] | None = None) -> object | None:
    """Run ``action`` for a valid POSTed form inside one transaction, then redirect.

    Returns the redirect response on success (``message`` may be a function of the result).
    On a business-rule failure the errors are put beside the fields and nothing is written; on
    a concurrent edit the form shows the conflict.
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
        (on_errors or (lambda errors: attach_errors(form, errors)))(localized_errors(exc.errors))
        return None
    except (Conflict, StaleDataError) as exc:
        session.rollback()
        form.conflict = localized(exc.args[0]) if isinstance(exc, Conflict) and exc.args else _(
            "Someone else saved a change at the same moment. Nothing of yours was saved: "
            "reload and try again.")
        return None
    flash(message(result) if callable(message) else message, "success")
    return redirect(success(result))


def localized(message) -> str:
    """A service's message in the user's language when it was marked with ``N_`` (a Message
    remembers its template), else the text as it is."""
    if isinstance(message, Message):
        return _(message.template, **{k: _localized_value(v)
                                      for k, v in message.values.items()})
    return str(message)


def _localized_value(value):
    """A value inside a message: a Message translated; a coded value by its Chinese label in
    Chinese (English keeps the code, as the English text and the API do)."""
    if isinstance(value, Message):
        return localized(value)
    if hasattr(value, "label_zh") and is_chinese():
        return value.label_zh
    return value


def localized_errors(errors: dict[str, list]) -> dict[str, list[str]]:
    """Every message of a ValidationFailed's ``errors`` in the user's language."""
    return {name: [localized(m) for m in messages] for name, messages in errors.items()}


def attach_errors(form: Form, errors: dict[str, list[str]]) -> None:
    """Put service errors beside the matching fields; the rest go to the form's top."""
    form.form_errors = list(getattr(form, "form_errors", []))
    for name, messages in localized_errors(errors).items():
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
    return member.label_zh if is_chinese() else member.label_en


def role_label(code: str | None) -> str:
    """A role code as stored on a grant ("AUDITOR") in the user's language ("审计")."""
    try:
        return coded_label(Role(code))
    except ValueError:
        return str(code)


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


UNIT_NAMES = {"元": _l("yuan"), "亩": _l("mu"), "tce": _l("tce")}
"""Stored unit symbols (IndicatorDefinition.unit, amounts) as the user reads them. 万元 and
亿元 stay as they are in both languages: they are the official units of the figures."""


def unit_name(unit: str | None) -> str:
    """A unit symbol in the user's language ("tce" → "吨标准煤" in Chinese); others unchanged."""
    if not unit:
        return ""
    name = UNIT_NAMES.get(unit)
    return str(name) if name is not None else unit


def yuan(value) -> str:
    """An amount with its unit, two places half up: "1,234,567.89 元" ("… yuan"); None → "—"."""
    return DASH if value is None else f"{format_amount(value)} {unit_name('元')}"


def yuan_compact(value) -> str:
    """A key figure in 元, 万元 or 亿元 as it reads best, two places half up: "1.23 亿元",
    "4,560.00 万元", "999.50 元" (yuan in English); None → "—"."""
    if value is None:
        return DASH
    number, unit = compact_yuan(value)
    return f"{number:,.2f} {unit_name(unit)}"


def quantity(value, unit: str | None = None, places: int | None = None) -> str:
    """An indicator value with thousands commas and its unit in the user's language
    ("1,234.50 吨标准煤"); all its digits unless ``places``; None → "—" (no unit)."""
    if value is None:
        return DASH
    text = format_number(value, places)
    return f"{text} {unit_name(unit)}" if unit else text


def count(value) -> str:
    """A whole number with thousands commas ("2,000"); None → "—"."""
    return DASH if value is None else f"{int(value):,}"


def localized_name(item) -> str:
    """The English name of a region, indicator … (``name_en``) in English, else its name."""
    if item is None:
        return DASH
    english = getattr(item, "name_en", None)
    if english and not is_chinese():
        return english
    return getattr(item, "name", str(item))


def local_time(moment: dt.datetime | None, with_seconds: bool = False) -> str:
    """A stored moment in the ``TIME_ZONE`` setting's local time: "2026-10-08 09:12" ("—" for
    None; a naive moment is taken as UTC, as the database stores it)."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    zone = ZoneInfo(current_app.config.get("TIME_ZONE") or "Asia/Shanghai")
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S" if with_seconds
                                            else "%Y-%m-%d %H:%M")


def said(value) -> object:
    """A value of the audit trail in words (``audit_words``), in the user's language: messages
    translated, codes by their label (in English too), moments in local time with seconds."""
    return sayer()(value)


def sayer() -> Callable[[object], object]:
    """``said`` for the many values of one page: the request's translations and language are
    looked up once, not once a value (an audit page shows hundreds)."""
    translate, chinese = get_translations().gettext, is_chinese()

    def say(value) -> object:
        if isinstance(value, Message):
            text = translate(value.template)
            return text % {k: say(v) for k, v in value.values.items()} if value.values \
                else text
        if hasattr(value, "label_zh"):
            return value.label_zh if chinese else value.label_en
        if isinstance(value, dt.datetime):
            return local_time(value, with_seconds=True)
        return value
    return say


REPORT_KINDS = {"fund": _l("Fund report"), "statement": _l("Sharing statement"),
                "region": _l("Regional report"), "settlement": _l("Settlement schedule"),
                "zone": _l("Zone annual summary")}
"""Each report kind's name, in the user's language."""


def register_template_helpers(app: Flask) -> None:
    """Number formatting filters for templates: amounts, ratios, percentages; "—" for undefined.

    ``amount`` 1,234.50 (yuan, header names the unit) · ``yuan`` 1,234.50 元 · ``yuan_compact``
    1.23 亿元 · ``wan`` 4,567.89 (万元) · ``quantity(unit)`` 1,234.5 亩 · ``unit`` · ``count``
    2,000 · ``percent`` 59.00 % · ``ratio`` 3.33× · ``named`` (a name in the user's language) ·
    ``localized`` (a service's message in the user's language).
    """
    app.add_template_filter(format_amount, "amount")
    app.add_template_filter(yuan, "yuan")
    app.add_template_filter(yuan_compact, "yuan_compact")
    app.add_template_filter(format_wan, "wan")
    app.add_template_filter(quantity, "quantity")
    app.add_template_filter(unit_name, "unit")
    app.add_template_filter(count, "count")
    app.add_template_filter(localized_name, "named")
    app.add_template_filter(role_label, "role")
    app.add_template_filter(format_ratio, "ratio")
    app.add_template_filter(format_percent, "percent")
    app.add_template_filter(percent_one_place, "percent1")
    app.add_template_filter(coded_label, "label")
    app.add_template_filter(exact_text, "exact")
    app.add_template_filter(plain_decimal, "plain")
    app.add_template_filter(localized, "localized")
    app.add_template_filter(local_time, "localtime")

    @app.context_processor
    def _globals():
        return {"actor": g.get("actor"), "current_user": g.get("user"),
                "ui_locale": str(get_locale() or "zh"), "ui_languages": LANGUAGES,
                "dual_count_notice": DUAL_COUNT_NOTICE}
