"""A fund's metrics after a write reuse the IRRs stored beside the outdated snapshot: only
flows that changed are solved again, and the figures equal a computation from nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.domain import fund_metrics as fm
from app.domain.codes import MovementType, TransactionType
from app.domain.xirr import xirr
from app.models import Fund
from app.services import snapshots
from app.services.access.scopes import SYSTEM
from app.services.funds import investments, metrics
from app.services.funds import register as funds
from app.services.funds.irr_memo import IrrMemo, flows_digest
from tests.factories import add_lp, call, invest, make_fund, make_project

AS_OF = dt.date(2024, 12, 31)


def _fund_with_three_holdings(db):
    fund = make_fund(db, "MF")
    add_lp(db, fund, "90000000.00", on=dt.date(2024, 1, 10))
    call(db, fund, "30000000.00", dt.date(2024, 2, 1))
    held = []
    for n in range(3):
        investment = invest(db, fund, make_project(db, f"MP{n}"))
        investments.record_transaction(db, SYSTEM, investment.id, investments.TransactionData(
            TransactionType.DISBURSEMENT, dt.date(2024, 3, 1 + n), Decimal(f"{n + 1}000000.00")))
        investments.record_valuation(db, SYSTEM, investment.id, dt.date(2024, 12, 31),
                                     Decimal(f"{n + 2}000000.00"))
        held.append(investment)
    db.commit()
    return fund, held


def _recompute(db, fund) -> tuple[fm.FundMetrics, int]:
    """The metrics through the cache, and how many rates the memo solved doing so."""
    db.expire_all()
    fund = db.get(Fund, fund.id)
    known = snapshots.earlier_irr_memo(db, [fund.id], [AS_OF])
    memo = IrrMemo(dict(known))
    inputs = metrics.load_portfolios(db, [fund])[fund.id].inputs
    fm.compute_fund_metrics(inputs, AS_OF, irr_of=memo)
    return metrics.metrics_as_of(db, [fund], AS_OF)[fund.id], memo.solved


def _fresh(db, fund) -> fm.FundMetrics:
    db.expire_all()
    fund = db.get(Fund, fund.id)
    return fm.compute_fund_metrics(metrics.load_portfolios(db, [fund])[fund.id].inputs, AS_OF)


def test_a_fee_solves_only_the_funds_own_rate_and_the_figures_stay_exact(db):
    fund, _held = _fund_with_three_holdings(db)
    first, solved = _recompute(db, fund)
    assert solved == 4  # three holdings and the fund's net IRR: nothing stored yet
    assert first == _fresh(db, fund)

    funds.record_movement(db, SYSTEM, fund.id, funds.MovementData(
        MovementType.FEE, dt.date(2024, 6, 30), Decimal("0.01")))
    db.commit()
    after_fee, solved = _recompute(db, fund)
    assert solved == 1  # the fund's NAV moved by a fen: its rate only
    assert after_fee == _fresh(db, fund)
    assert after_fee.fees == Decimal("0.01")


def test_a_ledger_row_solves_that_holding_again(db):
    fund, held = _fund_with_three_holdings(db)
    _recompute(db, fund)
    investments.record_transaction(db, SYSTEM, held[1].id, investments.TransactionData(
        TransactionType.INCOME, dt.date(2024, 10, 1), Decimal("50000.00")))
    db.commit()
    after, solved = _recompute(db, fund)
    assert solved == 2  # the holding with the new row, and the fund's net IRR
    assert after == _fresh(db, fund)
    assert after.investments["MP1"].irr == _fresh(db, fund).investments["MP1"].irr


def test_the_stored_rates_are_the_rates_of_the_flows_they_are_filed_under(db):
    fund, _held = _fund_with_three_holdings(db)
    metrics.metrics_as_of(db, [fund], AS_OF)
    db.commit()
    stored = snapshots.earlier_irr_memo(db, [fund.id], [AS_OF])
    flows = [(dt.date(2024, 3, 1), Decimal("-1000000.00")), (AS_OF, Decimal("2000000.00"))]
    assert stored[flows_digest(flows)] == str(xirr(flows))


def test_the_digest_tells_apart_flows_a_fen_or_a_day_apart():
    flows = [(dt.date(2024, 3, 1), Decimal("-1000000.00")), (AS_OF, Decimal("2000000.00"))]
    assert flows_digest(flows) == flows_digest(list(flows))
    assert flows_digest(flows) != flows_digest([flows[0], (AS_OF, Decimal("2000000.01"))])
    assert flows_digest(flows) != flows_digest([(dt.date(2024, 3, 2), flows[0][1]), flows[1]])


def test_the_page_ranks_holdings_from_a_snapshot_as_from_a_computation(db):
    fund, _held = _fund_with_three_holdings(db)
    computed = _fresh(db, fund)
    metrics.metrics_as_of(db, [fund], AS_OF)
    db.commit()
    stored = metrics.metrics_as_of(db, [db.get(Fund, fund.id)], AS_OF)[fund.id]
    assert isinstance(stored.investments, snapshots.StoredInvestments)
    from_snapshot = metrics.largest_holdings(stored.investments, 2)
    assert from_snapshot == metrics.largest_holdings(computed.investments, 2)
    assert [key for key, _m in from_snapshot] == ["MP2", "MP1"]  # the largest value first
    assert dict(stored.investments) == computed.investments
