"""Forms of the settlement pages. Values go to the services as typed: they check them and name
the field of any refusal."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.domain.codes import DifferenceReason, NoticeLevel
from app.web.common import coded_label


class ComputeForm(FlaskForm):
    """Compute (or show) the run of a fiscal year."""

    fiscal_year = StringField(_l("Fiscal year"), validators=[DataRequired()],
                              render_kw={"inputmode": "numeric", "placeholder": "2025"})


class RunConfirmForm(FlaskForm):
    """Confirm one party's side of the run that was shown (its fingerprint)."""

    party = HiddenField(validators=[DataRequired()])
    fingerprint = HiddenField(validators=[DataRequired()])


class NoticeForm(FlaskForm):
    """The superior department's settlement notice, as a bureau records it."""

    level = SelectField(_l("Issuing level"), choices=[])
    number = StringField(_l("Notice number"), validators=[DataRequired(), Length(max=100)])
    issued_on = StringField(_l("Date of the notice"), validators=[DataRequired()],
                            render_kw={"type": "date", "placeholder": "2026-05-20"})
    payer = SelectField(_l("Payer"), choices=[])
    payee = SelectField(_l("Payee"), choices=[])
    amount = StringField(_l("Amount booked (yuan)"), validators=[DataRequired()],
                         render_kw={"inputmode": "decimal"})
    reason = SelectField(_l("Reason for a difference"), choices=[])

    def fill(self, parties) -> NoticeForm:
        """Choices in the user's language: levels, the agreement's parties, reasons."""
        self.level.choices = [(m.value, coded_label(m)) for m in NoticeLevel]
        places = [(p.region.code, p.region.name) for p in parties]
        self.payer.choices = places
        self.payee.choices = places[1:] + places[:1]
        self.reason.choices = [("", "—")] + [(m.value, coded_label(m))
                                             for m in DifferenceReason]
        return self


class ResolveForm(FlaskForm):
    """An auditor resolves an open difference with a note."""

    note = TextAreaField(_l("How it was resolved"), validators=[DataRequired(),
                                                              Length(max=2000)])
    version = HiddenField()
