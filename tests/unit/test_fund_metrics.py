"""Tests of app.domain.fund_metrics: the public worked example of funds.md, and each rule alone."""

import datetime as dt
import json
import random
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from app.domain import fund_metrics as fm
from app.domain.fund_metrics import (
    Commitment,
    FundInput,
    FundMetrics,
    InvestmentInput,
    LedgerEntry,
    Movement,
    Valuation,
    compute_fund_metrics,
    metrics_over_quarters,
    to_json_dict,
)
from app.domain.money import AmountError, round_half_up
from app.domain.quarter import Quarter, quarters_between
from app.domain.xirr import xirr

EXAMPLE_PATH = Path(__file__).resolve().parents[1] / "examples" / "funds.json"
EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
AS_OF = date.fromisoformat(EXAMPLE["as_of"])
EXPECTED = EXAMPLE["expected"]
AMOUNT_NAMES = [
    "committed", "government_commitment", "paid_in", "unfunded", "distributed", "fees",
    "investment_commitments", "undrawn_investment_commitments", "disbursed", "realized",
    "portfolio_value", "cash", "nav",
]  # fmt: skip
RATIO_NAMES = [
    "leverage_multiple", "deployment_rate", "dpi", "rvpi", "tvpi", "return_investment_ratio",
]  # fmt: skip


def day(text: str) -> date:
    return date.fromisoformat(text)


def load_example_fund() -> FundInput:
    """The example's fund as domain inputs, exactly as its JSON gives them."""
    fund = EXAMPLE["fund"]
    return FundInput(
        commitments=tuple(
            Commitment(c["investor"], c["investor_type"], day(c["date"]), Decimal(c["amount"]))
            for c in fund["commitments"]
        ),
        movements=tuple(
            Movement(m["type"], day(m["date"]), Decimal(m["amount"])) for m in fund["movements"]
        ),
        investments=tuple(
            InvestmentInput(
                key=i["project"],
                instrument=i["instrument"],
                in_sponsor_region=i["in_sponsor_region"],
                entries=tuple(
                    LedgerEntry(t["type"], day(t["date"]), Decimal(t["amount"]))
                    for t in i["transactions"]
                ),
                valuations=tuple(
                    Valuation(day(v["as_of"]), Decimal(v["value"])) for v in i.get("valuations", [])
                ),
            )
            for i in fund["investments"]
        ),
    )


@pytest.fixture(scope="module")
def example() -> FundMetrics:
    return compute_fund_metrics(load_example_fund(), AS_OF)


def shown_ratio(value: Fraction | None) -> str | None:
    return None if value is None else str(round_half_up(value, 2))


def shown_irr(value: Decimal | None) -> str | None:
    return None if value is None else f"{round_half_up(value * 100, 2)}%"


def test_example_names_every_fund_metric_in_the_expected_object():
    assert set(AMOUNT_NAMES) | set(RATIO_NAMES) | {"net_irr", "investments"} == set(EXPECTED)


@pytest.mark.parametrize("name", AMOUNT_NAMES)
def test_example_amount_is_exactly_the_published_one(example, name):
    value = getattr(example, name)
    assert isinstance(value, Decimal)
    assert str(value) == EXPECTED[name]


@pytest.mark.parametrize("name", RATIO_NAMES)
def test_example_ratio_rounds_half_up_to_the_published_one(example, name):
    value = getattr(example, name)
    assert isinstance(value, Fraction)
    assert shown_ratio(value) == EXPECTED[name]


def test_example_net_irr_is_10_57_percent(example):
    assert shown_irr(example.net_irr) == EXPECTED["net_irr"] == "10.57%"


@pytest.mark.parametrize("key", sorted(EXPECTED["investments"]))
def test_example_investment_matches_cost_value_moic_and_irr(example, key):
    expected, actual = EXPECTED["investments"][key], example.investments[key]
    assert str(actual.cost) == expected["cost"]
    assert str(actual.value) == expected["value"]
    assert shown_ratio(actual.moic) == expected["moic"]
    assert shown_irr(actual.irr) == expected["irr"]


def test_example_ratios_are_exact_fractions(example):
    assert example.leverage_multiple == Fraction(10, 3)
    assert example.deployment_rate == Fraction(59, 100)
    assert example.tvpi == Fraction(85625, 70000)
    assert example.return_investment_ratio == Fraction(440, 300)


def test_example_net_irr_discounts_calls_distributions_and_nav_but_not_fees(example):
    flows = [
        (day("2023-01-15"), Decimal(-400_000_000)),
        (day("2024-01-15"), Decimal(-300_000_000)),
        (day("2025-04-15"), Decimal(150_000_000)),
        (AS_OF, Decimal("706250000.00")),
    ]
    assert example.net_irr == xirr(flows)


