"""Bulk rows of the province demo: fund movements, investment ledgers, valuations, observations.

Inserted with SQLAlchemy Core a chunk at a time, values already in their stored units (fen;
0.0001 for indicators), with ONE audit entry per chunk as the spreadsheet import writes them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import column, func, insert, select, table
from sqlalchemy.orm import Session

from app.domain.quarter import Quarter
from app.models.audit import append_entries
from app.models.base import ScaledDecimal

CHUNK = 5000
SOURCE = "demo province"
THROUGH = dt.date(2026, 9, 30)
YUAN = 100  # fen
WAN = 1_000_000  # fen in 10,000 yuan
SEASON = (0.88, 1.0, 1.02, 1.1)


def stamp(day: dt.date, days: int = 0) -> dt.datetime:
    """10:00 Beijing time ``days`` after ``day``, in UTC: when a row was recorded."""
    return dt.datetime(day.year, day.month, day.day, 2, tzinfo=dt.UTC) + dt.timedelta(days=days)


class BulkRows:
    """Core ``executemany`` into one table a chunk at a time, one audit entry per chunk."""

    def __init__(self, session: Session, model, seed: int, chunk: int = CHUNK):
        target = model.__table__
        dialect = session.get_bind().dialect
        raw = table(target.name, *(column(c.name) for c in target.columns))
        self.statement, self.id = insert(raw), raw.c.id  # no RETURNING: twice as fast on PG
        self.session, self.seed, self.chunk, self.name = session, seed, chunk, target.name
        self.convert = {}
        for col in target.columns:
            processor = col.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None and not isinstance(col.type, ScaledDecimal):
                self.convert[col.name] = (processor, {})  # dates, quarters, codes: once each
        self.pending: list[dict] = []
        self.rows = 0

    def add(self, row: dict) -> None:
        """Queue one row (amounts as integers of the stored unit); write full chunks."""
        for name, (processor, memo) in self.convert.items():
            value = row.get(name)
            if value is not None:
                converted = memo.get(value)
                if converted is None:
                    converted = memo[value] = processor(value)
                row[name] = converted
        self.pending.append(row)
        if len(self.pending) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        """Insert the queued rows and append their chunk's audit entry."""
        if not self.pending:
            return
        before = self.session.scalar(select(func.max(self.id))) or 0
        self.session.execute(self.statement, self.pending)
        first, last = self.session.execute(  # the loader is the only writer of a demo database
            select(func.min(self.id), func.max(self.id)).where(self.id > before)).one()
        actor = self.session.info.get("actor", (None, "system"))
        append_entries(self.session.connection(), actor, [(
            self.name, f"{first}-{last}", "IMPORT",
            {"rows": len(self.pending), "source": SOURCE, "seed": self.seed, "first_id": first,
             "last_id": last})])
        self.rows += len(self.pending)
        self.pending = []


