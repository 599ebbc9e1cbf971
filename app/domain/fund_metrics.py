"""Fund and investment metrics as of a date, as funds.md defines them; yuan exact to the fen."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from fractions import Fraction
from typing import Any

from app.domain.money import from_minor_units, to_minor_units
from app.domain.quarter import Quarter
from app.domain.xirr import xirr

INVESTOR_TYPES = frozenset({"GOVERNMENT", "SOE", "FINANCIAL", "PRIVATE", "OTHER"})
MOVEMENT_TYPES = frozenset({"CAPITAL_CALL", "DISTRIBUTION", "FEE"})
ENTRY_TYPES = frozenset(
    {"COMMITMENT", "DISBURSEMENT", "REPAYMENT", "INCOME", "PROCEEDS", "WRITE_OFF"}
)
INSTRUMENTS = frozenset({"EQUITY", "LOAN", "GRANT"})
Flows = list[tuple[dt.date, Decimal]]
IrrOf = Callable[[Flows], Decimal | None]
"""How the IRR of dated flows is found: :func:`~app.domain.xirr.xirr`, or a memo of it (the same
flows always give the same rate, so a caller may remember rates it computed before)."""
JSON_PLACES = 10
"""Decimal places of ratios and IRRs in :func:`to_json_dict` (rounded half-even at the last)."""


def _check(item: Any, what: str, on: dt.date, amount: Decimal, kind: str = "",
           allowed: Any = ()) -> None:
    """TypeError/ValueError unless ``on`` is a date, ``amount`` whole fen, ``kind`` allowed;
    keeps the amount in fen on the item (``fen``: every sum is taken in fen)."""
    if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
        raise TypeError(f"{what} date must be a date, not {type(on).__name__}")
    fen = to_minor_units(amount)  # TypeError for a float, AmountError for fractions of a fen
    if allowed and kind not in allowed:
        raise ValueError(f"unknown {what} type {kind!r}; expected one of {sorted(allowed)}")
    object.__setattr__(item, "fen", fen)


@dataclass(frozen=True, slots=True)
class Commitment:
    """One LP's commitment to the fund (yuan, whole fen)."""

    investor: str
    investor_type: str
    on: dt.date
    amount: Decimal
    fen: int = field(init=False, repr=False, compare=False)
    """The amount in fen (whole number), set from it."""

    def __post_init__(self) -> None:
        _check(self, "investor", self.on, self.amount, self.investor_type, INVESTOR_TYPES)


@dataclass(frozen=True, slots=True)
class Movement:
    """A fund-level cash movement: CAPITAL_CALL, DISTRIBUTION or FEE (yuan, whole fen)."""

    type: str
    on: dt.date
    amount: Decimal
    fen: int = field(init=False, repr=False, compare=False)
    """The amount in fen (whole number), set from it."""

    def __post_init__(self) -> None:
        _check(self, "movement", self.on, self.amount, self.type, MOVEMENT_TYPES)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """An investment transaction (yuan, whole fen, signed: a reversing entry is negative)."""

    type: str
    on: dt.date
    amount: Decimal
    fen: int = field(init=False, repr=False, compare=False)
    """The amount in fen (whole number), set from it."""

    def __post_init__(self) -> None:
        _check(self, "ledger entry", self.on, self.amount, self.type, ENTRY_TYPES)

    @classmethod
    def from_fen(cls, type: str, on: dt.date, fen: int) -> LedgerEntry:
        """An entry of ``fen`` fen (an int: whole fen by construction), as read from the ledger."""
        if type not in ENTRY_TYPES:
            raise ValueError(f"unknown ledger entry type {type!r}")
        entry = object.__new__(cls)
        _set(entry, "type", type)
        _set(entry, "on", on)
        _set(entry, "amount", from_minor_units(fen))
        _set(entry, "fen", fen)
        return entry


@dataclass(frozen=True, slots=True)
class Valuation:
    """An equity investment's fair value as of a date (yuan, whole fen, not negative)."""

    on: dt.date
    value: Decimal
    fen: int = field(init=False, repr=False, compare=False)
    """The amount in fen (whole number), set from it."""

    def __post_init__(self) -> None:
        _check(self, "valuation", self.on, self.value)
        if self.value < 0:
            raise ValueError(f"a valuation cannot be negative: {self.value}")

    @classmethod
    def from_fen(cls, on: dt.date, fen: int) -> Valuation:
        """A valuation of ``fen`` fen (an int: whole fen by construction), as read from the
        register."""
        if fen < 0:
            raise ValueError(f"a valuation cannot be negative: {fen} fen")
        valuation = object.__new__(cls)
        _set(valuation, "on", on)
        _set(valuation, "value", from_minor_units(fen))
        _set(valuation, "fen", fen)
        return valuation


