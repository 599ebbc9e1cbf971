"""Concurrent writers on PostgreSQL (quality.md, Reliability): real threads, real transactions.

These tests commit for real (each thread has its own connection), so their rows use unique codes
and stay behind in the throwaway test database; the audit trail cannot be deleted anyway.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.domain.codes import FundClass
from app.models import AuditEntry, Fund, set_actor
from app.services.access.audit import verify_chain
from app.services.access.scopes import SYSTEM
from app.services.errors import Conflict
from app.services.funds import register as funds
from tests.factories import make_fund

pytestmark = pytest.mark.postgres_only
TIMEOUT = 30



@pytest.fixture
def engine(committing_engine):
    """These tests commit for real: they run on a database of their own."""
    return committing_engine

def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _fund_data(code: str, name: str) -> funds.FundData:
    return funds.FundData(code=code, name=name, sponsor_region="440300", manager="并发资本",
                          fund_class=FundClass.INDUSTRIAL, vintage=2024,
                          target_size=Decimal("100000000.00"))


def _committed_fund(engine, code: str) -> int:
    with Session(engine) as session:
        set_actor(session, None, "tests:concurrency")
        fund_id = make_fund(session, code).id
        session.commit()
    return fund_id


def test_two_editors_of_the_same_version_one_wins_the_other_gets_a_conflict(engine):
    code = _unique("RACE")
    fund_id = _committed_fund(engine, code)
    both_read = threading.Barrier(2, timeout=TIMEOUT)

    def edit(name: str):
        with Session(engine) as session:
            set_actor(session, None, f"tests:{name}")
            version = session.get(Fund, fund_id).version  # both read the same version…
            both_read.wait()  # …before either saves
            try:
                funds.update_fund(session, SYSTEM, fund_id, version, _fund_data(code, name))
                session.commit()
                return name
            except (Conflict, StaleDataError) as exc:
                session.rollback()
                return exc

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(edit, ["编辑甲", "编辑乙"], timeout=TIMEOUT))

    winners = [o for o in outcomes if isinstance(o, str)]
    losers = [o for o in outcomes if not isinstance(o, str)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1 and isinstance(losers[0], (Conflict, StaleDataError))
    with Session(engine) as session:
        saved = session.get(Fund, fund_id)
        assert (saved.name, saved.version) == (winners[0], 2)
        updates = session.scalars(select(AuditEntry.actor).where(
            AuditEntry.entity == "funds", AuditEntry.entity_id == str(fund_id),
            AuditEntry.action == "UPDATE")).all()
        assert updates == [f"tests:{winners[0]}"]  # the loser left no trace


def test_an_editor_who_read_before_a_committed_change_gets_a_conflict(engine):
    code = _unique("STALE")
    fund_id = _committed_fund(engine, code)
    with Session(engine) as reader, Session(engine) as writer:
        stale_version = reader.get(Fund, fund_id).version
        reader.rollback()  # the page was rendered; the form comes back later
        funds.update_fund(writer, SYSTEM, fund_id, writer.get(Fund, fund_id).version,
                          _fund_data(code, "先到"))
        writer.commit()
        with pytest.raises((Conflict, StaleDataError)):
            funds.update_fund(reader, SYSTEM, fund_id, stale_version, _fund_data(code, "后到"))
        reader.rollback()
    with Session(engine) as session:
        assert session.get(Fund, fund_id).name == "先到"


def test_concurrent_transactions_appending_audit_entries_keep_the_chain_intact(engine):
    start = threading.Barrier(2, timeout=TIMEOUT)

    def register(code: str) -> int:
        with Session(engine) as session:
            set_actor(session, None, f"tests:{code}")
            start.wait()
            fund = make_fund(session, code)  # flushes: the audit entries are appended here
            time.sleep(0.3)  # hold the transaction open while the other one appends
            session.commit()
            return fund.id

    codes = [_unique("CHAIN"), _unique("CHAIN")]
    with ThreadPoolExecutor(2) as pool:
        fund_ids = list(pool.map(register, codes, timeout=TIMEOUT))

    with Session(engine) as session:
        report = verify_chain(session)
        assert report.is_intact, report.problem
        seqs = session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)).all()
        assert seqs == list(range(1, len(seqs) + 1))
        written = session.scalars(select(AuditEntry.seq).where(
            AuditEntry.entity == "funds", AuditEntry.entity_id.in_([str(i) for i in fund_ids]),
            AuditEntry.action == "INSERT")).all()
        assert len(written) == 2
