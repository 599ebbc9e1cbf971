"""Forms of the deadline pages: days (1 to 365) and a lock exception."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.web.agreements.forms import QuarterField
from app.web.fields import IsoDateField

TIMELY_HINT = _l("Days after the quarter end by which a submission is on time (1 to 365).")
LOCK_HINT = _l("Days after the quarter end after which the destination bureau can no longer "
               "enter or submit (at least the days above, at most 365).")


class SettingsForm(FlaskForm):
    """The administrator's default days."""

    timely_days = IntegerField(_l("Days to the on-time date"), validators=[InputRequired()],
                               description=TIMELY_HINT)
    lock_days = IntegerField(_l("Days until entry locks"), validators=[InputRequired()],
                             description=LOCK_HINT)
    version = HiddenField()


class AgreementDaysForm(FlaskForm):
    """An agreement's own days; blank: the administrator's default."""

    timely_days = IntegerField(_l("Days to the on-time date"), validators=[Optional()])
    lock_days = IntegerField(_l("Days until entry locks"), validators=[Optional()])
    version = HiddenField()


class GrantForm(FlaskForm):
    """A lock exception: quarter, party (or all), until when, and why."""

    quarter = QuarterField(_l("Quarter"), validators=[DataRequired()],
                           render_kw={"placeholder": "2026Q3"})
    region = SelectField(_l("Party"), default="")
    until = IsoDateField(_l("Entry reopened until (inclusive)"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)],
                           render_kw={"rows": 3})


class RevokeForm(FlaskForm):
    """Revoke an exception (its version guards against a concurrent change)."""

    version = HiddenField()
