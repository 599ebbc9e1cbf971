"""The statement of an agreement for a quarter: every covered project and indicator through the
split engine, with prior-period adjustments against what closed quarters froze.

Definitions (sharing.md, plus where it is silent):
- current = R'(q) − R'(q−1), both recomputed from today's observations;
- adjustment (only in the first open quarter after a closed one, L) = R'(L) − R_frozen(L);
- total = current + adjustment;
- year to date = R'(q) − R'(last quarter of the previous year) and since inception = R'(q):
  both on today's (corrected) basis;
- cap used and left: the rounded cumulative allocation within the cap's scope after q (since
  inception for an AGREEMENT cap, year to date for a YEAR cap; never above the cap), and
  cap − cap used exactly, so that used + left = cap on every line (``CapState.allocated``).
  Statements frozen at closing before this rule (cap used was the exact cumulative floored, and
  left the exact room floored) keep their figures: a closed quarter is read from what was signed.
All amounts are in the indicator's unit, allocations in whole quanta.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import BigInteger, String, select, type_coerce
from sqlalchemy.orm import Session

from app.domain import sharing as engine
from app.domain.codes import QuarterState
from app.domain.hashchain import canonical_json
from app.domain.quarter import Quarter
from app.models import (
    Agreement,
    AgreementParty,
    AgreementQuarter,
    FrozenAllocation,
    Observation,
    Region,
)
from app.models.caches import AGREEMENT
from app.services import snapshots
from app.services.sharing.agreements import (
    AGREEMENT_IN_FULL,
    cap_overrides,
    domain_parties,
    domain_rule,
)
from app.services.sharing.coverage import covers, in_window

ZERO = Decimal(0)


@dataclass
class PartyLine:
    """One party's figures on one statement row (indicator unit, whole quanta)."""

    current: Decimal
    adjustment: Decimal
    total: Decimal
    year_to_date: Decimal
    since_inception: Decimal
    cap: Decimal | None = None
    cap_used: Decimal | None = None
    cap_left: Decimal | None = None


@dataclass
class StatementRow:
    """One covered project and indicator."""

    project_code: str
    project_name: str
    indicator: str
    value: Decimal
    is_missing: bool
    cumulative_total: Decimal
    lines: dict[str, PartyLine]
    via_park: str | None = None
    """How the project is covered: None when the agreement names it, else the park's name and
    code ("皖江城市带示范区 (WJ-ZONE)") whose member it is."""


@dataclass
class IndicatorTotal:
    """Per indicator: the observed total and each party's sums over the projects."""

    indicator: str
    name: str
    unit: str
    mode: str
    value: Decimal
    lines: dict[str, PartyLine]

    @property
    def is_additive(self) -> bool:
        """False for dual counting: never summed across parties."""
        return self.mode == engine.SPLIT


@dataclass
class Statement:
    """All allocations of one agreement for one quarter, with totals: what both parties sign."""

    agreement_code: str
    agreement_title: str
    quarter: str
    parties: list[dict]
    rows: list[StatementRow]
    totals: list[IndicatorTotal]
    adjusts_against: str | None = None
    fingerprint: str = field(default="", compare=False)

    def data(self) -> dict:
        """The statement's content as plain values (what the fingerprint covers)."""
        return {
            "agreement_code": self.agreement_code, "agreement_title": self.agreement_title,
            "quarter": self.quarter, "parties": self.parties,
            "rows": [{"project_code": r.project_code, "project_name": r.project_name,
                      "indicator": r.indicator, "value": r.value, "is_missing": r.is_missing,
                      "cumulative_total": r.cumulative_total,
                      "lines": {p: _line_data(line) for p, line in r.lines.items()},
                      # only when via a park: statements of named projects keep their data
                      **({"via_park": r.via_park} if r.via_park else {})}
                     for r in self.rows],
            "totals": [{"indicator": t.indicator, "name": t.name, "unit": t.unit,
                        "mode": t.mode, "value": t.value,
                        "lines": {p: _line_data(line) for p, line in t.lines.items()}}
                       for t in self.totals],
            "adjusts_against": self.adjusts_against,
        }

    @classmethod
    def from_data(cls, data: dict, fingerprint: str) -> Statement:
        """Rebuild a statement frozen as :meth:`data` (amounts come back as Decimals)."""
        def line(d: dict) -> PartyLine:
            return PartyLine(**{k: None if v is None else Decimal(v) for k, v in d.items()})

        rows = [StatementRow(
            r["project_code"], r["project_name"], r["indicator"], Decimal(r["value"]),
            r["is_missing"], Decimal(r["cumulative_total"]),
            {p: line(v) for p, v in r["lines"].items()}, r.get("via_park"))
            for r in data["rows"]]
        totals = [IndicatorTotal(t["indicator"], t["name"], t["unit"], t["mode"],
                                 Decimal(t["value"]), {p: line(v) for p, v in t["lines"].items()})
                  for t in data["totals"]]
        return cls(data["agreement_code"], data["agreement_title"], data["quarter"],
                   data["parties"], rows, totals, data.get("adjusts_against"), fingerprint)

    def with_fingerprint(self) -> Statement:
        """Set the SHA-256 of the canonical serialisation of :meth:`data`."""
        self.fingerprint = hashlib.sha256(canonical_json(self.data()).encode()).hexdigest()
        return self


