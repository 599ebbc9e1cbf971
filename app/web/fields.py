"""Form fields for exact amounts and coded values, shared by every form of the web interface."""

from __future__ import annotations

from decimal import Decimal

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import TextInput

from app.db import get_session
from app.domain.messages import quoted
from app.domain.money import AmountError, parse_decimal, to_minor_units
from app.services.reference import search as lookup


class AmountField(StringField):
    """A decimal typed as people type it (``¥1,234.50``, full-width digits); never a float.

    ``places`` is the finest unit accepted (2: fen). Blank gives None.
    """

    def __init__(self, label=None, validators=None, places: int = 2, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.places = places

    def process_formdata(self, valuelist):
        self.data = None
        self.raw = (valuelist[0] if valuelist else "") or ""
        if not self.raw.strip():
            return
        try:
            value = parse_decimal(self.raw)
        except AmountError as exc:
            raise ValueError(_('"%(text)s" is not a number', text=quoted(self.raw))) from exc
        quantum = Decimal(1).scaleb(-self.places)
        try:
            to_minor_units(value, quantum)
        except AmountError as exc:
            raise ValueError(_("%(value)s is not a whole multiple of %(quantum)s",
                               value=quoted(value), quantum=quantum)) from exc
        self.data = value

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class NonNegative:
    """The amount is zero or more."""

    def __call__(self, form, field):
        if field.data is not None and field.data < 0:
            raise ValidationError(_("%(value)s is negative", value=field.data))


class Positive:
    """The amount is more than zero."""

    def __call__(self, form, field):
        if field.data is not None and field.data <= 0:
            raise ValidationError(_("%(value)s is not a positive amount", value=field.data))


def coded_choices(enum_cls) -> list[tuple[str, str]]:
    """(code, label in the user's language) for every member of a coded enum."""
    zh = str(get_locale() or "zh").startswith("zh")
    return [(m.value, m.label_zh if zh else m.label_en) for m in enum_cls]


class CodedField(SelectField):
    """A drop-down of a coded enum, labelled in the user's language; ``data`` is the member."""

    def __init__(self, label=None, validators=None, enum=None, **kwargs):
        super().__init__(label, validators, choices=lambda: coded_choices(enum),
                         coerce=lambda value: value if isinstance(value, enum) else enum(value),
                         **kwargs)


def IsoDateField(label=None, validators=None, **kwargs) -> DateField:
    """A date typed or picked as ISO ``2026-09-30``."""
    return DateField(label, validators, format="%Y-%m-%d",
                     render_kw={"type": "date", "placeholder": "2026-09-30"}, **kwargs)


__all__ = ["AmountField", "CodedField", "IsoDateField", "NonNegative", "Optional", "Positive"]


class PickerInput(TextInput):
    """A text input for a code that app/static/picker.js turns into a search-as-you-type
    combobox over /lookup/<kind>; the chosen row's name is shown beside the code."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def __call__(self, field, **kwargs):
        name_id = f"{field.id}-name"
        kwargs.setdefault("autocomplete", "off")
        kwargs.setdefault("spellcheck", "false")
        kwargs["data-lookup"] = url_for(f"lookup.{self.kind}")
        kwargs["data-name"] = name_id
        kwargs["aria-describedby"] = name_id
        code = field._value()
        name = lookup.name_of(get_session(), self.kind, code) if code else ""
        return Markup('<span class="picker">{}<span class="picker-name" id="{}">{}</span></span>'
                      ).format(super().__call__(field, **kwargs), name_id, name)


class PickerField(StringField):
    """A region (kind "regions") or industry (kind "industries") code, typed or picked.

    Without JavaScript the plain input takes the code, the code followed by anything, or an
    exact name borne by one row only; ``data`` is the code (blank gives "")."""

    def __init__(self, label=None, validators=None, kind: str = "regions", **kwargs):
        super().__init__(label, validators, widget=PickerInput(kind), **kwargs)
        self.kind = kind

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "") or ""
        self.data = lookup.code_for(get_session(), self.kind, text) if text.strip() else ""

    def _value(self):
        return self.data or ""
