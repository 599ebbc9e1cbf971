"""From a sheet's header row and raw rows to typed values per column, every error by row.

Row numbers are those the user sees in the spreadsheet: the header is row 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from app.domain.messages import N_, Message
from app.services.exchange.imports.cells import CellError, Problem, as_text, is_blank, shown
from app.services.exchange.imports.layout import Column

Positions = list[tuple[int, Column]]


def row_error(number: int, column: str, raw: object, message: str, typed: object = None
              ) -> Message:
    """``row 14, amount: "12,3a" is not a number``: the row, the column, the value and what is
    wrong with it. A service message that starts with the typed value quotes the raw one.

    The result is English text (the CLI and the logs) that the web shows in the user's language:
    ``message`` stays a value of it, translated in turn when it was marked with ``N_``."""
    text = str(message)
    quoted = shown(raw) if raw is not None else ""
    if text.startswith('"') or not quoted or f'"{quoted}"' in text:
        return N_("row %(row)s, %(column)s: %(message)s", row=number, column=column,
                  message=message)
    for prefix in {str(typed), quoted} - {"None", ""}:
        if text.startswith(prefix + " "):
            if (requoted := _requoted(message, prefix, quoted)) is not None:
                return N_("row %(row)s, %(column)s: %(message)s", row=number, column=column,
                          message=requoted)
            return N_('row %(row)s, %(column)s: "%(value)s" %(message)s', row=number,
                      column=column, value=quoted, message=text[len(prefix) + 1:])
    if text.split(" ", 1)[0] in _VERBS:
        return N_('row %(row)s, %(column)s: "%(value)s" %(message)s', row=number, column=column,
                  value=quoted, message=message)
    return N_('row %(row)s, %(column)s: "%(value)s": %(message)s', row=number, column=column,
              value=quoted, message=message)


def _requoted(message: object, prefix: str, quoted: str) -> Message | None:
    """A marked message that starts with its value (``%(value)s is negative``) with the raw cell
    quoted in the value's place (``"-5" is negative``), so it stays one translatable message;
    None when ``message`` does not start with a placeholder holding ``prefix``."""
    if not isinstance(message, Message) or not message.template.startswith("%("):
        return None
    name = message.template[2:message.template.find(")")]
    if str(message.values.get(name)) != prefix or \
            not message.template.startswith(f"%({name})s "):
        return None
    return Message(message.template, **{**message.values,
                                        name: N_('"%(value)s"', value=quoted)})


_VERBS = frozenset({"is", "are", "was", "has", "must", "differs", "appears"})


def header_name(cell: object) -> str:
    """A header as matched: case and spaces ignored, an "optional" star allowed (``note*``)."""
    return as_text(cell).strip().rstrip("*").strip().lower().replace(" ", "_")


def read_header(kind: str, columns: Sequence[Column], cells: Sequence[object]
                ) -> tuple[Positions, list[str]]:
    """Which column of the sheet holds which field, and the header's errors (unknown, twice,
    missing), reported against row 1. Columns with an empty header are ignored."""
    by_name = {c.name: c for c in columns}
    positions: Positions = []
    seen: set[str] = set()
    errors: list[str] = []
    for index, cell in enumerate(cells):
        if isinstance(cell, Problem):
            errors.append(N_("row %(row)s, %(column)s: %(message)s", row=1,
                             column=N_("column %(number)s", number=index + 1),
                             message=cell.message))
            continue
        name = header_name(cell)
        if not name:
            continue
        if name not in by_name:
            errors.append(N_('row %(row)s, "%(value)s": is not a column of %(kind)s '
                             "(the columns are %(columns)s)", row=1, value=shown(cell),
                             kind=kind, columns=", ".join(c.name for c in columns)))
        elif name in seen:
            errors.append(N_("row %(row)s, %(column)s: %(message)s", row=1, column=name,
                             message=N_("the column appears twice")))
        else:
            seen.add(name)
            positions.append((index, by_name[name]))
    errors.extend(N_("row %(row)s, %(column)s: %(message)s", row=1, column=c.name,
                     message=N_("the column is missing"))
                  for c in columns if c.required and c.name not in seen)
    return positions, errors


def raw_rows(rows: Iterable[tuple[int, Sequence[object]]], positions: Positions
             ) -> Iterator[tuple[int, dict[str, object]]]:
    """Each non-blank row as {column: raw cell}; rows blank in every known column are skipped
    (empty trailing rows, spacer rows)."""
    width = max((i for i, _ in positions), default=-1) + 1
    first = positions[0][0] if positions else 0
    for number, cells in rows:
        if len(cells) < width:
            cells = tuple(cells) + (None,) * (width - len(cells))
        value = cells[first] if positions else None
        if (value is None or (value.__class__ is str and (not value or value.isspace()))) \
                and all(is_blank(cells[index]) for index, _ in positions):
            continue  # blank in every known column: an empty or spacer row
        yield number, {column.name: cells[index] for index, column in positions}


def parse_row(columns: Sequence[Column], raw: Mapping[str, object]
              ) -> tuple[dict[str, object], list[tuple[str, object, str]]]:
    """Typed values of one raw row, or its problems as (column, raw value, message): a required
    cell left empty, a cell that is not of its column's type. A blank optional cell is None."""
    values: dict[str, object] = {}
    problems: list[tuple[str, object, str]] = []
    plan = _PLANS.get(id(columns))
    if plan is None or plan[0] is not columns:
        plan = _PLANS[id(columns)] = (columns, tuple((c.name, c.required, c.parse)
                                                     for c in columns))
    for name, required, parse in plan[1]:
        value = raw.get(name)
        if value is None or (value.__class__ is str and (not value or value.isspace())):
            values[name] = None
            if required:
                problems.append((name, None, N_("is required")))
        elif value.__class__ is Problem:
            problems.append((name, None, value.message))
        else:
            try:
                values[name] = parse(value)
            except CellError as exc:
                problems.append((name, value, exc.args[0]))
    return values, problems


_PLANS: dict[int, tuple] = {}  # id of a column tuple → (it, its (name, required, parse)s)


def unknown_keys(kind: str, columns: Sequence[Column], raw: Mapping[str, object]) -> list[str]:
    """Keys of a row given as a mapping (the API) that are not columns of ``kind``."""
    names = {c.name for c in columns}
    return [N_('"%(key)s" is not a column of %(kind)s', key=key, kind=kind)
            for key in raw if header_name(key) not in names]


def ranges(numbers: Sequence[int]) -> str:
    """Row numbers as compact ranges: [2, 3, 4, 7] → "2-4,7"."""
    parts: list[str] = []
    start = previous = None
    for n in numbers:
        if previous is not None and n == previous + 1:
            previous = n
            continue
        if start is not None:
            parts.append(f"{start}-{previous}" if previous != start else str(start))
        start = previous = n
    if start is not None:
        parts.append(f"{start}-{previous}" if previous != start else str(start))
    return ",".join(parts)
