"""Forms of the fund pages: shape only; business rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.domain.codes import FundClass, FundStatus, Instrument, InvestorType, MovementType
from app.services.funds.register import CommitmentData, FundData, MovementData
from app.web.fields import (
    AmountField,
    CodedField,
    IsoDateField,
    NonNegative,
    PickerField,
    Positive,
)


class FundForm(FlaskForm):
    """A fund's register entry. Target size in yuan."""

    version = HiddenField()
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    sponsor_region = PickerField(_l("Sponsor region"), validators=[DataRequired()],
                                 kind="regions")
    manager = StringField(_l("Manager"), validators=[DataRequired(), Length(max=200)])
    fund_class = CodedField(_l("Class"), enum=FundClass)
    vintage = IntegerField(_l("Vintage"), validators=[InputRequired(), NumberRange(1990, 2100)])
    target_size = AmountField(_l("Target size (yuan)"), validators=[InputRequired(), NonNegative()])
    term_start_on = IsoDateField(_l("Term start"), validators=[Optional()])
    term_end_on = IsoDateField(_l("Term end"), validators=[Optional()])
    status = CodedField(_l("Status"), enum=FundStatus)

    @classmethod
    def for_fund(cls, fund) -> FundForm:
        """The form filled in from a stored fund (the sponsor as its region code)."""
        form = cls(obj=fund)
        if not form.is_submitted():  # obj would otherwise put the Region object in the list
            form.sponsor_region.data = fund.sponsor_region.code
        return form

    def to_data(self) -> FundData:
        """The entered values for the service."""
        return FundData(
            code=self.code.data, name=self.name.data, sponsor_region=self.sponsor_region.data,
            manager=self.manager.data, fund_class=self.fund_class.data,
            vintage=self.vintage.data, target_size=self.target_size.data,
            term_start_on=self.term_start_on.data, term_end_on=self.term_end_on.data,
            status=self.status.data)


class CommitmentForm(FlaskForm):
    """An LP commitment. Amount in yuan."""

    investor = StringField(_l("Investor"), validators=[DataRequired(), Length(max=200)])
    investor_type = CodedField(_l("Investor type"), enum=InvestorType)
    committed_on = IsoDateField(_l("Date"), validators=[InputRequired()])
    amount = AmountField(_l("Amount (yuan)"), validators=[InputRequired(), Positive()])

    def to_data(self) -> CommitmentData:
        """The entered values for the service."""
        return CommitmentData(self.investor.data, self.investor_type.data,
                              self.committed_on.data, self.amount.data)


class MovementForm(FlaskForm):
    """A capital call, distribution or fee. Amount in yuan."""

    type = CodedField(_l("Type"), enum=MovementType)
    moved_on = IsoDateField(_l("Date"), validators=[InputRequired()])
    amount = AmountField(_l("Amount (yuan)"), validators=[InputRequired(), Positive()])
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=64)],
                            description=_l("Left blank, one is generated."))
    investor = StringField(_l("Investor"), validators=[Optional(), Length(max=200)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])

    def to_data(self) -> MovementData:
        """The entered values for the service."""
        return MovementData(self.type.data, self.moved_on.data, self.amount.data,
                            self.reference.data or "", self.investor.data or "",
                            self.note.data or "")


class ReverseForm(FlaskForm):
    """Reverse a ledger entry: when, and why."""

    reversed_on = IsoDateField(_l("Date of the reversal"), validators=[InputRequired()])
    note = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class InvestmentForm(FlaskForm):
    """Open a position in a project."""

    project = SelectField(_l("Project"), validators=[DataRequired()], validate_choice=False)
    instrument = CodedField(_l("Instrument"), enum=Instrument)