def test_example_flags_no_holding_as_not_marked(example):
    # P1 is valued on the quarter end; P3 is valued at 0 after its sale (an exit, not stale)
    assert [k for k, m in example.investments.items() if m.is_not_marked] == []
    assert example.investments["P1"].valuation_on == day("2025-06-30")
    assert example.investments["P3"].valuation_on == day("2025-03-31")
    assert example.investments["P2"].valuation_on is None


def test_example_realized_and_written_off_per_investment(example):
    assert str(example.investments["P2"].realized) == "111250000.00"
    assert str(example.investments["P3"].realized) == "180000000.00"
    assert str(example.investments["P1"].written_off) == "0.00"


def test_json_has_exactly_the_names_of_funds_md_in_order(example):
    document = to_json_dict(example)
    assert list(document) == list(EXPECTED)
    assert all(list(item) == ["cost", "value", "moic", "irr"]
               for item in document["investments"].values())  # fmt: skip
    assert list(document["investments"]) == ["P1", "P2", "P3", "P4", "P5"]
    json.dumps(document)  # serialisable as is


def test_json_amounts_are_fen_strings_and_ratios_ten_places_half_even(example):
    document = to_json_dict(example)
    assert document["committed"] == "1000000000.00"
    assert document["leverage_multiple"] == "3.3333333333"
    assert document["deployment_rate"] == "0.5900000000"
    assert document["dpi"] == "0.2142857143"
    assert document["net_irr"] == "0.1057447998"
    assert document["investments"]["P4"] == {
        "cost": "20000000.00", "value": "0.00", "moic": "0.0000000000", "irr": None}  # fmt: skip
    assert document["investments"]["P5"]["moic"] is None


def test_json_rounds_half_even_at_the_tenth_place():
    metrics = compute_fund_metrics(
        FundInput(commitments=(Commitment("G", "GOVERNMENT", day("2024-01-01"), Decimal("1")),
                               Commitment("P", "PRIVATE", day("2024-01-01"), Decimal("0.00")))),
        day("2024-12-31"),
    )  # fmt: skip
    assert to_json_dict(metrics)["leverage_multiple"] == "1.0000000000"
    with_half = replace(metrics, dpi=Fraction(5, 10**11), tvpi=Fraction(15, 10**11))
    assert to_json_dict(with_half)["dpi"] == "0.0000000000"
    assert to_json_dict(with_half)["tvpi"] == "0.0000000002"


def test_an_empty_fund_has_zero_amounts_and_undefined_ratios():
    metrics = compute_fund_metrics(FundInput(), day("2025-06-30"))
    document = to_json_dict(metrics)
    assert document["nav"] == "0.00" and document["committed"] == "0.00"
    assert [document[n] for n in [*RATIO_NAMES, "net_irr"]] == [None] * 7


def test_nothing_dated_after_as_of_counts():
    metrics = compute_fund_metrics(load_example_fund(), day("2024-12-31"))
    assert str(metrics.distributed) == "0.00"
    assert str(metrics.investment_commitments) == "590000000.00"  # P5's 2025 commitment not yet
    assert str(metrics.fees) == "10000000.00"
    assert metrics.investments["P1"].value == Decimal("380000000.00")
    assert metrics.investments["P1"].valuation_on == day("2024-12-31")
    assert str(metrics.investments["P3"].realized) == "0.00"


def test_stale_equity_valuation_is_used_but_flagged_not_marked():
    metrics = compute_fund_metrics(load_example_fund(), day("2025-03-30"))
    p1 = metrics.investments["P1"]
    assert p1.value == Decimal("380000000.00") and p1.is_not_marked


def test_equity_without_valuation_is_worth_cost_less_write_offs_and_flagged():
    metrics = compute_fund_metrics(load_example_fund(), day("2025-03-15"))
    p3 = metrics.investments["P3"]  # sold on 2025-03-01, valued at 0 only on 2025-03-31
    assert p3.value == Decimal("120000000.00") and p3.is_not_marked and p3.valuation_on is None
    written = equity(LedgerEntry("DISBURSEMENT", day("2024-01-10"), Decimal("100.00")),
                     LedgerEntry("WRITE_OFF", day("2024-02-10"), Decimal("30.00")))  # fmt: skip
    result = single(written, day("2024-03-31")).investments["X"]
    assert result.value == Decimal("70.00") and result.written_off == Decimal("30.00")
    assert result.is_not_marked


def test_equity_with_no_cost_is_not_flagged_even_without_valuation(example):
    assert example.investments["P5"].is_not_marked is False


