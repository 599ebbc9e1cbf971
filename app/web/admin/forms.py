"""Forms of user administration. Grants are typed one per line: ``ROLE [scope code]``; every bad
line is reported at once."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from app.domain.codes import Role
from app.domain.messages import quoted
from app.services.access.users import GrantSpec
from app.web.common import LANGUAGES, coded_label

GRANTS_HINT = _l("One per line, a role and its scope: ADMIN · FUND_MANAGER HF-01 (a fund code) · "
                 "FINANCE_BUREAU 440300 (a region code) · AUDITOR, or AUDITOR 440300")


def parse_grants(text: str) -> tuple[list[GrantSpec], list[str]]:
    """Read grant lines: the grants, and an error naming its line for every line that is not
    ``ROLE [scope]`` (all of them, in the user's language)."""
    specs, errors = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        words = line.split()
        if not words:
            continue
        try:
            role = Role.parse(words[0])
        except ValueError:
            errors.append(_('line %(number)s: "%(role)s" is not a role; the roles are %(roles)s',
                            number=number, role=quoted(words[0]),
                            roles=", ".join(f"{r.value} ({coded_label(r)})" for r in Role)))
            continue
        if len(words) > 2:
            errors.append(_('line %(number)s: "%(line)s" has more than a role and a scope',
                            number=number, line=quoted(line.strip())))
            continue
        scope = words[1] if len(words) == 2 else None
        if role is Role.FUND_MANAGER:
            specs.append(GrantSpec(role, fund_code=scope))
        else:
            specs.append(GrantSpec(role, region_code=scope))
    return specs, errors


class GrantsField(TextAreaField):
    """Role grants, one per line; ``data`` stays text, ``specs`` holds the parsed grants."""

    def pre_validate(self, form):
        self.specs, errors = parse_grants(self.data)
        if errors:
            self.errors.extend(errors[:-1])
            raise ValidationError(errors[-1])


class NewUserForm(FlaskForm):
    """A new user."""

    email = StringField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired()])
    grants = GrantsField(_l("Roles and scopes"), validators=[DataRequired()],
                         description=GRANTS_HINT)
    locale = SelectField(_l("Language"), choices=list(LANGUAGES), default="zh")


class EditUserForm(FlaskForm):
    """A user's roles and whether they may sign in."""

    @classmethod
    def for_user(cls, user) -> EditUserForm:
        """The form filled in from a stored user (grants as text lines)."""
        form = cls(obj=user)
        if not form.is_submitted():  # obj would otherwise put the RoleGrant objects in the box
            form.grants.data = grants_text(user)
        return form

    version = HiddenField()
    grants = GrantsField(_l("Roles and scopes"), validators=[DataRequired()],
                         description=GRANTS_HINT)
    is_active = BooleanField(_l("May sign in"))


def grants_text(user) -> str:
    """A user's grants in the one-per-line form."""
    lines = []
    for grant in user.grants:
        scope = grant.fund.code if grant.fund else (grant.region.code if grant.region else "")
        lines.append(f"{grant.role} {scope}".strip())
    return "\n".join(lines)
