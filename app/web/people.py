"""The one way the web names a person: their name with their bureau, or their role and its
scope, in the user's language: "张敏（深圳市财政局）" / "张敏 (Shenzhen Finance Bureau)".

Template filter ``person``: ``{{ aq.submitted_by|person }}``, ``{{ r.issued_by_id|person }}``
(a User, or a user id; a second argument is shown when there is no such user, e.g. the label of
a command). People are read once per request, in one query for all the ids a view hands to
:func:`remember` and one for each id met later.
"""

from __future__ import annotations

from flask import Flask, g
from flask_babel import gettext as _

from app.db import get_session
from app.domain.codes import Role
from app.services.access.people import Person, people
from app.web.common import coded_label, is_chinese


def _cache() -> dict[int, Person | None]:
    if "people" not in g:
        g.people = {}
    return g.people


def remember(user_ids) -> None:
    """Read the people of ``user_ids`` in one query (ids already read are skipped)."""
    cache = _cache()
    wanted = {int(i) for i in user_ids if i is not None} - set(cache)
    if wanted:
        found = people(get_session(), wanted)
        cache.update({i: found.get(i) for i in wanted})


def _region_names(found: Person) -> str:
    chinese = is_chinese()
    names = [name if chinese or not name_en else name_en for name, name_en in found.regions]
    return ("、" if chinese else ", ").join(names)


def acts_as(found: Person) -> str:
    """What a person acts as: "深圳市财政局" / "Shenzhen Finance Bureau", "审计，广东省" /
    "Auditor, Guangdong", "管理员" / "Administrator", "基金管理人，HF-01" / "Fund manager,
    HF-01"; blank for someone without a role."""
    if found.role is None:
        return ""
    if found.role is Role.FINANCE_BUREAU and found.regions:
        return _("%(region)s Finance Bureau", region=_region_names(found))
    if found.role is Role.AUDITOR and found.regions:
        return _("Auditor, %(region)s", region=_region_names(found))
    if found.role is Role.FUND_MANAGER and found.funds:
        return _("Fund manager, %(funds)s",
                 funds=("、" if is_chinese() else ", ").join(found.funds))
    return coded_label(found.role)


def person(who, fallback: str | None = None) -> str:
    """A user (object or id) named with what they act as: "张敏（深圳市财政局）" in Chinese,
    "张敏 (Shenzhen Finance Bureau)" in English; ``fallback`` (or "—") when there is none."""
    uid = who if isinstance(who, int) else getattr(who, "id", None)
    if uid is None:
        return fallback or "—"
    remember([uid])
    found = _cache().get(uid)
    if found is None:
        return fallback or "—"
    role = acts_as(found)
    if not role:
        return found.name
    return f"{found.name}（{role}）" if is_chinese() else f"{found.name} ({role})"


def register(app: Flask) -> None:
    """The ``person`` template filter."""
    app.add_template_filter(person, "person")