_set = object.__setattr__
"""Sets a field of a frozen item built from values known to be valid (``from_fen``)."""


@dataclass(frozen=True, slots=True)
class InvestmentInput:
    """One investment (project key, instrument) with its ledger and valuations."""

    key: str
    instrument: str
    in_sponsor_region: bool
    entries: tuple[LedgerEntry, ...] = ()
    valuations: tuple[Valuation, ...] = ()

    def __post_init__(self) -> None:
        if self.instrument not in INSTRUMENTS:
            raise ValueError(
                f"unknown instrument {self.instrument!r}; expected one of {sorted(INSTRUMENTS)}"
            )
        object.__setattr__(self, "entries", tuple(self.entries))
        object.__setattr__(self, "valuations", tuple(self.valuations))


@dataclass(frozen=True, slots=True)
class FundInput:
    """Everything the metrics need about one fund; investment keys are unique."""

    commitments: tuple[Commitment, ...] = ()
    movements: tuple[Movement, ...] = ()
    investments: tuple[InvestmentInput, ...] = ()

    def __post_init__(self) -> None:
        for name in ("commitments", "movements", "investments"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        keys = [investment.key for investment in self.investments]
        if len(set(keys)) != len(keys):
            raise ValueError(f"investment keys must be unique: {sorted(keys)}")


@dataclass(frozen=True, slots=True)
class InvestmentMetrics:
    """One investment as of a date: yuan amounts exact; MOIC a Fraction; gross IRR a Decimal."""

    key: str
    instrument: str
    cost: Decimal
    realized: Decimal
    written_off: Decimal
    value: Decimal
    moic: Fraction | None
    irr: Decimal | None
    valuation_on: dt.date | None
    is_not_marked: bool


@dataclass(frozen=True, slots=True)
class FundMetrics:
    """A fund as of a date: yuan exact, ratios Fractions, IRRs Decimals; None is undefined."""

    committed: Decimal
    government_commitment: Decimal
    leverage_multiple: Fraction | None
    paid_in: Decimal
    unfunded: Decimal
    distributed: Decimal
    fees: Decimal
    investment_commitments: Decimal
    undrawn_investment_commitments: Decimal
    disbursed: Decimal
    deployment_rate: Fraction | None
    realized: Decimal
    portfolio_value: Decimal
    cash: Decimal
    nav: Decimal
    dpi: Fraction | None
    rvpi: Fraction | None
    tvpi: Fraction | None
    net_irr: Decimal | None
    return_investment_ratio: Fraction | None
    investments: dict[str, InvestmentMetrics] = field(default_factory=dict)


class _Timeline:
    """Items sorted by date (stable): those on or before a date are a prefix found by bisection."""

    __slots__ = ("_days", "_items")

    def __init__(self, items: Sequence[Any]) -> None:
        self._items = sorted(items, key=lambda item: item.on)
        self._days = [item.on for item in self._items]

    def upto(self, as_of: dt.date) -> list[Any]:
        """Items dated on or before ``as_of``, oldest first."""
        return self._items[: bisect_right(self._days, as_of)]


# An investment with its ledger and valuations sorted; a fund's commitments, movements, investments.
_PreparedInvestment = tuple[InvestmentInput, _Timeline, _Timeline]
_PreparedFund = tuple[_Timeline, _Timeline, tuple[_PreparedInvestment, ...]]


def _prepare(fund: FundInput) -> _PreparedFund:
    """Sort every dated list once."""
    timelines = tuple((i, _Timeline(i.entries), _Timeline(i.valuations)) for i in fund.investments)
    return _Timeline(fund.commitments), _Timeline(fund.movements), timelines


def _fen(items: Sequence[Any], *types: str) -> int:
    """Sum in fen of the items whose type is one of ``types``."""
    return sum(item.fen for item in items if item.type in types)


def _ratio(numerator_fen: int, denominator_fen: int) -> Fraction | None:
    """Exact ratio of two fen sums; None when the denominator is 0."""
    return None if denominator_fen == 0 else Fraction(numerator_fen, denominator_fen)


def _investment(
    prepared: _PreparedInvestment, as_of: dt.date, irr_of: IrrOf
) -> tuple[InvestmentMetrics, int, int, int, int]:
    """One investment's metrics, plus its commitments, disbursements, realized and value in fen
    for the fund's totals."""
    source, entry_timeline, valuation_timeline = prepared
    entries, valuations = entry_timeline.upto(as_of), valuation_timeline.upto(as_of)
    sums = dict.fromkeys(ENTRY_TYPES, 0)  # fen by entry type, in one pass
    for entry in entries:
        sums[entry.type] += entry.fen
    committed, cost = sums["COMMITMENT"], sums["DISBURSEMENT"]
    repaid, proceeds = sums["REPAYMENT"], sums["PROCEEDS"]
    realized = repaid + sums["INCOME"] + proceeds
    written_off = sums["WRITE_OFF"]
    latest = valuations[-1] if valuations else None  # same day twice: the later in input order
    is_not_marked = False
    if source.instrument == "LOAN":
        value = cost - repaid - written_off
    elif source.instrument == "GRANT":
        value = 0
    else:
        value = latest.fen if latest else cost - written_off
        is_exited = latest is not None and value == 0 and proceeds > 0
        is_marked = latest is not None and latest.on >= Quarter.containing(as_of).first_day
        is_not_marked = cost > 0 and not is_marked and not is_exited
    signs = {"DISBURSEMENT": -1, "REPAYMENT": 1, "INCOME": 1, "PROCEEDS": 1}
    flows = [(e.on, signs[e.type] * e.amount) for e in entries if e.type in signs]
    flows.append((as_of, from_minor_units(value)))
    amounts = [from_minor_units(fen) for fen in (cost, realized, written_off, value)]
    valuation_on = latest.on if latest and source.instrument == "EQUITY" else None
    moic, irr = _ratio(realized + value, cost), irr_of(flows)
    metrics = InvestmentMetrics(
        source.key, source.instrument, *amounts, moic, irr, valuation_on, is_not_marked
    )
    return metrics, committed, cost, realized, value


def _compute(prepared: _PreparedFund, as_of: dt.date, irr_of: IrrOf) -> FundMetrics:
    """The fund's metrics as of ``as_of`` from already sorted inputs."""
    commitment_timeline, movement_timeline, prepared_investments = prepared
    commitments, movements = commitment_timeline.upto(as_of), movement_timeline.upto(as_of)
    committed = sum(c.fen for c in commitments)
    government = sum(c.fen for c in commitments if c.investor_type == "GOVERNMENT")
    paid_in, distributed = _fen(movements, "CAPITAL_CALL"), _fen(movements, "DISTRIBUTION")
    fees = _fen(movements, "FEE")
    investments: dict[str, InvestmentMetrics] = {}
    investment_commitments = undrawn = disbursed = realized = portfolio = in_region = 0
    for prepared_investment in prepared_investments:
        metrics, committed_to_it, cost, realized_fen, value_fen = _investment(
            prepared_investment, as_of, irr_of)
        investments[metrics.key] = metrics
        investment_commitments += committed_to_it
        undrawn += max(0, committed_to_it - cost)
        disbursed += cost
        realized += realized_fen
        portfolio += value_fen
        in_region += cost if prepared_investment[0].in_sponsor_region else 0
    cash = paid_in - disbursed + realized - distributed - fees
    nav = portfolio + cash
    lp_flows = [(m.on, -m.amount) for m in movements if m.type == "CAPITAL_CALL"]
    lp_flows += [(m.on, m.amount) for m in movements if m.type == "DISTRIBUTION"]
    lp_flows.append((as_of, from_minor_units(nav)))
    amounts = {
        "committed": committed, "government_commitment": government, "paid_in": paid_in,
        "unfunded": committed - paid_in, "distributed": distributed, "fees": fees,
        "investment_commitments": investment_commitments,
        "undrawn_investment_commitments": undrawn, "disbursed": disbursed, "realized": realized,
        "portfolio_value": portfolio, "cash": cash, "nav": nav,
    }  # fmt: skip
    return FundMetrics(
        **{name: from_minor_units(fen) for name, fen in amounts.items()},
        leverage_multiple=_ratio(committed, government),
        deployment_rate=_ratio(disbursed, committed),
        dpi=_ratio(distributed, paid_in),
        rvpi=_ratio(nav, paid_in),
        tvpi=_ratio(distributed + nav, paid_in),
        net_irr=irr_of(lp_flows),
        return_investment_ratio=_ratio(in_region, government),
        investments=investments,
    )


def compute_fund_metrics(fund: FundInput, as_of: dt.date, *, irr_of: IrrOf = xirr
                         ) -> FundMetrics:
    """Every funds.md metric of ``fund``, counting what is dated on or before ``as_of``; exact.
    ``irr_of`` finds each IRR (see :data:`IrrOf`)."""
    return _compute(_prepare(fund), as_of, irr_of)


def metrics_over_quarters(
    fund: FundInput, quarters: Sequence[Quarter], *, irr_of: IrrOf = xirr
) -> list[tuple[Quarter, FundMetrics]]:
    """The metrics as of each quarter's last day (for charts), sorting the inputs only once."""
    prepared = _prepare(fund)
    return [(quarter, _compute(prepared, quarter.last_day, irr_of)) for quarter in quarters]


def holding_rank(key: str, value: Decimal, cost: Decimal) -> tuple[Decimal, Decimal, str]:
    """Sort key of a fund's schedule of investments as its page ranks it: the largest value
    first, then the largest cost, then the key."""
    return (-value, -cost, key)


def _json_number(value: Fraction | Decimal | None) -> str | None:
    """A ratio or IRR as a string with JSON_PLACES places, rounded half-even; None stays None."""
    if value is None:
        return None
    units = round(Fraction(value) * 10**JSON_PLACES)  # Fraction rounding is half-even and exact
    return f"{Decimal(units).scaleb(-JSON_PLACES):f}"


def to_json_dict(metrics: FundMetrics) -> dict[str, Any]:
    """The ``funds metrics --json`` object of funds.md, keys in its order.

    Amounts are yuan strings to the fen ("1000000000.00"). Ratios and IRRs are computed exactly,
    then rounded half-even at the 10th decimal place ("0.1057447998"), not the half-up display
    rounding. Undefined values are None (JSON null).
    """
    result: dict[str, Any] = {}
    for item in fields(metrics):  # declared in the order funds.md lists them
        value = getattr(metrics, item.name)
        if item.type == "Decimal":  # an amount (annotations are strings here)
            result[item.name] = f"{value:f}"
        elif item.name != "investments":
            result[item.name] = _json_number(value)
    result["investments"] = {
        key: {
            "cost": f"{item.cost:f}",
            "value": f"{item.value:f}",
            "moic": _json_number(item.moic),
            "irr": _json_number(item.irr),
        }
        for key, item in metrics.investments.items()
    }
    return result


@dataclass(frozen=True, slots=True)
class Deployment:
    """The fund-level deployment figures at a date (yuan exact; the rate a Fraction or None):
    the same values as the :class:`FundMetrics` fields of those names."""

    committed: Decimal
    paid_in: Decimal
    disbursed: Decimal
    deployment_rate: Fraction | None


def deployment_over_quarters(
    committed: Sequence[tuple[dt.date, Decimal]],
    paid_in: Sequence[tuple[dt.date, Decimal]],
    disbursed: Sequence[tuple[dt.date, Decimal]],
    quarters: Sequence[Quarter],
) -> list[tuple[Quarter, Deployment]]:
    """The deployment figures as of each quarter's last day, in one pass over dated amounts.

    Each sequence holds (date, signed yuan) amounts in any order, e.g. sums per day: LP
    commitments, capital calls, and disbursements to the fund's investments (reversals
    negative). Equal to the same fields of :func:`compute_fund_metrics` (sums in fen, exact),
    without the per-investment figures and IRRs the series does not need."""

    def cumulative(amounts: Sequence[tuple[dt.date, Decimal]]) -> list[int]:
        ordered = sorted(amounts, key=lambda item: item[0])
        days = [on for on, _amount in ordered]
        running, total = [0], 0
        for _on, amount in ordered:
            total += to_minor_units(amount)
            running.append(total)
        return [running[bisect_right(days, q.last_day)] for q in quarters]

    series = zip(cumulative(committed), cumulative(paid_in), cumulative(disbursed), strict=True)
    return [
        (quarter, Deployment(from_minor_units(c), from_minor_units(p), from_minor_units(d),
                             _ratio(d, c)))
        for quarter, (c, p, d) in zip(quarters, series, strict=True)
    ]
