"""Generated ledger references (issue 12): numbered from a locked per-fund counter, unique under
concurrent appends, counted on from the references a migrated database holds already; and
reversal references that always fit their 64-character column."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.domain.codes import MovementType, TransactionType
from app.models import Fund, InvestmentTransaction, Movement, ReferenceCounter, set_actor
from app.models.database import make_engine
from app.services.access.scopes import SYSTEM
from app.services.funds import investments
from app.services.funds import register as funds
from app.services.funds.ledger import REFERENCE_LENGTH, derived_reversal_reference
from app.services.operations import schema
from tests.factories import call, invest, make_fund, make_project

BEFORE_COUNTERS = "c3d8e1f5a2b7"


def _movement(db, fund, reference: str = "") -> Movement:
    return funds.record_movement(db, SYSTEM, fund.id, funds.MovementData(
        MovementType.CAPITAL_CALL, dt.date(2024, 1, 5), Decimal("10.00"), reference=reference))


def test_generated_references_count_on_past_typed_ones_and_never_repeat(db):
    fund = make_fund(db)
    first = _movement(db, fund)
    _movement(db, fund, f"{fund.code}-M00002")  # a user typed the next generated one
    third = _movement(db, fund)
    assert (first.reference, third.reference) == (f"{fund.code}-M00001", f"{fund.code}-M00003")
    assert db.get(ReferenceCounter, (fund.id, "M")).last_number == 3


def test_a_fund_without_a_counter_starts_after_its_highest_generated_reference(db):
    fund = make_fund(db)
    for reference in (f"{fund.code}-M00007", f"{fund.code}-M12", f"{fund.code}-MX9", "OTHER"):
        db.add(Movement(fund=fund, reference=reference, type=MovementType.FEE,
                        moved_on=dt.date(2024, 1, 1), amount=Decimal("1.00")))
    db.flush()
    assert _movement(db, fund).reference == f"{fund.code}-M00013"


def test_transactions_have_their_own_counter(db):
    fund = make_fund(db)
    investment = invest(db, fund, make_project(db))
    call(db, fund, "100.00", dt.date(2024, 1, 1))
    entry = investments.record_transaction(db, SYSTEM, investment.id, investments.TransactionData(
        TransactionType.DISBURSEMENT, dt.date(2024, 2, 1), Decimal("50.00")))
    assert entry.reference == f"{fund.code}-T00001"
    assert db.get(ReferenceCounter, (fund.id, "T")).last_number == 1


@pytest.mark.parametrize("length", [1, 40, 62, 63, 64])
def test_a_reversal_reference_always_fits_and_is_deterministic(length):
    original = ("R" * length)
    derived = [derived_reversal_reference(original, attempt) for attempt in (1, 2, 10)]
    assert all(len(d) <= REFERENCE_LENGTH for d in derived)
    assert len(set(derived)) == 3
    assert derived == [derived_reversal_reference(original, a) for a in (1, 2, 10)]
    if length <= 62:
        assert derived[0] == original + "-R"
    other = derived_reversal_reference(original[:-1] + "S")
    assert other != derived[0]


def test_reversing_a_64_character_reference_appends_a_reversal_that_fits(db):
    fund = make_fund(db)
    long = (fund.code + "-" + "长" * 64)[:REFERENCE_LENGTH]
    original = _movement(db, fund, long)
    reversal = funds.reverse_movement(db, SYSTEM, original.id, dt.date(2024, 2, 1), "typo")
    investment = invest(db, fund, make_project(db))
    entry = investments.record_transaction(db, SYSTEM, investment.id, investments.TransactionData(
        TransactionType.DISBURSEMENT, dt.date(2024, 2, 1), Decimal("5.00"), reference=long))
    undone = investments.reverse_transaction(db, SYSTEM, entry.id, dt.date(2024, 3, 1), "typo")
    db.flush()
    for row in (reversal, undone):
        assert len(row.reference) == REFERENCE_LENGTH and row.reference.endswith("-R")
        assert row.reference != long


def test_the_upgrade_backfills_counters_from_existing_references(database_url, tmp_path):
    url = "sqlite:///" + str(tmp_path / "backfill.sqlite3")
    if database_url.startswith("postgresql"):
        pytest.skip("the backfill is plain SQL and Python: checked once, on SQLite")
    schema.upgrade(url, BEFORE_COUNTERS)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:  # plain SQL: the models are ahead of this revision
            connection.execute(text(
                "INSERT INTO regions (code, name, level, macro_region, is_special_area) "
                "VALUES ('440300', '深圳市', 'PREFECTURE', 'EAST', false)"))
            connection.execute(text(
                "INSERT INTO funds (code, name, sponsor_region_id, manager, fund_class, vintage, "
                "currency, target_size, status, created_at, version) SELECT 'OLD-1', '基金', id, "
                "'某某资本', 'INDUSTRIAL', 2023, 'CNY', 100000000000, 'INVESTING', '2024-01-01', 1 "
                "FROM regions"))
            for reference in ("OLD-1-M00004", "OLD-1-M00002", "OLD-1-M00002-R", "typed"):
                connection.execute(text(
                    "INSERT INTO movements (fund_id, reference, type, moved_on, amount, "
                    "created_at) SELECT id, :reference, 'FEE', '2024-01-01', 100, '2024-01-01' "
                    "FROM funds"), {"reference": reference})
            fund_id = connection.scalar(text("SELECT id FROM funds"))
        schema.upgrade(url)
        with Session(engine) as session:
            assert session.execute(text(
                "SELECT fund_id, ledger, last_number FROM reference_counters")).all() == [
                (fund_id, "M", 4)]
            set_actor(session, None, "tests")
            assert _movement(session, session.get(Fund, fund_id)).reference == "OLD-1-M00005"
    finally:
        engine.dispose()


@pytest.mark.postgres_only
def test_concurrent_appends_without_references_are_all_accepted(committing_engine):
    """Real threads, real transactions on PostgreSQL: every append is accepted, none twice."""
    engine, threads, each = committing_engine, 8, 4
    with Session(engine) as session:
        set_actor(session, None, "tests:references")
        fund = make_fund(session, f"RACE-{uuid.uuid4().hex[:6]}")
        session.commit()
        fund_id = fund.id
    start = threading.Barrier(threads, timeout=30)

    def append(_n: int) -> list[str]:
        start.wait()
        made = []
        for _ in range(each):
            with Session(engine) as session:
                set_actor(session, None, "tests:references")
                made.append(_movement(session, session.get(Fund, fund_id)).reference)
                session.commit()
        return made

    with ThreadPoolExecutor(threads) as pool:
        references = [r for made in pool.map(append, range(threads), timeout=60) for r in made]
    assert len(references) == len(set(references)) == threads * each
    with Session(engine) as session:
        stored = session.scalars(select(Movement.reference).where(Movement.fund_id == fund_id))
        assert sorted(stored) == sorted(references)
        assert session.scalar(select(func.count()).select_from(InvestmentTransaction).where(
            InvestmentTransaction.fund_id == fund_id)) == 0
