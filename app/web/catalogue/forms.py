"""Forms of the catalogue pages: shape only; the services check the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.domain.codes import CatalogueList


class ImportForm(FlaskForm):
    """An edition file and the edition's own fields."""

    name = StringField(_l("Edition name"), validators=[DataRequired(), Length(max=100)])
    published_on = DateField(_l("Published on"), validators=[Optional()])
    source_note = StringField(_l("Source"), validators=[Optional(), Length(max=500)])
    is_sample = BooleanField(_l("A sample, not the catalogue itself"))
    make_current = BooleanField(_l("Make it the current edition (re-screens every project)"))
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


class CurrentForm(FlaskForm):
    """Make an edition current (a button)."""


class DecisionForm(FlaskForm):
    """Which list applies to a project to be reviewed, and why."""

    list = SelectField(_l("The list that applies"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    version = HiddenField()

    def fill_choices(self, label) -> None:
        """The three lists, labelled in the user's language."""
        self.list.choices = [(m.value, label(m)) for m in CatalogueList]
