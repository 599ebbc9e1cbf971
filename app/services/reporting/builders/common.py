"""What the three report builders share: subjects, labels, number formats (yuan, 万元 that foot),
the generated and as-of labels, restatements (what changed between two data dicts), documents."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from app.domain.apportion import places, reapportion_for_display
from app.domain.money import DASH, format_amount
from app.domain.quarter import Quarter
from reports import (
    Block,
    Column,
    Document,
    Heading,
    Paragraph,
    SignatureBlocks,
    Table,
    fingerprint_of,
)

TEN_THOUSAND = 10_000
WAN_QUANTUM = Decimal("0.01")
AUTHOR = "transfer-ledger"
LANGUAGE_NOTE = "中文 / English"
DRAFT_LABEL = "未签发草稿 / not issued — draft"
TOTAL = "合计 / Total"
MISSING = "缺失 / missing"
WAN_NOTE = ("各列合计先按本节单位取整，再按最大余数法分摊到各行，故各行相加等于合计。 / Each "
            "total is rounded to the section's unit first and re-apportioned to the rows by "
            "largest remainder, so the rows add up to it as printed.")
YUAN = ("元", "yuan")
WAN = ("万元", "10,000 yuan")
"""A section's unit of money: (Chinese, English), named once in the section's heading."""
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
DEFAULT_TIME_ZONE = "Asia/Shanghai"
UTC_FORMAT = "%Y-%m-%d %H:%M UTC"
"""How a report's data stores a moment: UTC, so the data (and its fingerprint) does not depend
on the ``TIME_ZONE`` setting; the page prints it in local time."""


def utc_text(moment: dt.datetime | None) -> str | None:
    """A stored moment as data: "2026-10-08 01:12 UTC" (None stays None)."""
    return None if moment is None else moment.astimezone(dt.UTC).strftime(UTC_FORMAT)


def local_text(utc: str | None, zone: str) -> str:
    """A data moment ("… UTC") printed in the time zone ``zone``: "2026-10-08 09:12 (UTC+08:00)";
    None → "—"; a text that is not such a moment is printed as it is."""
    if not utc:
        return DASH
    try:
        moment = dt.datetime.strptime(utc, UTC_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        return utc
    local = moment.astimezone(ZoneInfo(zone))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"


@dataclass(frozen=True)
class Subject:
    """What a report is about: its kind, code and name, the row it belongs to, the loaded object."""

    kind: str
    code: str
    name: str
    fund_id: int | None = None
    agreement_id: int | None = None
    region_id: int | None = None
    obj: Any = None


class Change(NamedTuple):
    """One figure that changed between two versions: where, the old and the new value shown."""

    path: str
    old: str
    new: str


@dataclass(frozen=True)
class IssueInfo:
    """How the document was generated: a draft, or version N issued by someone at a time (an
    aware datetime, printed in ``time_zone``, the ``TIME_ZONE`` setting)."""

    version: int | None = None
    issued_at: dt.datetime | None = None
    issued_by: str = ""
    previous_version: int | None = None
    changes: tuple[Change, ...] = field(default_factory=tuple)
    fingerprint: str | None = None  # of the data, when the caller has computed it already
    time_zone: str = DEFAULT_TIME_ZONE

    @property
    def is_issued(self) -> bool:
        """Whether this is an issued version (not a draft)."""
        return self.version is not None and self.issued_at is not None

    @property
    def label(self) -> str:
        """The "generated" line: the draft words, or the issue date, version and issuer."""
        if not self.is_issued:
            return DRAFT_LABEL
        return f"签发 / Issued {self.local(self.issued_at)} · 第 {self.version} 版 / version " \
               f"{self.version} · {self.issued_by}"

    def local(self, moment: dt.datetime | str | None) -> str:
        """A moment (aware datetime or data text "… UTC") in local time; None → "—"."""
        if isinstance(moment, dt.datetime):
            moment = utc_text(moment)
        return local_text(moment, self.time_zone)

    @property
    def issued_on(self) -> str:
        """The local date of issue ("2026-07-03"), or "" for a draft."""
        if not self.is_issued:
            return ""
        return f"{self.issued_at.astimezone(ZoneInfo(self.time_zone)):%Y-%m-%d}"


def unit_heading(zh: str, en: str, unit: tuple[str, str], level: int = 1) -> Heading:
    """A section heading that names the one unit every amount in the section is in:
    "资本账户（金额单位：元）" / "Capital account (amounts in yuan)"."""
    return Heading(f"{zh}（金额单位：{unit[0]}）", f"{en} (amounts in {unit[1]})", level)


def as_of_label(quarter: Quarter) -> str:
    """The "as of" line: the quarter's last day."""
    day = quarter.last_day.isoformat()
    return f"{quarter} · 数据截至 {day} / As of {day}"


def amount_text(value: Decimal | str | None) -> str:
    """Yuan as exact data text ("1234.56"; None stays None)."""
    return None if value is None else f"{Decimal(value):f}"


def yuan(value: str | Decimal | None) -> str:
    """Yuan for print: thousands separators, two places ("1,234,567.89"); None → "—"."""
    return DASH if value is None else format_amount(Decimal(value))


def quantity(value: str | Decimal | None, quantum: Decimal | str) -> str:
    """An indicator amount for print at its quantum, thousands separators; None → "—"."""
    if value is None:
        return DASH
    quantum = Decimal(quantum)
    shown = Decimal(value).quantize(quantum)
    return f"{shown:,.{places(quantum)}f}"