def _line_data(line: PartyLine) -> dict:
    return {"current": line.current, "adjustment": line.adjustment, "total": line.total,
            "year_to_date": line.year_to_date, "since_inception": line.since_inception,
            "cap": line.cap, "cap_used": line.cap_used, "cap_left": line.cap_left}


def first_quarter(agreement: Agreement) -> Quarter | None:
    """The first quarter any rule of the agreement has a tier for (its sign-off starts there)."""
    firsts = [t.first_quarter for r in agreement.rules for t in r.tiers]
    return min(firsts) if firsts else None


def quarter_states(session: Session, agreement_id: int) -> dict[Quarter, AgreementQuarter]:
    """The agreement's quarters that have workflow records, by quarter."""
    return {aq.quarter: aq for aq in session.scalars(
        select(AgreementQuarter).where(AgreementQuarter.agreement_id == agreement_id))}


def last_closed(states: dict[Quarter, AgreementQuarter]) -> Quarter | None:
    """The latest closed quarter (quarters close in order, so all before it are closed too)."""
    closed = [q for q, aq in states.items() if aq.state is QuarterState.CLOSED]
    return max(closed) if closed else None


def compute_statement(session: Session, agreement: Agreement, quarter: Quarter) -> Statement:
    """Recompute the statement of ``quarter`` from the current observations (the agreement must
    be loaded with its parties, covered projects and rules)."""
    states = quarter_states(session, agreement.id)
    closed = last_closed(states)
    adjust_at = closed if closed is not None and closed + 1 == quarter else None
    frozen = _frozen(session, agreement.id, adjust_at) if adjust_at else {}
    parties = domain_parties(agreement)
    series = _observations(session, agreement, quarter)
    previous_year_end = Quarter(quarter.year - 1, 4) if quarter.year > 1 else None
    rows: list[StatementRow] = []
    for rule in sorted(agreement.rules, key=lambda r: (r.indicator.position, r.indicator_code)):
        plan = engine.prepare(domain_rule(rule), parties)
        for covered in agreement.covered:
            if not covers(covered, quarter):
                continue
            project = covered.project
            observed = series.get((project.id, rule.indicator_code), {})
            if covered.via_park_id is not None:  # only the quarters it belongs to the park
                observed = {i: u for i, u in observed.items() if in_window(covered, i)}
            result = plan.split_units(observed, cap_overrides=cap_overrides(covered, rule),
                                      through=quarter, start=quarter)
            now = result.row(quarter)
            before_year = result.row(previous_year_end) if previous_year_end else None
            at_adjust = result.row(adjust_at) if adjust_at else None
            caps = now.caps
            lines = {}
            for party in parties.order:
                rounded = now.rounded[party]
                adjustment = ZERO
                if adjust_at is not None:
                    recomputed = at_adjust.rounded[party] if at_adjust else ZERO
                    adjustment = recomputed - frozen.get((project.id, rule.indicator_code,
                                                          party), ZERO)
                current = now.allocation[party]
                cap = caps.get(party)
                lines[party] = PartyLine(
                    current=current, adjustment=adjustment, total=current + adjustment,
                    year_to_date=rounded - (before_year.rounded[party] if before_year else ZERO),
                    since_inception=rounded,
                    cap=cap.cap if cap else None,
                    cap_used=cap.allocated if cap else None,
                    cap_left=cap.left if cap else None)
            rows.append(StatementRow(project.code, project.name, rule.indicator_code,
                                     now.value, now.is_missing, now.total, lines,
                                     str(covered.via_park) if covered.via_park else None))
    statement = Statement(
        agreement_code=agreement.code, agreement_title=agreement.title, quarter=str(quarter),
        parties=[{"code": p.region.code, "name": p.region.name, "role": p.role.value,
                  "priority": p.priority, "is_default": p.is_default}
                 for p in sorted(agreement.parties, key=lambda p: p.priority)],
        rows=rows, totals=_totals(agreement, rows, parties.order),
        adjusts_against=str(adjust_at) if adjust_at else None)
    return statement.with_fingerprint()


