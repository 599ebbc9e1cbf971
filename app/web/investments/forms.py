"""Forms of the investment pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Optional

from app.domain.codes import TransactionType
from app.services.funds.investments import TransactionData
from app.web.fields import AmountField, CodedField, IsoDateField, NonNegative, Positive


class TransactionForm(FlaskForm):
    """A ledger entry. Amount in yuan, positive."""

    type = CodedField(_l("Type"), enum=TransactionType)
    occurred_on = IsoDateField(_l("Date"), validators=[InputRequired()])
    amount = AmountField(_l("Amount (yuan)"), validators=[InputRequired(), Positive()])
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=64)],
                            description=_l("Left blank, one is generated."))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])

    def to_data(self) -> TransactionData:
        """The entered values for the service."""
        return TransactionData(self.type.data, self.occurred_on.data, self.amount.data,
                               self.reference.data or "", self.note.data or "")


class ValuationForm(FlaskForm):
    """A fair-value mark of an equity holding, in yuan."""

    as_of_on = IsoDateField(_l("As of"), validators=[InputRequired()])
    value = AmountField(_l("Fair value (yuan)"), validators=[InputRequired(), NonNegative()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