def wan_columns(rows: Sequence[Mapping[str, str | None]], columns: Sequence[str]
                ) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Yuan columns shown in 万元: per column the total is rounded (half up, 0.01 万元) and the
    rows re-apportioned to it by largest remainder, so each printed column foots to its total."""
    shown: list[dict[str, str]] = [{} for _ in rows]
    totals: dict[str, str] = {}
    for column in columns:
        parts = {i: Decimal(row[column]) for i, row in enumerate(rows) if row[column] is not None}
        split = reapportion_for_display(parts, TEN_THOUSAND, WAN_QUANTUM)
        for i in range(len(rows)):
            shown[i][column] = f"{split.parts[i]:,}" if i in split.parts else DASH
        totals[column] = f"{split.total:,}"
    return shown, totals


def wan_chart(value: str | Decimal | None) -> Decimal | None:
    """Yuan as 万元 for a chart (plotted, never printed as a figure)."""
    return None if value is None else Decimal(value) / TEN_THOUSAND


def coded(kind, value: str, *, stacked: bool = False) -> str:
    """A coded value's labels "中文 / English", or on two lines for a narrow column."""
    member = kind(value)
    return f"{member.label_zh}{chr(10) if stacked else ' / '}{member.label_en}"


def flatten(data: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Every leaf of nested dicts (and lists, by position) keyed by its path."""
    if isinstance(data, Mapping):
        out: dict[tuple[str, ...], Any] = {}
        for key, value in data.items():
            out.update(flatten(value, (*prefix, str(key))))
        return out
    if isinstance(data, list | tuple):
        out = {}
        for index, value in enumerate(data):
            out.update(flatten(value, (*prefix, str(index + 1))))
        return out
    return {prefix: data}


def shown(value: Any) -> str:
    """A data leaf as a restatement prints it: numbers grouped, booleans in words, None "—"."""
    if value is None:
        return DASH
    if value is True:
        return "是 / yes"
    if value is False:
        return "否 / no"
    text = str(value)
    if _NUMBER.fullmatch(text):
        return f"{Decimal(text):,}"
    return text


_ABSENT = object()


def _summary(value: Any) -> str:
    """A value as one restatement cell: a whole entry's leaves joined by " · "."""
    if value is _ABSENT:
        return DASH
    if isinstance(value, Mapping | list | tuple):
        return " · ".join(shown(v) for v in flatten(value).values())
    return shown(value)


def _changes(old: Any, new: Any, path: tuple[str, ...], out: list[tuple]) -> None:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in [*new, *(k for k in old if k not in new)]:
            _changes(old.get(key, _ABSENT), new.get(key, _ABSENT), (*path, str(key)), out)
    elif old != new:
        out.append((path, old, new))


def diff(old: Mapping, new: Mapping, sections: Mapping[str, str]) -> tuple[Change, ...]:
    """What changed from ``old`` to ``new``, in the new data's order (then what was removed):
    a changed figure old → new, an entry added or removed whole in one line; the first key of
    each path named by ``sections``."""
    found: list[tuple] = []
    _changes(old, new, (), found)
    return tuple(Change(" › ".join((sections.get(path[0], path[0]), *path[1:])),
                        _summary(before), _summary(after)) for path, before, after in found)


def restatement_blocks(issue: IssueInfo) -> list[Block]:
    """The "Restatements / 更正说明" section of a later version: each changed figure old → new."""
    if issue.previous_version is None:
        return []
    previous = issue.previous_version
    intro = (f"本版与第 {previous} 版相比，以下 {len(issue.changes)} 项数据已更正。 / "
             f"Compared with version {previous}, these {len(issue.changes)} figures changed.")
    table = Table(
        (Column("项目", "Item", "left", 3.2), Column(f"第 {previous} 版", f"Version {previous}",
                                                     "right", 1.4),
         Column(f"第 {issue.version} 版", f"Version {issue.version}", "right", 1.4)),
        tuple((c.path, c.old, c.new) for c in issue.changes))
    return [Heading("更正说明", "Restatements", 1), Paragraph(intro), table]


def sign_off(party: str, issue: IssueInfo) -> list[Block]:
    """The sign-off of a fund or regional report: prepared by (the issuer, when issued),
    reviewed by, the local date of issue (blank on a draft) and the seal of ``party``."""
    preparer = issue.issued_by if issue.is_issued else ""
    return [Heading("编制与审核", "Prepared and reviewed"), SignatureBlocks(
        (party,), (("编制人 / Prepared by", preparer), ("复核人 / Reviewed by", ""),
                   ("负责人签字 / Signed by", ""), ("日期 / Date", issue.issued_on)))]


def document(*, title: str, subject: str, quarter: Quarter, data: Mapping, issue: IssueInfo,
             blocks: Sequence[Block], landscape: bool = False) -> Document:
    """The Document around ``blocks``: labels from the quarter and the issue, the fingerprint of
    ``data`` (the canonical data the report shows)."""
    return Document(
        title=title, subject=subject, author=AUTHOR, language_note=LANGUAGE_NOTE,
        as_of_label=as_of_label(quarter), generated_label=issue.label,
        fingerprint=issue.fingerprint or fingerprint_of(data), blocks=tuple(blocks),
        landscape=landscape)
