"""What the web's list pages share: their query parameters, links that keep them, field errors."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import request, send_file, url_for
from flask_babel import gettext as _

from app.domain.quarter import Quarter, QuarterError
from app.services.errors import ValidationFailed
from app.services.exchange import tables
from app.services.lists.keyset import MAX_CURSOR_LENGTH, PAGE_SIZES, KeysetPage, per_page_of
from app.web.common import UNPROCESSABLE, coded_label, localized

PAGING = ("sort", "per_page", "cursor")
RESETTABLE = frozenset(PAGING)
"""Bad values of these are dropped and the first page shown, with a message."""


@dataclass
class ListState:
    """A list page's parameters as typed, its page of rows, and the message of each bad field."""

    endpoint: str
    args: dict[str, str]
    default_sort: str
    page: KeysetPage | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    page_sizes: tuple[int, ...] = PAGE_SIZES
    descending_sorts: frozenset[str] = frozenset()
    """Sorts whose first column runs newest/largest first when named without a "-"."""

    @property
    def status(self) -> int:
        """422 when a parameter was wrong (the page still shows the form), else 200."""
        return UNPROCESSABLE if self.errors else 200

    @property
    def rows(self) -> list:
        """The rows of the page (none when a filter was wrong)."""
        return self.page.items if self.page else []

    @property
    def sort(self) -> str:
        """The sort in force: the page's, or the one asked for, or the default."""
        return self.page.sort if self.page else (self.args.get("sort") or self.default_sort)

    def value(self, name: str) -> str:
        """A parameter as the user typed it ("" when absent)."""
        return self.args.get(name, "")

    def url(self, **changes) -> str:
        """This list's URL with its filters, sort and page size, and ``changes``; the cursor is
        only kept when given (so a new filter or sort starts at the first page)."""
        args = {k: v for k, v in self.args.items() if k != "cursor"}
        args.update({k: v for k, v in changes.items()})
        return url_for(self.endpoint, **{k: v for k, v in args.items() if v not in (None, "")})

    def sort_direction(self, name: str) -> str | None:
        """"ascending"/"descending" when the list is sorted by ``name``, else None."""
        natural, flipped = ("descending", "ascending") if name in self.descending_sorts \
            else ("ascending", "descending")
        if self.sort == name:
            return natural
        if self.sort == f"-{name}":
            return flipped
        return None

    def sort_url(self, name: str) -> str:
        """The link of a column header: sort by it, or reverse it if it is already the sort."""
        return self.url(sort=f"-{name}" if self.sort == name else name)

    def field_errors(self, name: str) -> list[str]:
        """The messages about parameter ``name``."""
        return self.errors.get(name, [])

    @property
    def other_errors(self) -> list[tuple[str, str]]:
        """(field, message) of the bad parameters the filter form has no control for."""
        return [(k, m) for k in ("cursor", "sort") for m in self.errors.get(k, [])]


def read_args(*names: str) -> dict[str, str]:
    """The list's filter and paging parameters from the query string, stripped, non-empty."""
    values = {}
    for name in (*names, *PAGING):
        text = request.args.get(name, "").strip()[:MAX_CURSOR_LENGTH if name == "cursor" else 200]
        if text:
            values[name] = text
    return values


def message_for(name: str, value: str, service_message: str, kinds: dict[str, str]) -> str:
    """The user's-language message about parameter ``name``, by what kind of value it takes
    (else the service's own message, translated)."""
    kind = kinds.get(name, name)
    value = value[:40]
    if kind == "region":
        return _('"%(value)s" is not a known region code.', value=value)
    if kind == "indicator":
        return _('"%(value)s" is not a known indicator code.', value=value)
    if kind == "sort":
        return _('"%(value)s" is not a column this list can be sorted by; showing the default '
                 'order.', value=value)
    if kind == "per_page":
        return _("Choose 25, 50 or 100 rows per page; showing 50.")
    if kind == "cursor":
        return _("This page link is not valid for this list (it was altered or made for "
                 "another order); showing the first page.")
    return localized(service_message)


