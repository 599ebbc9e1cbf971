"""Cumulative calls, disbursements and NAV at each quarter end (yuan, exact), for the chart.

The definitions are funds.md's (the same as ``app.domain.fund_metrics``), computed in one pass
over the dated inputs without the per-investment IRRs, which would make a long chart cost one
XIRR per investment and quarter."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from app.domain import fund_metrics as fm
from app.domain.quarter import Quarter
from app.services.reporting.builders.common import amount_text

ZERO = Decimal("0.00")
_CASH_SIGN = {"CAPITAL_CALL": 1, "DISTRIBUTION": -1, "FEE": -1}


class _Position:
    """One investment's running sums (yuan) and latest valuation."""

    __slots__ = ("cost", "instrument", "realized", "repaid", "valuation", "written_off")

    def __init__(self, instrument: str) -> None:
        self.instrument = instrument
        self.cost = self.realized = self.repaid = self.written_off = ZERO
        self.valuation: Decimal | None = None

    def add(self, entry: fm.LedgerEntry) -> None:
        """Count one ledger entry (signed: a reversal subtracts)."""
        if entry.type == "DISBURSEMENT":
            self.cost += entry.amount
        elif entry.type == "WRITE_OFF":
            self.written_off += entry.amount
        elif entry.type in ("REPAYMENT", "INCOME", "PROCEEDS"):
            self.realized += entry.amount
            if entry.type == "REPAYMENT":
                self.repaid += entry.amount

    @property
    def value(self) -> Decimal:
        """funds.md's investment value: loan outstanding, grant 0, equity marked or at cost."""
        if self.instrument == "LOAN":
            return self.cost - self.repaid - self.written_off
        if self.instrument == "GRANT":
            return ZERO
        return self.valuation if self.valuation is not None else self.cost - self.written_off


def cumulative(inputs: fm.FundInput, quarters: Sequence[Quarter]) -> dict[str, dict]:
    """Per quarter (text) the paid-in, disbursed and NAV as of its last day, yuan as text."""
    positions = [_Position(i.instrument) for i in inputs.investments]
    events: list[tuple] = [(m.on, 0, -1, m) for m in inputs.movements]
    for index, investment in enumerate(inputs.investments):
        events += [(e.on, 1, index, e) for e in investment.entries]
        events += [(v.on, 2, index, v) for v in investment.valuations]
    events.sort(key=lambda event: event[0])  # stable: same-day valuations keep input order
    paid_in = disbursed = realized = cash_flows = ZERO
    series: dict[str, dict] = {}
    position = 0
    for quarter in quarters:
        end = quarter.last_day
        while position < len(events) and events[position][0] <= end:
            _on, kind, index, item = events[position]
            position += 1
            if kind == 0:
                cash_flows += _CASH_SIGN[item.type] * item.amount
                paid_in += item.amount if item.type == "CAPITAL_CALL" else ZERO
            elif kind == 1:
                before = positions[index].realized
                positions[index].add(item)
                realized += positions[index].realized - before
                disbursed += item.amount if item.type == "DISBURSEMENT" else ZERO
            else:
                positions[index].valuation = item.value
        portfolio = sum((p.value for p in positions), ZERO)
        nav = portfolio + cash_flows - disbursed + realized
        series[str(quarter)] = {"paid_in": amount_text(paid_in),
                                "disbursed": amount_text(disbursed), "nav": amount_text(nav)}
    return series
