"""Forms of the agreement pages. The rule form is built per agreement: one weight column and
one cap per party."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.domain.codes import CapScope, PartyRole, ReviewKind, SharingMode
from app.domain.messages import quoted
from app.domain.money import parse_decimal
from app.domain.quarter import Quarter, QuarterError
from app.services.sharing.agreements import AgreementData, CapData, PartyData, RuleData, TierData
from app.web.fields import AmountField, CodedField, IsoDateField, NonNegative, PickerField

MAX_PARTIES = 4
MAX_TIERS = 5


class QuarterField(StringField):
    """A quarter typed as ``2026Q3``; blank gives None."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            try:
                self.data = Quarter.parse(text)
            except QuarterError as exc:
                raise ValueError(str(exc)) from exc

    def _value(self):
        return self.raw_data[0] if self.raw_data else (str(self.data) if self.data else "")


class AgreementForm(FlaskForm):
    """An agreement's heading and up to four parties (region code and role)."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    basis_document = StringField(_l("Basis document"), validators=[Optional(), Length(max=200)],
                                 description=_l("For example 财预〔2015〕92号"))
    signed_on = IsoDateField(_l("Signed on"), validators=[Optional()])


def agreement_form_class() -> type[AgreementForm]:
    """The agreement form with its party rows (blank rows are ignored)."""

    class Form(AgreementForm):
        pass

    for n in range(MAX_PARTIES):
        setattr(Form, f"party{n}_region", PickerField(
            _l("Party %(n)s region", n=n + 1), kind="regions", default=""))
        setattr(Form, f"party{n}_role", CodedField(
            _l("Party %(n)s role", n=n + 1), enum=PartyRole,
            default=PartyRole.DESTINATION if n == 0 else PartyRole.SOURCE))

    def to_data(self) -> AgreementData:
        parties = [PartyData(getattr(self, f"party{n}_region").data,
                             getattr(self, f"party{n}_role").data)
                   for n in range(MAX_PARTIES) if getattr(self, f"party{n}_region").data]
        return AgreementData(code=self.code.data, title=self.title.data, parties=parties,
                             basis_document=self.basis_document.data or "",
                             signed_on=self.signed_on.data)

    Form.to_data = to_data
    return Form


class CoveredForm(FlaskForm):
    """The covered projects and parks, one code per line (at least one of either)."""

    projects = TextAreaField(_l("Covered projects (one code per line)"),
                             validators=[Optional()], render_kw={"rows": 8})
    parks = TextAreaField(_l("Covered parks (one code per line)"), validators=[Optional()],
                          render_kw={"rows": 3},
                          description=_l("Every project of the park, from the later of its "
                                         "joining the park and the agreement's first quarter"))


class RuleFormBase(FlaskForm):
    """Mode, baseline and the percent switch; tiers and caps are added per party."""

    mode = CodedField(_l("Mode"), enum=SharingMode)
    as_percent = BooleanField(_l("Weights are percentages (each tier must add up to 100)"))
    baseline = AmountField(_l("Baseline per quarter"), validators=[Optional(), NonNegative()],
                           places=4)
    baseline_owner = SelectField(_l("Baseline owner"), validate_choice=False)


def rule_form_class(parties) -> type[RuleFormBase]:
    """A rule form with ``MAX_TIERS`` tier rows × one weight per party, and a cap per party."""

    class Form(RuleFormBase):
        pass

    for t in range(MAX_TIERS):
        setattr(Form, f"t{t}_first", QuarterField(_l("From")))
        setattr(Form, f"t{t}_last", QuarterField(_l("To (blank: open-ended)")))
        for party in parties:
            setattr(Form, f"t{t}_w_{party.region.code}", AmountField(
                party.region.name, validators=[Optional(), NonNegative()], places=4))
    for party in parties:
        setattr(Form, f"cap_{party.region.code}", AmountField(
            party.region.name, validators=[Optional(), NonNegative()], places=4))
        setattr(Form, f"cap_scope_{party.region.code}", CodedField(_l("Scope"), enum=CapScope))

    def to_data(self, indicator: str) -> RuleData:
        tiers = []
        for t in range(MAX_TIERS):
            first = getattr(self, f"t{t}_first").data
            if first is None:
                continue
            weights = {p.region.code: getattr(self, f"t{t}_w_{p.region.code}").data
                       for p in parties}
            tiers.append(TierData(first, getattr(self, f"t{t}_last").data,
                                  {k: v for k, v in weights.items() if v is not None}))
        caps = [CapData(p.region.code, getattr(self, f"cap_{p.region.code}").data,
                        getattr(self, f"cap_scope_{p.region.code}").data)
                for p in parties if getattr(self, f"cap_{p.region.code}").data is not None]
        return RuleData(indicator=indicator, mode=self.mode.data, tiers=tiers,
                        baseline=self.baseline.data,
                        baseline_owner=self.baseline_owner.data or "", caps=caps,
                        as_percent=bool(self.as_percent.data))

    Form.to_data = to_data
    return Form


def rule_error_field(name: str, tier_fields: list[int]) -> str:
    """The form field of a rule error reported by the engine (``tiers[1].weights.S`` …)."""
    if name.startswith("tiers["):
        index = int(name[6:name.index("]")])
        rest = name[name.index("]") + 2:] if "]." in name else ""
        t = tier_fields[index] if index < len(tier_fields) else index
        if rest.startswith("weights."):
            return f"t{t}_w_{rest.split('.', 1)[1]}"
        if rest == "last":
            return f"t{t}_last"
        return f"t{t}_first"
    if name.startswith("caps["):
        return "caps"
    return name


class SimulateForm(FlaskForm):
    """Invented or past figures for one indicator, one ``2026Q1 1234.56`` per line."""

    indicator = SelectField(_l("Indicator"), validate_choice=False)
    figures = TextAreaField(_l("Quarter and value, one per line"), validators=[DataRequired()],
                            render_kw={"rows": 8, "placeholder": "2026Q1 1234567.89"})

    def parsed(self) -> dict[Quarter, Decimal]:
        """The figures by quarter; ValidationError naming the line for anything else."""
        figures: dict[Quarter, Decimal] = {}
        for number, line in enumerate(self.figures.data.splitlines(), start=1):
            words = line.split()
            if not words:
                continue
            try:
                if len(words) != 2:
                    raise ValueError(_('"%(line)s" is not a quarter and a value',
                                       line=quoted(line.strip())))
                quarter, value = Quarter.parse(words[0]), parse_decimal(words[1])
            except ValueError as exc:
                raise ValidationError(_("line %(number)s: %(error)s", number=number,
                                        error=exc)) from exc
            if quarter in figures:
                raise ValidationError(_("line %(number)s: %(quarter)s is given twice",
                                        number=number, quarter=quarter))
            figures[quarter] = value
        return figures

    def validate_figures(self, field):
        """Check every line when the form is validated."""
        self.parsed()


class ObservationsForm(FlaskForm):
    """The grid is read from the request by cell name; this form carries the CSRF token."""

    reason = StringField(_l("Reason (needed for corrections of closed quarters)"),
                         validators=[Optional(), Length(max=500)])


class ConfirmForm(FlaskForm):
    """Confirm one party's side of the statement that was shown (its fingerprint)."""

    party = HiddenField(validators=[DataRequired()])
    fingerprint = HiddenField(validators=[DataRequired()])


class ReviewForm(FlaskForm):
    """An auditor's review."""

    kind = CodedField(_l("Review"), enum=ReviewKind)
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class AnswerForm(FlaskForm):
    """A bureau's answer to a query."""

    review_id = HiddenField(validators=[DataRequired()])
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=2000)])


class ReopenForm(FlaskForm):
    """An administrator reopens a closed quarter."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class SimpleActionForm(FlaskForm):
    """A button that only needs the CSRF token (submit, activate)."""

    version = HiddenField()


def check_quarter(form, field):
    """WTForms validator: the field holds a quarter."""
    if field.data is None:
        raise ValidationError(_("enter a quarter like 2026Q3"))
