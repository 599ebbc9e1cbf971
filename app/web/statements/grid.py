"""The observation grid's cells as posted: which ones the user changed, against what.

Each cell's form carries two inputs: ``<project>.<indicator>`` (what the user typed) and
``shown:<project>.<indicator>`` (the exact stored value the page was rendered with; empty: no
value). Only cells whose typed value differs from the shown one are saved, each with the shown
value as the value it replaces, so the service can refuse a cell someone else changed meanwhile
instead of silently undoing their work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _

from app.domain.messages import quoted
from app.domain.money import AmountError, parse_decimal
from app.services.sharing import observations
from app.web.common import localized, localized_name

SHOWN = "shown:"
"""The prefix of a cell's hidden input holding the value the page showed."""


def stored_text(value: Decimal | None) -> str:
    """A stored value as the exact text of the hidden ``shown:`` input (empty: no value)."""
    return "" if value is None else f"{value:f}"


def shown_value(value: Decimal | None, quantum: Decimal) -> str:
    """A stored value as a person reads and types it: thousands separators, at the indicator's
    quantum ("24,442,361.33", never "24442361.3300"); empty: no value. A value finer than its
    quantum (never stored by the services) keeps its digits rather than being rounded."""
    if value is None:
        return ""
    exact = value.quantize(quantum) if quantum.as_tuple().exponent <= 0 else value
    if exact != value:
        exact = value.normalize()
    return f"{exact:,f}"


def _number(text: str) -> Decimal | None:
    """A typed or shown value (blank: None); AmountError if it is no number."""
    text = text.strip()
    return None if text == "" else parse_decimal(text)


@dataclass
class PostedGrid:
    """What the user sent: the changed cells as entries, per-cell messages, and per changed
    cell the text typed and the shown value it replaces (to render the form again)."""

    entries: list[observations.ObservationEntry] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)

    def conflicted(self, conflicts: dict[str, observations.CellConflict]) -> None:
        """Cells someone else changed: their messages, and the value now stored as the one
        the user has now seen (so saving again replaces it deliberately)."""
        for name, conflict in conflicts.items():
            self.errors.setdefault(name, []).append(
                localized(observations.conflict_message(conflict)))
            self.shown[name] = stored_text(conflict.current)


def read_posted(form, indicators, rows, reason: str) -> PostedGrid:
    """The changed cells of the posted ``form`` (a MultiDict). A cell missing from the form
    (a project covered after the page was opened) is left alone; a cell without its ``shown:``
    input is checked against "no value yet"."""
    posted = PostedGrid()
    for row in rows:
        for indicator in indicators:
            name = f"{row.project.code}.{indicator.code}"
            if name not in form:
                continue
            text, shown_text = form.get(name, ""), form.get(SHOWN + name, "")
            try:
                shown = _number(shown_text)
            except AmountError:
                shown, shown_text = None, ""
            try:
                value = _number(text)
            except AmountError:
                posted.errors[name] = [_('%(project)s, %(indicator)s: "%(text)s" is not a number',
                                         project=row.project.code, text=quoted(text.strip()),
                                         indicator=f"{localized_name(indicator)} "
                                                   f"({indicator.code})")]
                posted.typed[name], posted.shown[name] = text, shown_text
                continue
            if value == shown:
                continue
            posted.typed[name], posted.shown[name] = text, shown_text
            posted.entries.append(observations.ObservationEntry(
                row.project.code, indicator.code, value, reason, expected=shown))
    return posted
