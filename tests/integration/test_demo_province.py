"""The province-scale demo at a reduced size: it loads, it is deterministic, its statements foot
and the audit chain over its services' rows and bulk chunks verifies."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.demo.province import LAST, Size, load_province
from app.domain.codes import AgreementStatus, QuarterState, SharingMode
from app.domain.uscc import validate_uscc
from app.models import (
    Agreement,
    AgreementQuarter,
    AuditEntry,
    Fund,
    Investment,
    InvestmentTransaction,
    Movement,
    Observation,
    Project,
    Region,
    RuleTier,
    SharingRule,
    TierWeight,
    Valuation,
    set_actor,
)
from app.models.database import make_engine
from app.services.access.audit import verify_chain
from app.services.access.scopes import SYSTEM
from app.services.operations import schema
from app.services.sharing import workflow

SMALL = Size(funds=3, projects=40, agreements=2, quarters=8, closed_agreements=1,
             closed_quarters=2)


@pytest.fixture
def loaded(db):
    """The reduced demo loaded into the test database; its bulk row counts."""
    return load_province(db, seed=11, size=SMALL)


def test_it_loads_registers_signed_agreements_and_bulk_rows_with_chunk_audit_entries(db, loaded):
    assert db.scalar(select(func.count()).select_from(Fund)) == 3
    assert db.scalar(select(func.count()).select_from(Project)) == 40
    assert loaded["observations"] == 40 * 8 * 5
    assert loaded["movements"] and loaded["investment_transactions"] and loaded["valuations"]
    for uscc in db.scalars(select(Project.uscc)):
        assert validate_uscc(uscc) == uscc
    agreements = db.scalars(select(Agreement)).all()
    assert [a.status for a in agreements] == [AgreementStatus.ACTIVE] * 2
    assert all(len(a.covered) == 20 and len(a.rules) >= 4 for a in agreements)
    chunks = [(entity, json.loads(changes)) for entity, changes in db.execute(
        select(AuditEntry.entity, AuditEntry.changes).where(AuditEntry.action == "IMPORT"))]
    assert {c["source"] for _, c in chunks} == {"demo province"}
    assert {c["seed"] for _, c in chunks} == {11}
    for table, model in (("movements", Movement), ("investment_transactions",
                                                  InvestmentTransaction),
                         ("valuations", Valuation), ("observations", Observation)):
        rows = db.scalar(select(func.count()).select_from(model))
        assert rows == loaded[table] == sum(c["rows"] for e, c in chunks if e == table)
        assert sum(c["last_id"] - c["first_id"] + 1 for e, c in chunks if e == table) == rows


def test_statements_foot_closed_and_open_quarters(db, loaded):
    for agreement in db.scalars(select(Agreement).order_by(Agreement.code)):
        states = {aq.quarter: aq.state for aq in db.scalars(select(AgreementQuarter).where(
            AgreementQuarter.agreement_id == agreement.id))}
        quarters = [LAST, *states]
        for quarter in quarters:
            statement, _aq = workflow.statement_for(db, SYSTEM, agreement.id, quarter)
            assert statement.rows, quarter
            for total in statement.totals:
                rows = [r for r in statement.rows if r.indicator == total.indicator]
                assert total.value == sum((r.value for r in rows), Decimal(0))
                for code, line in total.lines.items():
                    for name in ("current", "adjustment", "total", "year_to_date",
                                 "since_inception"):
                        assert getattr(line, name) == sum(
                            (getattr(r.lines[code], name) for r in rows), Decimal(0))
                if total.mode == SharingMode.SPLIT.value:
                    for r in rows:
                        assert sum(line.current for line in r.lines.values()) == r.value
                        assert sum(line.since_inception for line in r.lines.values()) \
                            == r.cumulative_total
    closed = db.scalars(select(AgreementQuarter.state)).all()
    assert closed.count(QuarterState.CLOSED) == 2


def test_the_audit_chain_verifies_after_the_load(db, loaded):
    report = verify_chain(db)
    assert report.is_intact, report.problem
    assert report.entries >= 40


def _digest(session: Session) -> str:
    """SHA-256 of the key columns of what the generator writes (codes, not ids)."""
    queries = [
        select(Fund.code, Fund.name, Region.code, Fund.target_size, Fund.vintage, Fund.manager)
        .join(Region, Region.id == Fund.sponsor_region_id),
        select(Project.code, Project.name, Project.enterprise, Project.uscc, Project.status,
               Project.planned_investment, Project.land_area, Project.production_start_on),
        select(Movement.reference, Movement.type, Movement.moved_on, Movement.amount),
        select(InvestmentTransaction.reference, InvestmentTransaction.type,
               InvestmentTransaction.occurred_on, InvestmentTransaction.amount),
        select(Project.code, Investment.instrument, Valuation.as_of_on, Valuation.value)
        .join(Investment, Investment.id == Valuation.investment_id)
        .join(Project, Project.id == Investment.project_id),
        select(Project.code, Observation.indicator_code, Observation.quarter, Observation.value)
        .join(Project, Project.id == Observation.project_id),
        select(Agreement.code, SharingRule.indicator_code, SharingRule.mode, SharingRule.baseline,
               RuleTier.first_quarter, TierWeight.weight)
        .join(SharingRule, SharingRule.agreement_id == Agreement.id)
        .join(RuleTier, RuleTier.rule_id == SharingRule.id)
        .join(TierWeight, TierWeight.tier_id == RuleTier.id),
        select(Agreement.code, AgreementQuarter.quarter, AgreementQuarter.state,
               AgreementQuarter.fingerprint)
        .join(Agreement, Agreement.id == AgreementQuarter.agreement_id),
    ]
    digest = hashlib.sha256()
    for query in queries:
        for row in sorted(repr(tuple(r)) for r in session.execute(query)):
            digest.update(row.encode())
    return digest.hexdigest()


def _load_fresh(path, seed: int) -> str:
    url = f"sqlite:///{path}"
    schema.upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            set_actor(session, None, "tests")
            load_province(session, seed=seed, size=SMALL)
            session.commit()
            return _digest(session)
    finally:
        engine.dispose()


def test_the_same_seed_gives_the_same_rows_in_two_fresh_databases(tmp_path):
    first = _load_fresh(tmp_path / "a.sqlite3", seed=5)
    again = _load_fresh(tmp_path / "b.sqlite3", seed=5)
    other = _load_fresh(tmp_path / "c.sqlite3", seed=6)
    assert first == again
    assert other != first