def test_zero_valuation_without_proceeds_is_still_flagged_when_stale():
    holding = equity(LedgerEntry("DISBURSEMENT", day("2024-01-10"), Decimal("100.00")),
                     valuations=(Valuation(day("2024-03-31"), Decimal("0.00")),))  # fmt: skip
    result = single(holding, day("2024-06-30")).investments["X"]
    assert result.value == Decimal("0.00") and result.is_not_marked


def test_loan_value_is_disbursed_less_repaid_less_written_off():
    loan = InvestmentInput("L", "LOAN", False, (
        LedgerEntry("DISBURSEMENT", day("2024-01-01"), Decimal("100.00")),
        LedgerEntry("REPAYMENT", day("2024-06-01"), Decimal("30.00")),
        LedgerEntry("WRITE_OFF", day("2024-07-01"), Decimal("20.00")),
        LedgerEntry("INCOME", day("2024-07-01"), Decimal("5.00")),
    ), valuations=(Valuation(day("2024-09-30"), Decimal("999.00")),))  # fmt: skip
    result = single(loan, day("2024-12-31")).investments["L"]
    assert result.value == Decimal("50.00") and result.realized == Decimal("35.00")
    assert result.is_not_marked is False and result.valuation_on is None


def test_grant_is_worth_nothing_and_its_irr_is_undefined(example):
    assert example.investments["P4"].value == 0 and example.investments["P4"].irr is None


def test_a_reversing_entry_cancels_the_entry_it_reverses():
    holding = equity(LedgerEntry("DISBURSEMENT", day("2024-01-10"), Decimal("100.00")),
                     LedgerEntry("DISBURSEMENT", day("2024-01-11"), Decimal("50.00")),
                     LedgerEntry("DISBURSEMENT", day("2024-01-12"), Decimal("-50.00")))  # fmt: skip
    metrics = single(holding, day("2024-12-31"))
    assert metrics.disbursed == Decimal("100.00") and metrics.investments["X"].cost == 100


def test_undrawn_commitments_ignore_investments_drawn_beyond_their_commitment():
    over = equity(LedgerEntry("COMMITMENT", day("2024-01-01"), Decimal("100.00")),
                  LedgerEntry("DISBURSEMENT", day("2024-01-02"), Decimal("150.00")))  # fmt: skip
    under = replace(equity(LedgerEntry("COMMITMENT", day("2024-01-01"), Decimal("80.00")),
                           LedgerEntry("DISBURSEMENT", day("2024-01-02"), Decimal("30.00"))),
                    key="Y")  # fmt: skip
    metrics = compute_fund_metrics(FundInput(investments=(over, under)), day("2024-12-31"))
    assert metrics.undrawn_investment_commitments == Decimal("50.00")
    assert metrics.investment_commitments == Decimal("180.00")


def test_gross_irr_of_the_exited_holding_matches_the_closed_form(example):
    days = (day("2025-03-01") - day("2023-09-15")).days
    closed_form = Decimal("1.5") ** (Decimal(365) / days) - 1
    assert abs(example.investments["P3"].irr - closed_form) < Decimal("1e-15")


def test_leverage_and_return_ratio_are_undefined_without_government_money():
    fund = replace(load_example_fund(), commitments=tuple(
        c for c in load_example_fund().commitments if c.investor_type != "GOVERNMENT"))  # fmt: skip
    metrics = compute_fund_metrics(fund, AS_OF)
    assert metrics.leverage_multiple is None and metrics.return_investment_ratio is None
    assert metrics.deployment_rate == Fraction(59, 70)


def test_metrics_over_quarters_equal_metrics_as_of_each_quarter_end():
    fund = load_example_fund()
    quarters = [Quarter(2022, 4), Quarter(2023, 1), Quarter(2024, 4), Quarter(2025, 2)]
    series = metrics_over_quarters(fund, quarters)
    assert [q for q, _ in series] == quarters
    for quarter, metrics in series:
        assert metrics == compute_fund_metrics(fund, quarter.last_day)
    assert series[-1][1].nav == Decimal("706250000.00")
    assert series[0][1].paid_in == 0 and series[0][1].dpi is None


