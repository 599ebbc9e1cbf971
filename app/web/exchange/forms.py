"""Forms of the import pages: shape only; the import service checks every row."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired


class UploadForm(FlaskForm):
    """A file and what it holds (a kind, or a workbook of kinds)."""

    kind = SelectField(_l("What the file holds"), validators=[DataRequired()])
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


class ConfirmForm(FlaskForm):
    """Import the previewed file for real."""

    upload_id = HiddenField(validators=[DataRequired()])
