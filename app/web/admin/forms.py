"""Forms of user administration. A user's grants are rows of a role picked from a list (named
in the user's language) and a scope found by search: a region for a finance bureau or an
auditor (blank: everywhere), a fund for a fund manager, none for an administrator. Without the
script a scope is typed as a code, a code followed by anything, or an exact name. Every error
of a submit is reported at once, each beside its field and in a summary naming the field."""

from __future__ import annotations

from flask import g, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length

from app.db import get_session
from app.domain.codes import Role
from app.domain.messages import quoted
from app.services.access import users
from app.services.access.users import GrantSpec
from app.services.lists import finder
from app.services.reference import search as lookup
from app.web.common import LANGUAGES, coded_label, is_chinese, localized_errors
from app.web.fields import coded_choices

BLANK_ROWS = 2
"""Empty grant rows offered below a user's grants (a third role is rare)."""
MAX_ROWS = 20

SCOPE_HINTS = {
    "": _l("Pick a role first."),
    Role.ADMIN.value: _l("An administrator sees everything: no scope."),
    Role.FUND_MANAGER.value: _l("A fund: type part of its code or name."),
    Role.FINANCE_BUREAU.value: _l("A region: type part of its code or name."),
    Role.AUDITOR.value: _l("A region (type part of its code or name), or blank for everywhere."),
}


def role_choices() -> list[tuple[str, str]]:
    """The roles named in the user's language, after a blank "no role" choice."""
    return [("", _("— no role —")), *coded_choices(Role)]


class GrantRow(Form):
    """One role and its scope."""

    role = SelectField(_l("Role"), choices=role_choices, validate_choice=False)
    scope = StringField(_l("Scope"), validators=[Length(max=200)])

    @property
    def is_funds(self) -> bool:
        """The scope is a fund (the row's role is fund manager)."""
        return self.role.data == Role.FUND_MANAGER.value

    def lookup_url(self) -> str:
        """The picker search of this row's scope kind."""
        return url_for("lookup.funds" if self.is_funds else "lookup.regions")

    def scope_name(self) -> str:
        """The name of the scope in the box, when it names one (shown beside it)."""
        code = (self.scope.data or "").strip()
        if not code:
            return ""
        if self.is_funds:
            return finder.fund_name(get_session(), g.actor, code)
        return lookup.name_of(get_session(), "regions", code)

    def hint(self):
        return SCOPE_HINTS.get(self.role.data or "", SCOPE_HINTS[""])


def _read_rows(rows) -> tuple[list[GrantSpec], dict[str, list[str]]]:
    """The grants of the filled rows and an error for each row that is not a grant, keyed by
    the field's name (a blank row is skipped)."""
    specs, errors = [], {}
    for row in rows:
        role_text = (row.role.data or "").strip()
        scope_text = " ".join((row.scope.data or "").split())
        if not role_text and not scope_text:
            continue
        if not role_text:
            errors[row.role.name] = [_("choose a role for this scope")]
            continue
        try:
            role = Role(role_text)
        except ValueError:
            errors[row.role.name] = [_('"%(role)s" is not a role; choose one of %(roles)s',
                                       role=quoted(role_text),
                                       roles=("、" if is_chinese() else ", ").join(
                                           coded_label(r) for r in Role))]
            continue
        if role is Role.FUND_MANAGER:
            code = finder.fund_code_for(get_session(), g.actor, scope_text)
            specs.append(GrantSpec(role, fund_code=code or None, field=row.scope.name))
        else:
            code = lookup.code_for(get_session(), "regions", scope_text)
            specs.append(GrantSpec(role, region_code=code or None, field=row.scope.name))
        row.scope.data = code
    return specs, errors


