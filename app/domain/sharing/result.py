"""What the split engine returns: per-quarter rows, read lazily as Decimals and Fractions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from app.domain.apportion import from_units, units_to_decimal
from app.domain.quarter import Quarter
from app.domain.sharing.plan import Plan
from app.domain.sharing.rules import SPLIT, YEAR, Cap, Tier

# A row as the engine stores it (integers only):
# (quarter index, value units, is_missing, tier plan index, R units per party,
#  E per party in units/D, D, T units, scoped cumulative per party in units/D or None)
_QI, _V, _MISSING, _TIER, _R, _E, _D, _T, _SCOPED = range(9)


@dataclass(frozen=True)
class CapState:
    """A cap after a quarter, in the indicator's unit.

    ``used`` and ``room`` are exact (the split engine's rationals): the exact cumulative share
    within the cap's scope and what is left of the cap (never below zero). ``allocated`` and
    ``left`` are what a statement prints: ``allocated`` is the *rounded* cumulative allocation
    within the scope (R[p] for an AGREEMENT cap, so equal to "since inception"; R[p] − R[p] at the
    end of the previous year for a YEAR cap, so equal to "year to date"), in whole quanta, and
    ``left = cap − allocated`` exactly, so that the two always add up to the cap. While the exact
    share is within the cap, ``allocated`` is too: R[p] ≤ cap always holds for an AGREEMENT cap
    (E[p] ≤ cap and the cap is whole quanta), but a YEAR cap's rounded year to date can reach
    cap + one quantum when the previous year ended rounded down (|R − E| < quantum at both ends);
    it then shows the cap. Only the default party can exceed its cap (it takes an excess nobody
    else can); its ``allocated`` is then above the cap and ``left`` negative, as it happened.
    """

    party: str
    scope: str
    cap: Decimal
    used: Fraction
    room: Fraction
    allocated: Decimal
    left: Decimal


class QuarterRow:
    """One quarter of a split; amounts in the indicator's unit, allocations in whole quanta."""

    __slots__ = ("_k", "_result")

    def __init__(self, result: SplitResult, k: int) -> None:
        self._result = result
        self._k = k

    @property
    def _raw(self) -> tuple:
        return self._result._rows[self._k]

    @property
    def quarter(self) -> Quarter:
        """The quarter."""
        return Quarter.from_index(self._raw[_QI])

    @property
    def value(self) -> Decimal:
        """The observed value (zero when missing)."""
        return self._result._to_decimal(self._raw[_V])

    @property
    def is_missing(self) -> bool:
        """Whether there was no observation (the value counted as zero)."""
        return self._raw[_MISSING]

    @property
    def tier(self) -> Tier | None:
        """The tier in force; ``None`` if no tier covers the quarter (default party takes all)."""
        return self._result._plan.tiers[self._raw[_TIER]].tier

    @property
    def total(self) -> Decimal:
        """T: the cumulative observed total through this quarter."""
        return self._result._to_decimal(self._raw[_T])

    @property
    def allocation(self) -> dict[str, Decimal]:
        """a[p] = R'[p] − R[p]: each party's allocation for the quarter, whole quanta."""
        return self._result._decimals(self.allocation_units())

    @property
    def rounded(self) -> dict[str, Decimal]:
        """R[p]: each party's cumulative rounded allocation through this quarter."""
        return self._result._decimals(self._raw[_R])

    @property
    def exact(self) -> dict[str, Fraction]:
        """E[p]: each party's cumulative exact share through this quarter, as a Fraction."""
        raw = self._raw
        scale = Fraction(self._result.quantum) / raw[_D]
        return dict(zip(self._result.parties, (x * scale for x in raw[_E]), strict=True))

    @property
    def caps(self) -> dict[str, CapState]:
        """Per capped party, after the quarter: cumulative within the cap's scope, room left."""
        raw = self._raw
        result = self._result
        if raw[_SCOPED] is None:
            return {}
        scale = Fraction(result.quantum) / raw[_D]
        to_decimal = result._to_decimal
        out = {}
        for p, units in sorted(result._cap_units.items()):
            cap: Cap = result._plan.caps[p]
            amount = from_units(units, result.quantum)
            used = raw[_SCOPED][p] * scale
            allocated = raw[_R][p] - self._rounded_before_scope(p, cap.scope)
            if allocated > units and used <= amount:  # rounding's quantum, not an excess
                allocated = units
            out[cap.party] = CapState(
                cap.party, cap.scope, amount, used, max(Fraction(amount) - used, Fraction(0)),
                to_decimal(allocated), to_decimal(units - allocated),
            )
        return out

    def _rounded_before_scope(self, p: int, scope: str) -> int:
        """R[p] in whole quanta just before the cap's scope began: 0 for an AGREEMENT cap, the
        previous year's last quarter for a YEAR cap (0 if the walk began after it)."""
        if scope != YEAR:
            return 0
        # Rows are consecutive quarters; index % 4 is 0 in Q1, where a yearly cap restarts.
        k = self._k - (self._raw[_QI] % 4) - 1
        return self._result._rows[k][_R][p] if k >= 0 else 0

    def allocation_units(self) -> list[int]:
        """The allocation per party in whole quanta, in priority order."""
        rows, k = self._result._rows, self._k
        now = rows[k][_R]
        if k == 0:
            return list(now)
        return [a - b for a, b in zip(now, rows[k - 1][_R], strict=True)]

    def __repr__(self) -> str:
        return f"QuarterRow({self.quarter}, value={self.value}, allocation={self.allocation})"


class SplitResult:
    """The rows of one split, in quarter order; ``is_additive`` is false for dual counting."""

    def __init__(self, plan: Plan, rows: list[tuple], cap_units: dict[int, int]) -> None:
        self._plan = plan
        self._rows = rows
        self._cap_units = cap_units
        self._index = {row[_QI]: k for k, row in enumerate(rows)}
        self.parties: tuple[str, ...] = plan.parties.order
        self.mode: str = plan.rule.mode
        self.quantum: Decimal = plan.rule.quantum
        self._to_decimal = units_to_decimal(self.quantum)

    @property
    def is_additive(self) -> bool:
        """Whether amounts add up across parties (SPLIT); dual counts are for assessment only."""
        return self.mode == SPLIT

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[QuarterRow]:
        return (QuarterRow(self, k) for k in range(len(self._rows)))

    def __getitem__(self, k: int) -> QuarterRow:
        if not -len(self._rows) <= k < len(self._rows):
            raise IndexError(k)
        return QuarterRow(self, k % len(self._rows))

    def row(self, quarter: Quarter) -> QuarterRow | None:
        """The row of ``quarter``, or ``None`` if the walk did not reach it."""
        k = self._index.get(quarter.index)
        return None if k is None else QuarterRow(self, k)

    @property
    def quarters(self) -> list[Quarter]:
        """Every quarter walked, in order."""
        return [Quarter.from_index(row[_QI]) for row in self._rows]

    @property
    def missing(self) -> list[Quarter]:
        """The quarters without an observation (counted as zero)."""
        return [Quarter.from_index(row[_QI]) for row in self._rows if row[_MISSING]]

    def allocations(self, observed_only: bool = False) -> dict[Quarter, dict[str, Decimal]]:
        """Quarter → party → allocation, whole quanta of the indicator's unit (observed only?)."""
        # Straight from the stored integers: this is how a whole statement is read.
        to_decimal, parties = self._to_decimal, self.parties
        out = {}
        previous = [0] * len(parties)
        for raw in self._rows:
            now = raw[_R]
            if not (observed_only and raw[_MISSING]):
                out[Quarter.from_index(raw[_QI])] = {
                    p: to_decimal(a - b) for p, a, b in zip(parties, now, previous, strict=True)
                }
            previous = now
        return out

    def _decimals(self, units: list[int]) -> dict[str, Decimal]:
        to_decimal = self._to_decimal
        return {party: to_decimal(u) for party, u in zip(self.parties, units, strict=True)}
