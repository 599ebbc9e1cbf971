"""Forms of sign-in and the profile page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.web.common import LANGUAGES


class SignInForm(FlaskForm):
    """E-mail and password."""

    email = StringField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(FlaskForm):
    """Change one's own password."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])


class LocaleForm(FlaskForm):
    """The interface language."""

    locale = SelectField(_l("Language"), choices=list(LANGUAGES))


class LanguageSwitchForm(FlaskForm):
    """The header's language switch: the language, and the same-site page to go back to."""

    locale = SelectField(choices=list(LANGUAGES))
    next = HiddenField()


class TokenForm(FlaskForm):
    """A new personal API token: a name to tell it apart."""

    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)],
                       description=_l("Say which system will use it."))
    expires_days = IntegerField(_l("Expires after (days)"), validators=[Optional()],
                                description=_l("Leave blank for a token that lasts until you "
                                               "revoke it."))


class RevokeTokenForm(FlaskForm):
    """Revoke one of one's tokens."""

    token_id = HiddenField(validators=[DataRequired()])


class SignOutEverywhereForm(FlaskForm):
    """End every session of one's own (the form carries only its CSRF token)."""


__all__ = ["Email", "LanguageSwitchForm", "LocaleForm", "PasswordForm", "RevokeTokenForm",
           "SignInForm", "SignOutEverywhereForm", "TokenForm"]
