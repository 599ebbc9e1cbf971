"""Messages of business rules in English that remember their template, so the web translates."""

from __future__ import annotations


class Message(str):
    """English text (what the API, the CLI and the logs read) that keeps its msgid and values,
    so the web interface can show it in the user's language (``app.web.common.localized``)."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> Message:
        message = super().__new__(cls, template % values if values else template)
        message.template = template
        message.values = values
        return message


def N_(template: str, **values: object) -> Message:
    """Mark a message for translation: ``N_('"%(email)s" is not an e-mail address', email=e)``
    (``make translations-update`` extracts the template)."""
    return Message(template, **values)