@pytest.mark.parametrize(
    ("build", "error"),
    [
        (lambda: Movement("CAPITAL_CALL", day("2024-01-01"), 100.0), TypeError),
        (lambda: Movement("CAPITAL_CALL", day("2024-01-01"), Decimal("1.005")), AmountError),
        (lambda: Movement("REFUND", day("2024-01-01"), Decimal("1")), ValueError),
        (lambda: Movement("FEE", datetime(2024, 1, 1), Decimal("1")), TypeError),  # noqa: DTZ001
        (lambda: Commitment("A", "ALIEN", day("2024-01-01"), Decimal("1")), ValueError),
        (lambda: LedgerEntry("GIFT", day("2024-01-01"), Decimal("1")), ValueError),
        (lambda: Valuation(day("2024-01-01"), Decimal("-1.00")), ValueError),
        (lambda: Valuation(day("2024-01-01"), Decimal("NaN")), AmountError),
        (lambda: InvestmentInput("X", "BOND", False), ValueError),
        (lambda: FundInput(investments=(equity(), equity())), ValueError),
    ],
    ids=["float", "sub-fen", "unknown-movement", "datetime", "unknown-investor", "unknown-entry",
         "negative-valuation", "nan", "unknown-instrument", "duplicate-key"],
)  # fmt: skip
def test_inputs_that_cannot_be_counted_are_rejected(build, error):
    with pytest.raises(error):
        build()


def equity(*entries: LedgerEntry, valuations: tuple[Valuation, ...] = ()) -> InvestmentInput:
    return InvestmentInput("X", "EQUITY", True, entries, valuations)


def single(investment: InvestmentInput, as_of: date) -> FundMetrics:
    return compute_fund_metrics(FundInput(investments=(investment,)), as_of)


def _generated_fund(seed: int) -> fm.FundInput:
    """A fund with random commitments, movements and ledgers (reversals as negative entries)
    over 2020-2024."""
    rng = random.Random(seed)

    def day():
        return dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(5 * 366))

    def amount():
        return Decimal(rng.randrange(1, 10**9)).scaleb(-2)

    commitments = [fm.Commitment(f"LP{i}", rng.choice(sorted(fm.INVESTOR_TYPES)), day(), amount())
                   for i in range(rng.randrange(1, 6))]
    movements = [fm.Movement(rng.choice(sorted(fm.MOVEMENT_TYPES)), day(),
                             amount() * rng.choice((1, 1, 1, -1))) for _ in range(30)]
    holdings = [fm.InvestmentInput(
        f"P{i}", rng.choice(sorted(fm.INSTRUMENTS)), rng.random() < 0.5,
        [fm.LedgerEntry(rng.choice(sorted(fm.ENTRY_TYPES)), day(),
                        amount() * rng.choice((1, 1, 1, -1))) for _ in range(8)],
        [fm.Valuation(day(), amount()) for _ in range(2)]) for i in range(12)]
    return fm.FundInput(commitments, movements, holdings)


@pytest.mark.parametrize("seed", range(5))
def test_the_deployment_series_equals_the_full_metrics_at_each_quarter_end(seed):
    """What the dashboard's chart shows, summed from dated amounts in one pass, is exactly the
    full computation's committed, paid-in, disbursed and deployment rate."""
    fund = _generated_fund(seed)
    quarters = quarters_between(Quarter(2019, 4), Quarter(2025, 2))

    def signed(items, *types):
        return [(item.on, item.amount) for item in items if item.type in types]

    series = fm.deployment_over_quarters(
        [(c.on, c.amount) for c in fund.commitments], signed(fund.movements, "CAPITAL_CALL"),
        [e for i in fund.investments for e in signed(i.entries, "DISBURSEMENT")], quarters)
    full = fm.metrics_over_quarters(fund, quarters)
    assert [q for q, _d in series] == quarters
    for (_q, figures), (_q2, m) in zip(series, full, strict=True):
        assert figures == fm.Deployment(m.committed, m.paid_in, m.disbursed, m.deployment_rate)
    assert any(f.disbursed for _q, f in series)  # the generated fund deploys something


def test_entries_read_from_the_ledger_in_fen_equal_entries_built_from_yuan():
    """``from_fen`` (the ledger's rows, whole fen by construction) builds the same items as the
    checked constructors, and still refuses an unknown type or a negative valuation."""
    assert LedgerEntry.from_fen("DISBURSEMENT", day("2024-03-01"), -123_45) == LedgerEntry(
        "DISBURSEMENT", day("2024-03-01"), Decimal("-123.45"))
    assert LedgerEntry.from_fen("INCOME", day("2024-03-01"), 5).fen == 5
    assert Valuation.from_fen(day("2024-06-30"), 1_000_00) == Valuation(
        day("2024-06-30"), Decimal("1000.00"))
    with pytest.raises(ValueError, match="unknown ledger entry type"):
        LedgerEntry.from_fen("GIFT", day("2024-03-01"), 1)
    with pytest.raises(ValueError, match="cannot be negative"):
        Valuation.from_fen(day("2024-06-30"), -1)
