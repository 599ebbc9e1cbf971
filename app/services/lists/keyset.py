"""Keyset pagination of any scoped list: sort keys, opaque cursors, next/previous/first pages.

A list is a :class:`ListSpec`: a base query already limited to the user's scope, the sort keys
it allows and the columns its free-text search looks in. A page continues strictly after (or
before) the sort-key values of a row, never at an OFFSET, so a page costs the same however deep
it lies, and ties on a sort column are broken by the primary key at the end of every key.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, bindparam, or_, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.types import Enum as SAEnum

from app.domain.messages import N_
from app.domain.quarter import Quarter, QuarterError
from app.services.errors import ValidationFailed

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50
MAX_CURSOR_LENGTH = 2000
MAX_INT = 2**63 - 1


class BadCursor(ValidationFailed):
    """A ``cursor`` parameter that was not made by this list (or not for its current sort)."""

    def __init__(self, text: str):
        super().__init__(cursor=N_('"%(value)s" is not a position this list gave out; start '
                                   "again from the first page", value=text[:40]))


@dataclass(frozen=True)
class SortKey:
    """A sort order: non-null columns ending in a unique column, each ascending unless its
    index is in ``descending``."""

    columns: tuple[ColumnElement, ...]
    descending: frozenset[int] = frozenset()
    bounds: tuple[object, object] = (None, None)
    """Values no first-column value lies below / above (None: unknown). The first page states
    the one its direction starts from, so the planner walks the first column's index."""
    grouped: bool = False
    """The first column has few distinct values (a quarter): read a page one value at a time."""

    def direction(self, index: int, reverse: bool) -> bool:
        """Whether column ``index`` runs descending (``reverse`` flips every column)."""
        return (index in self.descending) != reverse


@dataclass(frozen=True)
class ListSpec:
    """A scoped base query, the sorts it allows by name, the default sort and search columns.

    A sort name given with a leading ``-`` runs the named key in the opposite direction.
    """

    query: Select
    sorts: dict[str, SortKey]
    default_sort: str
    search_columns: tuple[ColumnElement, ...] = ()

    def sort_key(self, sort: str | None) -> tuple[str, SortKey, bool]:
        """The sort's name as given (or the default), its key, and whether it is reversed."""
        sort = sort or self.default_sort
        name, reverse = (sort[1:], True) if sort.startswith("-") else (sort, False)
        if name not in self.sorts:
            raise ValidationFailed(sort=N_('"%(value)s" is not a column this list can be sorted '
                                           "by", value=sort[:40]))
        return sort, self.sorts[name], reverse


@dataclass(frozen=True)
class KeysetPage:
    """One page of a list, its sort, and the cursors of the pages around it (None at an end)."""

    items: list
    sort: str
    per_page: int
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool

    @property
    def count(self) -> int:
        """How many rows this page shows."""
        return len(self.items)


def per_page_of(text: str | int | None) -> int:
    """A page size from a query parameter: one of PAGE_SIZES (default 50); else ValidationFailed
    naming ``per_page``."""
    if text in (None, ""):
        return DEFAULT_PAGE_SIZE
    value = str(text).strip()
    if not value.isdigit() or int(value) not in PAGE_SIZES:
        raise ValidationFailed(per_page=N_('"%(value)s" is not a page size this list offers '
                                           "(25, 50 or 100)", value=value[:20]))
    return int(value)


def contains(columns: tuple[ColumnElement, ...], text: str | None) -> ColumnElement | None:
    """SQL: any of ``columns`` contains ``text`` case-insensitively (% and _ match literally)."""
    text = (text or "").strip()
    if not text or not columns:
        return None
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(*(c.ilike(f"%{escaped}%", escape="\\") for c in columns))


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Quarter):
        return str(value)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"a sort column holds {type(value).__name__}, which a cursor cannot carry")
    return value


