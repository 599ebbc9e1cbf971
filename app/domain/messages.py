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


def _quotable(value: object) -> object:
    # Text and decimals may come from what someone typed; a nested Message, numbers and dates
    # are the app's own and stay as they are.
    if isinstance(value, Message) or not isinstance(value, str | Decimal):
        return value
    return quoted(value) if len(str(value)) > QUOTE_LIMIT else value


class Message(str):
    """English text (what the API, the CLI and the logs read) that keeps its msgid and values,
    so the web interface can show it in the user's language (``app.web.common.localized``)."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> Message:
        values = {name: _quotable(value) for name, value in values.items()}
        message = super().__new__(cls, template % values if values else template)
        message.template = template
        message.values = values
        return message


def N_(template: str, **values: object) -> Message:
    """Mark a message for translation: ``N_('"%(email)s" is not an e-mail address', email=e)``
    (``make translations-update`` extracts the template). Text and decimal values longer than
    ``QUOTE_LIMIT`` characters are quoted cut short (:func:`quoted`)."""
    return Message(template, **values)