def cached_statement(session: Session, agreement: Agreement, quarter: Quarter) -> Statement:
    """:func:`compute_statement` through the snapshot cache (for display: the workflow steps
    that sign a fingerprint compute afresh). Equal, fingerprint included, to a fresh one."""
    found = snapshots.statement_snapshot(session, agreement.id, quarter)
    if found is not None:
        return Statement.from_data(*found)
    generation = snapshots.generations(session, AGREEMENT, [agreement.id])[agreement.id]
    statement = compute_statement(session, reloaded(session, agreement.id), quarter)
    snapshots.store_statement_snapshot(session, agreement.id, quarter, generation,
                                       canonical_json(statement.data()), statement.fingerprint)
    return statement


def reloaded(session: Session, agreement_id: int) -> Agreement:
    """The agreement with everything a statement reads, refreshed from the database even where
    the session holds older copies (a snapshot stored under the generation read just before
    must not mix in rows read earlier in the transaction; see models/caches.py)."""
    return session.scalars(
        select(Agreement).where(Agreement.id == agreement_id)
        .options(*AGREEMENT_IN_FULL)
        .execution_options(populate_existing=True)).one()


def _totals(agreement: Agreement, rows: list[StatementRow], order) -> list[IndicatorTotal]:
    totals = []
    for rule in sorted(agreement.rules, key=lambda r: (r.indicator.position, r.indicator_code)):
        mine = [r for r in rows if r.indicator == rule.indicator_code]
        lines = {party: PartyLine(
            current=sum((r.lines[party].current for r in mine), ZERO),
            adjustment=sum((r.lines[party].adjustment for r in mine), ZERO),
            total=sum((r.lines[party].total for r in mine), ZERO),
            year_to_date=sum((r.lines[party].year_to_date for r in mine), ZERO),
            since_inception=sum((r.lines[party].since_inception for r in mine), ZERO))
            for party in order}
        totals.append(IndicatorTotal(rule.indicator_code, rule.indicator.name,
                                     rule.indicator.unit, rule.mode.value,
                                     sum((r.value for r in mine), ZERO), lines))
    return totals


def _observations(session: Session, agreement: Agreement, through: Quarter
                  ) -> dict[tuple[int, str], dict[int, int]]:
    """Every observation of the covered projects and ruled indicators up to ``through``, as whole
    quanta of its indicator keyed by ``Quarter.index``: read raw from the table, because turning
    100,000 values into Decimals and Quarters only to turn them back costs most of a second."""
    project_ids = [c.project_id for c in agreement.covered]
    per_quantum = {r.indicator_code: _raw_per_quantum(r.indicator.quantum_decimal)
                   for r in agreement.rules}
    series: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    if not project_ids or not per_quantum:
        return series
    table = Observation.__table__
    rows = session.execute(
        select(table.c.project_id, table.c.indicator_code,
               type_coerce(table.c.quarter, String), type_coerce(table.c.value, BigInteger))
        .where(table.c.project_id.in_(project_ids), table.c.indicator_code.in_(per_quantum),
               table.c.quarter <= through)).all()  # fetchall: row-by-row fetching is slower
    quarter_index = {}
    for project_id, indicator, text, raw in rows:
        index = quarter_index.get(text)
        if index is None:
            index = quarter_index[text] = Quarter.parse(text).index
        units, rest = divmod(raw, per_quantum[indicator])
        if rest:
            raise ValueError(f"observation of {indicator} is not a whole number of quanta")
        series[project_id, indicator][index] = units
    return series


def _raw_per_quantum(quantum: Decimal) -> int:
    """How many stored units (0.0001 each) make one quantum of the indicator."""
    ratio = Fraction(quantum) / Fraction(1, 10 ** Observation.value.type.places)
    if ratio.denominator != 1:
        raise ValueError(f"the quantum {quantum} is finer than the stored unit")
    return ratio.numerator


def _frozen(session: Session, agreement_id: int, quarter: Quarter
            ) -> dict[tuple[int, str, str], Decimal]:
    """R as frozen at the closing of ``quarter``, by (project, indicator, party region code)."""
    rows = session.execute(
        select(FrozenAllocation.project_id, FrozenAllocation.indicator_code, Region.code,
               FrozenAllocation.cumulative_rounded)
        .join(AgreementParty, AgreementParty.id == FrozenAllocation.party_id)
        .join(Region, Region.id == AgreementParty.region_id)
        .where(FrozenAllocation.agreement_id == agreement_id,
               FrozenAllocation.quarter == quarter))
    return {(p, i, code): value for p, i, code, value in rows}