def encode_cursor(sort: str, before: bool, values: tuple) -> str:
    """An opaque, URL-safe cursor: the sort, the direction and a row's sort-key values."""
    payload = json.dumps([sort, "p" if before else "n", *(_plain(v) for v in values)],
                         ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _typed(column: ColumnElement, raw):
    """The raw JSON value of a cursor as the column's Python value; ValueError if it is not."""
    kind = column.type
    if isinstance(kind, SAEnum) and kind.enum_class is not None:
        return kind.enum_class(raw)
    if type(kind).__name__ == "QuarterType":
        if not isinstance(raw, str):
            raise ValueError(raw)
        return Quarter.parse(raw)
    python = kind.python_type
    if python is int:
        if isinstance(raw, bool) or not isinstance(raw, int) or abs(raw) > MAX_INT:
            raise ValueError(raw)
    elif python is str:
        if not isinstance(raw, str) or len(raw) > (getattr(kind, "length", None) or 1000):
            raise ValueError(raw)
    else:
        raise ValueError(raw)
    return raw


def decode_cursor(text: str, sort: str, key: SortKey) -> tuple[bool, tuple]:
    """Whether the cursor pages backwards, and its typed values; BadCursor if it is not one this
    list gave out for ``sort``."""
    try:
        if len(text) > MAX_CURSOR_LENGTH:
            raise ValueError(text)
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = json.loads(raw.decode())
        if (not isinstance(payload, list) or len(payload) != len(key.columns) + 2
                or payload[0] != sort or payload[1] not in ("n", "p")):
            raise ValueError(text)
        values = tuple(_typed(c, v) for c, v in zip(key.columns, payload[2:], strict=True))
    except (ValueError, TypeError, QuarterError, binascii.Error, UnicodeDecodeError,
            RecursionError):
        raise BadCursor(text) from None
    return payload[1] == "p", values


def _beyond(key: SortKey, values: tuple, reverse: bool) -> ColumnElement[bool]:
    """SQL: the row comes strictly after ``values`` in the key's order (flipped by reverse)."""
    params = [bindparam(None, v, type_=c.type) for c, v in zip(key.columns, values, strict=True)]
    directions = {key.direction(i, reverse) for i in range(len(key.columns))}
    if len(directions) == 1:
        left, right = tuple_(*key.columns), tuple_(*params)
        return left < right if directions.pop() else left > right
    clauses = []
    for i, column in enumerate(key.columns):
        step = column < params[i] if key.direction(i, reverse) else column > params[i]
        clauses.append(and_(*(key.columns[j] == params[j] for j in range(i)), step))
    first = key.columns[0]  # redundant, but lets an index on the first column bound the scan
    bound = first <= params[0] if key.direction(0, reverse) else first >= params[0]
    return and_(bound, or_(*clauses))


def _start(key: SortKey, reverse: bool) -> list:
    """SQL: the always-true bound of the first page on the first column, where one is known."""
    first, (low, high) = key.columns[0], key.bounds
    if key.direction(0, reverse):
        return [first <= bindparam(None, high, type_=first.type)] if high is not None else []
    return [first >= bindparam(None, low, type_=first.type)] if low is not None else []


def _ordered(key: SortKey, reverse: bool) -> list:
    return [c.desc() if key.direction(i, reverse) else c.asc()
            for i, c in enumerate(key.columns)]


def where_given(query: Select, *clauses) -> Select:
    """``query`` narrowed by the clauses that are not None (the filters a user gave)."""
    return query.where(*(c for c in clauses if c is not None))


def paginate(session: Session, spec: ListSpec, *, sort: str | None = None,
             cursor: str | None = None, per_page: int = DEFAULT_PAGE_SIZE,
             search: str | None = None) -> KeysetPage:
    """One page of ``spec``: the first, or the one after/before ``cursor``.

    A bounded number of queries whatever the depth or the table's size (plus the spec's eager
    loads): the page's rows with their sort key columns, ordered and limited; a grouped key reads
    them group by group (see _grouped_page).
    """
    sort, key, reverse = spec.sort_key(sort)
    query = spec.query
    match = contains(spec.search_columns, search)
    if match is not None:
        query = query.where(match)
    before, values = decode_cursor(cursor, sort, key) if cursor else (False, None)
    backwards = reverse != before
    read = _grouped_page if key.grouped and len(key.columns) > 1 else _plain_page
    keys, rows = read(session, query, key, values, backwards, per_page + 1)
    by_key = {k[-1]: row for k, row in zip(keys, rows, strict=True)}
    more = len(keys) > per_page
    keys = keys[:per_page]
    if before:
        keys.reverse()
    has_next = (values is not None) if before else more
    has_previous = more if before else (values is not None)
    return KeysetPage(
        items=[by_key[k[-1]] for k in keys if k[-1] in by_key], sort=sort, per_page=per_page,
        next_cursor=encode_cursor(sort, False, keys[-1]) if has_next and keys else None,
        previous_cursor=encode_cursor(sort, True, keys[0]) if has_previous and keys else None,
        is_first=not has_previous)


def _plain_page(session: Session, query: Select, key: SortKey, values: tuple | None,
                backwards: bool, limit: int) -> tuple[list[tuple], list]:
    """The next ``limit`` rows after ``values`` and their sort keys, in one query: the rows with
    their key columns, ordered and limited as the keys alone would be."""
    page = query.add_columns(*key.columns)
    page = page.where(_beyond(key, values, backwards)) if values is not None \
        else page.where(*_start(key, backwards))
    found = session.execute(page.order_by(*_ordered(key, backwards)).limit(limit)).all()
    return [tuple(r[1:]) for r in found], [r[0] for r in found]


MAX_GROUPS = 3
"""Values of a grouped key's first column a page reads one by one before reading on in one
sorted query (which then only sorts what few rows remain)."""


def _grouped_page(session: Session, query: Select, key: SortKey, values: tuple | None,
                  backwards: bool, limit: int) -> tuple[list[tuple], list]:
    """As _plain_page, for a key whose first column has few distinct values (a quarter): the
    page is read within one value at a time (an equality an index serves in the order of the
    other columns), so no query sorts a whole group of rows. At most 2 × MAX_GROUPS + 1
    queries."""
    first, rest = key.columns[0], SortKey(key.columns[1:], frozenset(
        i - 1 for i in key.descending if i > 0))
    descending = key.direction(0, backwards)
    found: list[tuple] = []
    rows: list = []
    group, rest_after, passed = (values[0], values[1:], None) if values else (None, None, None)
    for _ in range(MAX_GROUPS):
        if group is None:  # the next value in the whole table (an index's end): the filters
            step = select(first)  # below may find no row in it, which only costs a step
            if passed is not None:
                step = step.where(first < passed if descending else first > passed)
            else:
                step = step.where(*_start(key, backwards))
            group = session.scalars(step.order_by(first.desc() if descending else first.asc())
                                    .limit(1)).first()
            if group is None:
                return found, rows
        within = query.add_columns(*rest.columns) \
            .where(first == bindparam(None, group, type_=first.type))
        if rest_after is not None:
            within = within.where(_beyond(rest, rest_after, backwards))
        for row in session.execute(within.order_by(*_ordered(rest, backwards))
                                   .limit(limit - len(found))):
            found.append((group, *row[1:]))
            rows.append(row[0])
        if len(found) >= limit:
            return found, rows
        passed, group, rest_after = group, None, None
    keys, more = _plain_page(session, query.where(first < passed if descending else first > passed),
                             key, None, backwards, limit - len(found))
    return found + keys, rows + more

