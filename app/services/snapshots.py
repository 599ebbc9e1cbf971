"""Reading and filling the database caches of fund metrics and statements (models/caches.py).

Rows are written with Core ``INSERT … ON CONFLICT`` in the caller's transaction, inside a
SAVEPOINT: two workers racing to fill the same row both succeed, mapper events (the audit trail)
never see cache rows, and a failure to store (SQLite refusing to upgrade a stale read
transaction to a write) only costs the next reader a recomputation. A snapshot computed inside a
transaction that also changed data commits or rolls back with that data. For read-only requests
the web layer commits the cache rows at teardown (``app/db.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import fields
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import and_, case, func, null, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from app.domain import fund_metrics as fm
from app.domain.quarter import Quarter
from app.models.caches import (
    AGREEMENT,
    FUND,
    WHOLE,
    CacheGeneration,
    FundMetricSnapshot,
    RegionLineSnapshot,
    ScopedSnapshot,
    StatementSnapshot,
    dialect_insert,
)

# --- exact serialisation of FundMetrics -----------------------------------------------------
# Decimals as strings, fractions as [numerator, denominator], dates ISO: exact both ways.


def _encode(value):
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Fraction):
        return [value.numerator, value.denominator]
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot snapshot {type(value).__name__}")


def _fraction(pair):
    return None if pair is None else Fraction(pair[0], pair[1], _normalize=False)


def _optional(decode):
    return lambda v: None if v is None else decode(v)


_DECODERS = {"Decimal": Decimal, "Decimal | None": _optional(Decimal),
             "Fraction | None": _fraction, "dt.date | None": _optional(dt.date.fromisoformat),
             "bool": bool, "str": str}
_FUND_FIELDS = [(f.name, _DECODERS[f.type]) for f in fields(fm.FundMetrics)
                if f.name != "investments"]
_INVESTMENT_FIELDS = [(f.name, _DECODERS[f.type]) for f in fields(fm.InvestmentMetrics)]


def dump_metrics(metrics: fm.FundMetrics, irr_memo: dict[str, str | None] | None = None
                 ) -> tuple[str, str]:
    """FundMetrics as two JSON texts: the fund's figures, and its investments' figures with the
    IRRs found on the way by flows digest (``irr_memo``, see services/funds/irr_memo.py)."""
    figures = [_encode(getattr(metrics, name)) for name, _d in _FUND_FIELDS]
    detail = [[_encode(getattr(i, name)) for name, _d in _INVESTMENT_FIELDS]
              for i in metrics.investments.values()]
    return (json.dumps(figures, separators=(",", ":")),
            json.dumps({"rows": detail, "irr": irr_memo or {}}, separators=(",", ":")))


def load_metrics(figures: str, detail: str | None) -> fm.FundMetrics:
    """The FundMetrics :func:`dump_metrics` wrote, equal to the computed one; without
    ``detail`` its ``investments`` are left empty (pages that show only the fund's figures).
    The investments are decoded when read (:class:`StoredInvestments`)."""
    values = json.loads(figures)
    return fm.FundMetrics(**{name: d(v) for (name, d), v in zip(_FUND_FIELDS, values,
                                                                strict=True)},
                          investments=StoredInvestments(_detail_rows(detail)) if detail else {})


def _detail_rows(detail: str) -> list[list]:
    parsed = json.loads(detail)
    return parsed["rows"] if isinstance(parsed, dict) else parsed  # a list: before the memo


def stored_irr_memo(detail: str | None) -> dict[str, str | None]:
    """The IRRs by flows digest stored beside a snapshot's investments ({} when none)."""
    parsed = json.loads(detail) if detail else None
    return parsed.get("irr", {}) if isinstance(parsed, dict) else {}


_KEY, _COST, _VALUE = (next(i for i, (n, _d) in enumerate(_INVESTMENT_FIELDS) if n == name)
                       for name in ("key", "cost", "value"))


class StoredInvestments(Mapping):
    """A snapshot's investments by key, each decoded when first read: a fund page shows 50 of a
    nation-scale fund's thousands of holdings, and decoding every one cost more than the rest of
    the page. Iterates in the stored (computed) order; equal to the computed dict."""

    def __init__(self, rows: list[list]):
        self._rows = {row[_KEY]: row for row in rows}
        self._decoded: dict[str, fm.InvestmentMetrics] = {}

    def __getitem__(self, key: str) -> fm.InvestmentMetrics:
        found = self._decoded.get(key)
        if found is None:
            row = self._rows[key]
            found = self._decoded[key] = fm.InvestmentMetrics(
                *(d(v) for (_n, d), v in zip(_INVESTMENT_FIELDS, row, strict=True)))
        return found

    def __iter__(self):
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def largest(self, limit: int | None) -> list[tuple[str, fm.InvestmentMetrics]]:
        """The (key, figures) of the ``limit`` largest holdings by value, then cost, then key
        (:func:`~app.domain.fund_metrics.holding_rank`), decoding only those."""
        ranked = sorted(self._rows.values(), key=lambda row: fm.holding_rank(
            row[_KEY], Decimal(row[_VALUE]), Decimal(row[_COST])))
        return [(row[_KEY], self[row[_KEY]]) for row in ranked[:limit]]


# --- generations and storage ----------------------------------------------------------------


def generations(session: Session, kind: str, ids) -> dict[int, int]:
    """The current cache generation of each owner (0 when never invalidated)."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    found = dict(session.execute(
        select(CacheGeneration.owner_id, CacheGeneration.generation)
        .where(CacheGeneration.kind == kind, CacheGeneration.owner_id.in_(ids))).all())
    return {i: found.get(i, 0) for i in ids}


def _current(kind: str, owner_column):
    """Join condition: the snapshot's generation is its owner's current one."""
    return and_(CacheGeneration.kind == kind, CacheGeneration.owner_id == owner_column)


def _store(session: Session, table, keys: list[str], rows: list[dict]) -> None:
    """Upsert snapshot rows (a newer generation replaces an older one), best effort."""
    if not rows:
        return
    insert = dialect_insert(session.connection())
    stmt = insert(table).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={c: stmt.excluded[c] for c in rows[0] if c not in keys},
        where=table.c.generation < stmt.excluded.generation)
    try:
        with session.begin_nested():
            session.execute(stmt)
    except (IntegrityError, DBAPIError):  # owner deleted meanwhile, or the database is busy
        return
    session.info["cache_written"] = True


def fund_snapshots(session: Session, fund_ids, dates, *, detail_at=()
                   ) -> dict[tuple[int, dt.date], fm.FundMetrics]:
    """Current metric snapshots of these funds at these dates, in one query; the investments'
    figures only at the dates in ``detail_at``."""
    fund_ids, dates = sorted(set(fund_ids)), sorted(set(dates))
    if not fund_ids or not dates:
        return {}
    s = FundMetricSnapshot
    detail_at = sorted(set(detail_at))
    detail = case((s.as_of.in_(detail_at), s.detail), else_=None) if detail_at else null()
    rows = session.execute(
        select(s.fund_id, s.as_of, s.data, detail)
        .outerjoin(CacheGeneration, _current(FUND, s.fund_id))
        .where(s.fund_id.in_(fund_ids), s.as_of.in_(dates),
               s.generation == func.coalesce(CacheGeneration.generation, 0)))
    return {(fund_id, as_of): load_metrics(data, details)
            for fund_id, as_of, data, details in rows}


def store_fund_snapshots(session: Session, generation: dict[int, int],
                         computed: dict[tuple[int, dt.date], fm.FundMetrics],
                         irr_memos: dict[tuple[int, dt.date], dict[str, str | None]] | None = None
                         ) -> None:
    """Store computed metrics under the generation read before their inputs were, each with
    the IRRs its computation used (``irr_memos`` by fund id and date)."""
    rows = []
    for (fund_id, as_of), metrics in computed.items():
        data, detail = dump_metrics(metrics, (irr_memos or {}).get((fund_id, as_of)))
        rows.append({"fund_id": fund_id, "as_of": as_of, "generation": generation[fund_id],
                     "data": data, "detail": detail})
    _store(session, FundMetricSnapshot.__table__, ["fund_id", "as_of"], rows)


def earlier_irr_memo(session: Session, fund_ids, dates) -> dict[str, str | None]:
    """The IRRs stored beside these funds' snapshots at these dates, whatever their generation
    (a rate depends only on its flows, so an outdated snapshot's rates still hold): merged."""
    s = FundMetricSnapshot
    memo: dict[str, str | None] = {}
    for (detail,) in session.execute(select(s.detail).where(
            s.fund_id.in_(sorted(set(fund_ids))), s.as_of.in_(sorted(set(dates))))):
        memo.update(stored_irr_memo(detail))
    return memo


def statement_snapshot(session: Session, agreement_id: int, quarter: Quarter
                       ) -> tuple[dict, str] | None:
    """The current snapshot of a statement as (data, fingerprint), or None."""
    return statement_snapshots(session, [agreement_id], quarter).get(agreement_id)


def statement_snapshots(session: Session, agreement_ids, quarter: Quarter
                        ) -> dict[int, tuple[dict, str]]:
    """The current snapshots of several agreements' statements of a quarter, in one query."""
    ids = sorted(set(agreement_ids))
    if not ids:
        return {}
    s = StatementSnapshot
    rows = session.execute(
        select(s.agreement_id, s.data, s.fingerprint)
        .outerjoin(CacheGeneration, _current(AGREEMENT, s.agreement_id))
        .where(s.agreement_id.in_(ids), s.quarter == quarter,
               s.generation == func.coalesce(CacheGeneration.generation, 0)))
    return {i: (json.loads(data), fingerprint) for i, data, fingerprint in rows}


def store_statement_snapshot(session: Session, agreement_id: int, quarter: Quarter,
                             generation: int, data_json: str, fingerprint: str) -> None:
    """Store a computed statement under the generation read before its inputs were."""
    _store(session, StatementSnapshot.__table__, ["agreement_id", "quarter"], [
        {"agreement_id": agreement_id, "quarter": str(quarter), "generation": generation,
         "fingerprint": fingerprint, "data": data_json}])


def region_line_snapshots(session: Session, agreement_ids, quarter: Quarter, region_code: str
                          ) -> dict[int, dict]:
    """The current snapshots of a region's lines under several agreements, in one query."""
    ids = sorted(set(agreement_ids))
    if not ids:
        return {}
    s = RegionLineSnapshot
    rows = session.execute(
        select(s.agreement_id, s.data)
        .outerjoin(CacheGeneration, _current(AGREEMENT, s.agreement_id))
        .where(s.agreement_id.in_(ids), s.quarter == quarter, s.region_code == region_code,
               s.generation == func.coalesce(CacheGeneration.generation, 0)))
    return {i: json.loads(data) for i, data in rows}


def store_region_lines(session: Session, quarter: Quarter, region_code: str,
                       generation: dict[int, int], lines: dict[int, dict]) -> None:
    """Store a region's computed lines under the generations read before their inputs were."""
    _store(session, RegionLineSnapshot.__table__, ["agreement_id", "quarter", "region_code"], [
        {"agreement_id": i, "quarter": str(quarter), "region_code": region_code,
         "generation": generation[i], "data": json.dumps(data, separators=(",", ":"),
                                                         ensure_ascii=False)}
        for i, data in lines.items()])


# --- whole-database figures seen through a scope ---------------------------------------------


def scope_digest(*parts) -> str:
    """A fixed-length key for what a scoped figure depends on besides its owner's data (an
    actor's scope, years, today's date…): SHA-256 of the parts' JSON, hexadecimal."""
    text = json.dumps(parts, separators=(",", ":"), default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def scoped_figure(session: Session, name: str, kind: str, scope: str,
                  compute: Callable[[], object], dump: Callable[[object], list],
                  load: Callable[[list], object]):
    """The figure ``name`` of the whole-database owner ``kind`` (LEDGER, CYCLE) for ``scope``:
    read from its snapshot when that is of the owner's current generation (one query), else
    computed after reading the generation, and stored under it. ``dump`` turns the figure into
    JSON values and ``load`` back into an equal figure (exact: Decimals as strings)."""
    s = ScopedSnapshot
    data = session.scalar(
        select(s.data).outerjoin(CacheGeneration, _current(kind, WHOLE))
        .where(s.name == name, s.scope == scope,
               s.generation == func.coalesce(CacheGeneration.generation, 0)))
    if data is not None:
        return load(json.loads(data))
    generation = generations(session, kind, [WHOLE])[WHOLE]
    figure = compute()
    _store(session, ScopedSnapshot.__table__, ["name", "scope"], [
        {"name": name, "scope": scope, "generation": generation,
         "data": json.dumps(dump(figure), separators=(",", ":"), ensure_ascii=False)}])
    return figure