def load(state: ListState, fetch: Callable[..., KeysetPage], kinds: dict[str, str],
         **filters) -> ListState:
    """Fetch the page for ``state`` (``fetch(sort=, cursor=, per_page=, **filters)``).

    A bad filter leaves the page empty with its message; a bad sort, page size or cursor is
    reported and dropped, and the first page in the default order shown instead."""
    paging = {"sort": state.value("sort") or None, "cursor": state.value("cursor") or None}
    try:
        paging["per_page"] = per_page_of(state.value("per_page"))
    except ValidationFailed as exc:
        _note(state, exc, kinds)
        paging["per_page"] = per_page_of(None)
        state.args.pop("per_page", None)
    for _attempt in range(3):
        if state.errors and not RESETTABLE.issuperset(state.errors):
            return state
        try:
            state.page = fetch(**paging, **filters)
            return state
        except ValidationFailed as exc:
            _note(state, exc, kinds)
            for name in RESETTABLE & set(exc.errors):
                paging[name] = None if name != "per_page" else paging["per_page"]
                state.args.pop(name, None)
    return state


def _note(state: ListState, exc: ValidationFailed, kinds: dict[str, str]) -> None:
    for name, messages in exc.errors.items():
        for message in messages:
            state.errors.setdefault(name, []).append(
                message_for(name, state.value(name), message, kinds))


def parse_quarter(state: ListState, name: str) -> Quarter | None:
    """Parameter ``name`` as a quarter (None if empty); a message beside it if it is not one."""
    text = state.value(name)
    if not text:
        return None
    try:
        return Quarter.parse(text)
    except QuarterError:
        state.errors.setdefault(name, []).append(
            _('"%(value)s" is not a quarter like 2026Q3.', value=text[:40]))
        return None


def parse_date(state: ListState, name: str) -> dt.date | None:
    """Parameter ``name`` as an ISO date (None if empty); a message beside it if it is not one."""
    text = state.value(name)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        state.errors.setdefault(name, []).append(
            _('"%(value)s" is not a date like 2026-09-30.', value=text[:40]))
        return None


def parse_choice(state: ListState, name: str, enum_cls):
    """Parameter ``name`` as a member of ``enum_cls`` by its code (None if empty or unknown,
    with a message beside it)."""
    text = state.value(name)
    if not text:
        return None
    try:
        return enum_cls(text)
    except ValueError:
        state.errors.setdefault(name, []).append(
            _('"%(value)s" is not one of the choices.', value=text[:40]))
        return None


def choices(enum_cls) -> list[tuple[str, str]]:
    """(code, label in the user's language) of every member, for a filter's drop-down."""
    return [(member.value, coded_label(member)) for member in enum_cls]


EXPORT_ROWS = 100_000
"""At most this many rows in a list's export (the list's own pages, followed to the end)."""


def export_format() -> str | None:
    """"csv" or "xlsx" when the list is asked for as a file (``format=``), else None."""
    fmt = request.args.get("format", "")
    return fmt if fmt in tables.FORMATS else None


def export(state: ListState, fetch: Callable[..., KeysetPage], name: str,
           columns: list[tuple[str, Callable]], *, prepare: Callable[[list], list] | None = None,
           **filters):
    """The list as filtered, searched and sorted by ``state``, every page of it (not only the
    page on screen), as a CSV or XLSX download of ``columns`` ((header, row → value)); None
    when a parameter is wrong (the page then shows the message as usual). ``prepare`` turns
    the rows into what the columns read (rows with the figures a page shows beside them)."""
    fmt = export_format()
    if fmt is None or state.errors:
        return None
    paging = {"sort": state.value("sort") or None, "cursor": None, "per_page": max(PAGE_SIZES)}
    rows: list = []
    try:
        while len(rows) < EXPORT_ROWS:
            page = fetch(**paging, **filters)
            rows.extend(page.items)
            if not page.next_cursor:
                break
            paging["cursor"] = page.next_cursor
    except ValidationFailed:
        return None
    rows = rows[:EXPORT_ROWS]
    if prepare is not None:
        rows = prepare(rows)
    return send_table(name, fmt, [header for header, _value in columns],
                      ([value(row) for _header, value in columns] for row in rows))


def send_table(name: str, fmt: str, headers: list[str], rows):
    """``headers`` and ``rows`` as a download ``name.fmt`` (text cells made inert)."""
    out = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - send_file closes it
    tables.write_table(headers, rows, fmt, out)
    out.seek(0)
    return send_file(out, mimetype=tables.MEDIA_TYPES[fmt], as_attachment=True,
                     download_name=f"{name}.{fmt}")