def movements(rng: random.Random, fund_id: int, code: str, vintage: int, size: int):
    """Capital calls, yearly fees and later distributions of one fund (``size`` in fen)."""
    entries = [("CAPITAL_CALL", dt.date(vintage + k, 1, 15), size * share // 100 // WAN * WAN)
               for k, share in enumerate((25, 20, 20, 15, 10, 5))]
    entries += [("FEE", dt.date(year, 3, 31), size // (100 if year <= vintage + 5 else 200))
                for year in range(vintage + 1, 2027)]
    entries += [("DISTRIBUTION", dt.date(year, 12, 20), size * rng.randrange(2, 7) // 100)
                for year in range(vintage + 5, 2026)]
    entries = sorted(e for e in entries if e[1] <= THROUGH)
    for n, (kind, day, amount) in enumerate(entries, start=1):
        yield {"fund_id": fund_id, "reference": f"{code}-M{n:05d}", "type": kind,
               "moved_on": day, "amount": amount, "investor": None, "note": None,
               "reverses_id": None, "created_at": stamp(day)}


@dataclass(frozen=True)
class Holding:
    """An investment to fill in: ``amount`` committed (fen) on ``start``; ``exit_on`` if sold."""

    investment_id: int
    fund_id: int
    instrument: str
    amount: int
    start: dt.date
    status: str
    exit_on: dt.date | None


def _disbursements(rng: random.Random, h: Holding) -> list[tuple[dt.date, int]]:
    if h.status == "PIPELINE":
        return []
    shares = (50, 30, 20) if rng.random() < 0.6 else (60, 40)
    out, left = [], h.amount
    for k, share in enumerate(shares):
        day = h.start + dt.timedelta(days=20 + 365 * k)
        if day > THROUGH or (h.exit_on and day >= h.exit_on):
            break
        part = left if k == len(shares) - 1 else h.amount * share // 100 // YUAN * YUAN
        left -= part
        out.append((day, part))
    return out


def _loan(rng: random.Random, h: Holding, paid: list[tuple[dt.date, int]]):
    step = h.amount // 8 // YUAN * YUAN
    repaid, defaults = 0, rng.random() < 0.04
    for year in range(h.start.year + 1, 2027):
        for day in (dt.date(year, 6, 30), dt.date(year, 12, 31)):
            outstanding = sum(a for d, a in paid if d <= day) - repaid
            if day > THROUGH or outstanding <= 0:
                return
            if (h.exit_on and day >= h.exit_on) or (defaults and year >= h.start.year + 3):
                yield ("REPAYMENT" if h.exit_on else "WRITE_OFF"), day, outstanding
                return
            yield "INCOME", day, outstanding * 225 // 10_000
            amount = min(step, outstanding)
            repaid += amount
            yield "REPAYMENT", day, amount


def _equity(rng: random.Random, h: Holding, paid: list[tuple[dt.date, int]], marks: list):
    first = Quarter.containing(paid[0][0])
    end = min(Quarter.containing(THROUGH), Quarter.containing(h.exit_on) - 1 if h.exit_on
              else Quarter.containing(THROUGH))
    multiple, value, pays = 1.0, 0, rng.random() < 0.25
    for index in range(first.index, end.index + 1):
        day = Quarter.from_index(index).last_day
        multiple = min(4.0, max(0.3, multiple * (1 + rng.uniform(-0.06, 0.09))))
        cost = sum(a for d, a in paid if d <= day)
        value = round(cost * multiple / WAN) * WAN
        if index < end.index or h.exit_on or rng.random() > 0.08:  # a few left unmarked
            marks.append((day, value))
        if pays and day.month == 6 and day.year >= paid[0][0].year + 3:
            yield "INCOME", day, cost * rng.randrange(10, 30) // 1000
    if h.exit_on and h.exit_on <= THROUGH:
        yield "PROCEEDS", h.exit_on, max(value, WAN) * rng.randrange(80, 160) // 100


def ledger(rng: random.Random, h: Holding, references) -> tuple[list[dict], list[dict]]:
    """The holding's ledger rows and (equity) valuation rows; ``references`` numbers them."""
    paid = _disbursements(rng, h)
    entries = [("COMMITMENT", h.start, h.amount)] + [("DISBURSEMENT", d, a) for d, a in paid]
    marks: list[tuple[dt.date, int]] = []
    if paid and h.instrument == "LOAN":
        entries += list(_loan(rng, h, paid))
    elif paid and h.instrument == "EQUITY":
        entries += list(_equity(rng, h, paid, marks))
    rows = [{"investment_id": h.investment_id, "fund_id": h.fund_id, "reference": references(),
             "type": kind, "occurred_on": day, "amount": amount, "reverses_id": None,
             "note": None, "created_at": stamp(day)}
            for kind, day, amount in entries if amount > 0]
    valuations = [{"investment_id": h.investment_id, "as_of_on": day, "value": value,
                   "note": None, "created_at": stamp(day, 20), "version": 1}
                  for day, value in marks]
    return rows, valuations


@dataclass(frozen=True)
class Plant:
    """What a covered project reports: output at maturity (fen a quarter) from ``start``."""

    project_id: int
    start: Quarter | None
    exit: Quarter | None
    land: int  # hundredths of 亩, taken in the year before ``start``
    output: int
    energy: float  # tce per 10,000 yuan of output
    growth: float


def observations(rng: random.Random, plant: Plant, quarters: list[Quarter]):
    """One row per quarter and indicator: zero before production and after exit."""
    for quarter in quarters:
        output = revenue = tax = land = energy = 0
        if plant.start is not None:
            age = quarter - plant.start
            if -4 <= age < -2 and plant.land:
                land = plant.land // 2 if age == -4 else plant.land - plant.land // 2
            if age >= 0 and (plant.exit is None or quarter < plant.exit):
                scale = min(1.0, (age + 1) / 6) * (1 + plant.growth) ** (age / 4)
                output = round(plant.output * scale * SEASON[quarter.number - 1]
                               * rng.uniform(0.85, 1.15))
                revenue = round(output * rng.uniform(0.9, 1.05))
                tax = round(revenue * rng.uniform(0.015, 0.03))
                if rng.random() < 0.004:
                    tax = -tax // 3  # a refund (退库)
                energy = round(output / WAN * plant.energy * 100 * rng.uniform(0.9, 1.1))
            elif -4 <= age < 0:
                energy = rng.randrange(0, 4000)  # construction
        on = stamp(quarter.last_day, 25)
        for code, value in (("OUTPUT_VALUE", output), ("REVENUE", revenue), ("TAX_LOCAL", tax),
                            ("LAND", land), ("ENERGY", energy)):
            yield {"project_id": plant.project_id, "indicator_code": code, "quarter": quarter,
                   "value": value * 100, "note": None, "updated_by_id": None,
                   "updated_at": on, "version": 1}