class _UserForm(FlaskForm):
    """What adding and editing share: the grant rows and how errors are placed."""

    grants = FieldList(FormField(GrantRow), max_entries=MAX_ROWS)

    @property
    def errors(self):
        """The fields' errors, each grant row's (placed after validation), and "role" for an
        error of the grants as a whole."""
        errors = dict(super().errors)
        rows = [row.errors for row in self.grant_rows()]
        if any(rows):
            errors["grants"] = rows
        if getattr(self, "grant_errors", None):
            errors["role"] = list(self.grant_errors)
        return errors

    def grant_rows(self):
        return [entry.form for entry in self.grants]

    def check(self, specs: list[GrantSpec]) -> dict[str, list]:
        """The service's errors for this form's values (writing nothing)."""
        return users.grant_errors(get_session(), specs)

    def validate(self, extra_validators=None) -> bool:
        """Every check at once: the fields', each row's, and the service's rules."""
        valid = super().validate(extra_validators)
        self.specs, row_errors = _read_rows(self.grant_rows())
        found = localized_errors(self.check(self.specs))
        if row_errors:
            found.pop("role", None)  # a row was filled in, if wrongly
        self.place({**row_errors, **found})
        return valid and not row_errors and not found

    def place(self, errors: dict[str, list[str]]) -> None:
        """Put errors beside their fields (a grant row's by its field name; "role" above the
        rows); a field already showing an error keeps only its own."""
        self.form_errors = list(getattr(self, "form_errors", []))
        self.grant_errors = list(getattr(self, "grant_errors", []))
        fields = {f.name: f for row in self.grant_rows() for f in row}
        fields.update({f.name: f for f in self})
        for name, messages in localized_errors(errors).items():
            if name == "role":
                self.grant_errors.extend(messages)
            elif name in fields and name != "grants":
                if not fields[name].errors:
                    fields[name].errors = list(fields[name].errors) + list(messages)
            else:
                self.form_errors.extend(f"{name}: {m}" for m in messages)

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(field id, field label, message) of every error, in the order of the page."""
        summary = []
        for f in self:
            if f.name == "grants":
                summary.extend((self.grant_rows()[0].role.id if self.grant_rows() else "",
                                str(f.label.text), m) for m in self.grant_errors)
                for n, row in enumerate(self.grant_rows(), start=1):
                    summary.extend((row.role.id, _("Role %(n)s", n=n), m)
                                   for m in row.role.errors)
                    summary.extend((row.scope.id, _("Scope %(n)s", n=n), m)
                                   for m in row.scope.errors)
            elif f.type != "CSRFTokenField":
                summary.extend((f.id, str(f.label.text), m) for m in f.errors)
        return summary


def _rows(grants=()) -> list[dict]:
    """Grant rows as form data: the grants, then BLANK_ROWS empty rows."""
    return [*grants, *({"role": "", "scope": ""} for _ in range(BLANK_ROWS))]


class NewUserForm(_UserForm):
    """A new user."""

    email = StringField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired()])
    locale = SelectField(_l("Language"), choices=list(LANGUAGES), default="zh")
    grants = FieldList(FormField(GrantRow), label=_l("Roles and scopes"), max_entries=MAX_ROWS)

    @classmethod
    def blank(cls) -> NewUserForm:
        form = cls()
        if not form.is_submitted():
            form = cls(grants=_rows([{"role": "", "scope": ""}]))
        return form

    def check(self, specs: list[GrantSpec]) -> dict[str, list]:
        errors = users.new_user_errors(get_session(), self.email.data or "",
                                       self.password.data or "", specs)
        if not (self.email.data or "").strip():
            errors.pop("email", None)  # "required" says it already
        return errors


class EditUserForm(_UserForm):
    """A user's roles and whether they may sign in."""

    version = HiddenField()
    grants = FieldList(FormField(GrantRow), label=_l("Roles and scopes"), max_entries=MAX_ROWS)
    is_active = BooleanField(_l("May sign in"))

    @classmethod
    def for_user(cls, user) -> EditUserForm:
        """The form filled in from a stored user: a row per grant, then empty rows."""
        form = cls()
        if not form.is_submitted():
            form = cls(version=user.version, is_active=user.is_active, grants=_rows(
                {"role": grant.role, "scope": grant.fund.code if grant.fund else
                 grant.region.code if grant.region else ""} for grant in user.grants))
        return form
