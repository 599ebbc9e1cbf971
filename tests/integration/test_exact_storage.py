"""Money is stored exactly (quality.md, Exactness): SQL sums equal Decimal sums to the fen.

SQLite keeps ``Numeric`` as floating point; the app stores whole fen through ``ScaledDecimal``.
These tests write through the real ``movements.amount`` column, on whichever engine the run uses.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import StatementError

from app.domain.codes import MovementType
from app.models import Movement
from tests.factories import make_fund

ROWS = 100_000
MAX_FEN = 10**13  # amounts up to 10^11 yuan
MOVEMENTS = Movement.__table__  # a bulk Core insert, as an import would do


def _random_amounts(seed: int = 20250630) -> list[Decimal]:
    generator = random.Random(seed)
    return [Decimal(generator.randint(1, MAX_FEN)).scaleb(-2) for _ in range(ROWS)]


def _bulk_insert(db, fund_id: int, amounts: list[Decimal]) -> None:
    db.execute(MOVEMENTS.insert(), [
        {"fund_id": fund_id, "reference": f"EXACT-{i:06d}", "type": MovementType.FEE,
         "moved_on": dt.date(2024, 1, 1), "amount": amount}
        for i, amount in enumerate(amounts)])


def test_a_sql_sum_of_100000_amounts_equals_the_decimal_sum_exactly(db):
    fund = make_fund(db, "EXACT-SUM")
    amounts = _random_amounts()
    _bulk_insert(db, fund.id, amounts)

    in_sql = db.scalar(select(func.sum(Movement.amount)).where(Movement.fund_id == fund.id))
    assert db.scalar(select(func.count()).select_from(Movement)
                     .where(Movement.fund_id == fund.id)) == ROWS
    expected = sum(amounts, Decimal("0.00"))
    assert in_sql == expected
    assert str(in_sql) == str(expected)  # same digits, same two places: nothing rounded


def test_the_stored_sum_is_a_whole_number_of_fen_in_plain_sql(db):
    fund = make_fund(db, "EXACT-FEN")
    amounts = _random_amounts(seed=7)[:10_000]
    _bulk_insert(db, fund.id, amounts)
    raw = db.execute(text("SELECT SUM(amount) FROM movements WHERE fund_id = :fund"),
                     {"fund": fund.id}).scalar_one()
    assert Decimal(raw) == sum(amounts) * 100
    assert int(raw) == Decimal(raw)  # an integer of fen, not a float of yuan


def test_an_amount_with_three_decimals_is_refused_not_rounded(db):
    fund = make_fund(db, "EXACT-3DP")
    with pytest.raises(StatementError, match=r"whole multiple of 0\.01"), db.begin_nested():
        db.execute(MOVEMENTS.insert(), [{"fund_id": fund.id, "reference": "THREE-DP",
                                       "type": MovementType.FEE,
                                       "moved_on": dt.date(2024, 1, 1),
                                       "amount": Decimal("1234.565")}])
    assert db.scalar(select(func.count()).select_from(Movement)
                     .where(Movement.fund_id == fund.id)) == 0


def test_an_amount_with_three_decimals_through_the_orm_is_refused_too(db):
    fund = make_fund(db, "EXACT-ORM")
    nested = db.begin_nested()
    db.add(Movement(fund_id=fund.id, reference="ORM-3DP", type=MovementType.FEE,
                    moved_on=dt.date(2024, 1, 1), amount=Decimal("0.001")))
    with pytest.raises(StatementError, match=r"whole multiple of 0\.01"):
        db.flush()
    nested.rollback()
    assert db.scalar(select(Movement.id).where(Movement.reference == "ORM-3DP")) is None


@pytest.mark.parametrize("written", ["5", "5.1", "5.10", "99999999999.99", "0.01"])
def test_an_amount_reads_back_with_exactly_two_places(db, written):
    fund = make_fund(db, f"EXACT-RB-{written}")
    db.execute(MOVEMENTS.insert(), [{"fund_id": fund.id, "reference": "READ-BACK",
                                   "type": MovementType.FEE, "moved_on": dt.date(2024, 1, 1),
                                   "amount": Decimal(written)}])
    db.expire_all()
    [read] = db.scalars(select(Movement.amount).where(Movement.fund_id == fund.id)).all()
    assert isinstance(read, Decimal)
    assert read == Decimal(written)
    assert read.as_tuple().exponent == -2


def test_a_target_size_round_trips_through_the_service_to_the_fen(db):
    fund = make_fund(db, "EXACT-TS", target_size=Decimal("12345678901.23"))
    db.commit()
    db.expire_all()
    assert db.get(type(fund), fund.id).target_size == Decimal("12345678901.23")
