"""Messages of business rules in English that remember their template, so the web translates."""

from __future__ import annotations

from decimal import Decimal

QUOTE_LIMIT = 80
"""Characters of a typed value a message quotes; longer values are cut and end with "…"."""


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``value`` as text to quote in a message: its first ``limit`` characters and "…" when it
    is longer, so a 100,000-character entry is never echoed back whole."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _quotable(template: str, name: str, value: object) -> object:
    # What the template quotes ("%(value)s") is what someone typed; decimals may be typed too
    # (no figure of the app's own runs to 80 digits). A nested Message and the app's own texts
    # (lists of choices, names) stay whole.
    if isinstance(value, Decimal) or (
            isinstance(value, str) and not isinstance(value, Message)
            and f'"%({name})s"' in template):
        return quoted(value) if len(str(value)) > QUOTE_LIMIT else value
    return value


class Message(str):
    """English text (what the API, the CLI and the logs read) that keeps its msgid and values,
    so the web interface can show it in the user's language (``app.web.common.localized``)."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> Message:
        values = {name: _quotable(template, name, value) for name, value in values.items()}
        message = super().__new__(cls, template % values if values else template)
        message.template = template
        message.values = values
        return message


def N_(template: str, **values: object) -> Message:
    """Mark a message for translation: ``N_('"%(email)s" is not an e-mail address', email=e)``
    (``make translations-update`` extracts the template). A value the template quotes
    (``"%(value)s"``), and any decimal, longer than ``QUOTE_LIMIT`` characters is cut short
    (:func:`quoted`)."""
    return Message(template, **values)
