"""The form of an attached document: the file (any name; its content decides) and a note."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField
from wtforms.validators import Length


class AttachForm(FlaskForm):
    """One file and an optional note; the service checks the file (type from its content,
    size, not empty) and names ``file`` in its messages."""

    file = FileField(_l("File"), description=_l("PDF, OFD, PNG, JPEG, XLSX or CSV"))
    note = StringField(_l("Note (optional)"), validators=[Length(max=500)])
    version = HiddenField()
