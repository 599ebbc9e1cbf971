"""The nation-scale demo at a reduced size, on PostgreSQL (its bulk rows go in with COPY): every
kind of row is there, each COPY chunk has its one audit entry, the bulk screening results are
what the service would store, the chain verifies, and the same seed gives the same rows."""

from __future__ import annotations

import hashlib
import json
import math

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from app.demo.nation import PREFIX, Size, load_nation
from app.domain.codes import QuarterState
from app.models import (
    Agreement,
    AgreementQuarter,
    Attachment,
    AuditEntry,
    CatalogueEdition,
    Commitment,
    Fund,
    Investment,
    InvestmentTransaction,
    IssuedReport,
    Movement,
    Notification,
    Observation,
    ParkMembership,
    Project,
    ScreeningResult,
    SettlementRun,
    Valuation,
)
from app.services.access.audit import verify_chain
from app.services.screening.results import screen_all

pytestmark = pytest.mark.postgres_only

SMALL = Size(funds=12, projects=120, agreements=6, quarters=11, closed_agreements=2,
             closed_quarters=4)
CHUNK = 1000
BULK = {"commitments": Commitment, "movements": Movement, "projects": Project,
        "screening_results": ScreeningResult, "investments": Investment,
        "investment_transactions": InvestmentTransaction, "valuations": Valuation,
        "observations": Observation, "notifications": Notification}


def _count(db, model, *where) -> int:
    return db.scalar(select(func.count()).select_from(model).where(*where))


def _schema_of(db, table: str) -> list:
    found = inspect(db.connection())
    return [sorted(map(repr, found.get_indexes(table))),
            sorted(map(repr, found.get_unique_constraints(table))),
            sorted(map(repr, found.get_foreign_keys(table)))]


def test_every_kind_of_row_with_one_audit_entry_per_copy_chunk(db):
    schema = _schema_of(db, "observations")
    counts = load_nation(db, seed=11, size=SMALL, chunk=CHUNK)

    # observations' indexes and constraints are built after the COPY, exactly as they were
    assert _schema_of(db, "observations") == schema

    assert counts["projects"] == 120
    assert counts["observations"] == 120 * 11 * 5
    assert counts["screening_results"] == 120
    assert all(counts[table] > 0 for table in BULK), counts
    chunks = [json.loads(changes) | {"entity": entity} for entity, changes in db.execute(
        select(AuditEntry.entity, AuditEntry.changes).where(AuditEntry.action == "IMPORT"))]
    assert {c["source"] for c in chunks} == {"demo nation"}
    for table, model in BULK.items():
        mine = [c for c in chunks if c["entity"] == table]
        assert len(mine) == math.ceil(counts[table] / CHUNK), table
        assert sum(c["rows"] for c in mine) == counts[table]
        for c in mine:  # each chunk's id range holds exactly its rows
            assert _count(db, model, model.id.between(c["first_id"], c["last_id"])) \
                == c["rows"] == c["last_id"] - c["first_id"] + 1

    nation = select(Agreement.id).where(Agreement.code.like(f"{PREFIX}-%"))
    assert _count(db, Agreement, Agreement.id.in_(nation)) == 6
    assert _count(db, Fund) == 4 + 12  # the small demo's and the generated
    closed = _count(db, AgreementQuarter, AgreementQuarter.agreement_id.in_(nation),
                    AgreementQuarter.state == QuarterState.CLOSED)
    assert closed == 2 * 4
    assert _count(db, SettlementRun, SettlementRun.agreement_id.in_(nation)) == 2
    assert _count(db, IssuedReport, IssuedReport.agreement_id.in_(nation)) == 2
    assert _count(db, Attachment, Attachment.object_id.in_(nation)) == 2
    assert _count(db, ParkMembership) > 0
    assert _count(db, ScreeningResult) == _count(db, Project)
    assert _count(db, Notification, Notification.read_at.is_(None)) == 0


def test_bulk_screening_results_are_what_the_service_stores(db):
    load_nation(db, seed=11, size=SMALL, chunk=CHUNK)
    query = select(ScreeningResult.project_id, ScreeningResult.flag, ScreeningResult.entry_ids)
    before = sorted(db.execute(query).all())
    edition = db.scalar(select(CatalogueEdition).where(CatalogueEdition.is_current))
    screen_all(db, edition)
    assert sorted(db.execute(query).all()) == before
    report = verify_chain(db)
    assert report.is_intact, report.problem


def _queries() -> list:
    """What the generator writes, by codes and values (ids differ between loads)."""
    return [
        select(Fund.code, Fund.name, Fund.target_size, Fund.vintage, Fund.manager),
        select(Fund.code, Commitment.investor, Commitment.amount).join(Fund),
        select(Movement.reference, Movement.type, Movement.moved_on, Movement.amount),
        select(Project.code, Project.name, Project.enterprise, Project.uscc, Project.status,
               Project.planned_investment, Project.land_area, Project.production_start_on),
        select(Project.code, ScreeningResult.flag)  # (entry ids differ between loads)
        .join(Project, Project.id == ScreeningResult.project_id),
        select(InvestmentTransaction.reference, InvestmentTransaction.type,
               InvestmentTransaction.occurred_on, InvestmentTransaction.amount),
        select(Project.code, Investment.instrument, Valuation.as_of_on, Valuation.value)
        .join(Investment, Investment.id == Valuation.investment_id)
        .join(Project, Project.id == Investment.project_id),
        select(Project.code, Observation.indicator_code, Observation.quarter, Observation.value)
        .join(Project, Project.id == Observation.project_id),
        select(Agreement.code, AgreementQuarter.quarter, AgreementQuarter.state,
               AgreementQuarter.fingerprint)
        .join(Agreement, Agreement.id == AgreementQuarter.agreement_id),
        select(Agreement.code, SettlementRun.fiscal_year, SettlementRun.fingerprint)
        .join(Agreement, Agreement.id == SettlementRun.agreement_id),
        select(IssuedReport.subject_code, IssuedReport.quarter, IssuedReport.version),
        select(Attachment.filename, Attachment.sha256),
        select(Notification.kind, Notification.params)  # a PDF's SHA-256 has the moment of issue
        .where(Notification.kind != "report_issued"),
    ]


def _digest(session: Session) -> str:
    """SHA-256 of :func:`_queries`' rows."""
    queries = _queries()
    digest = hashlib.sha256()
    for query in queries:
        for row in sorted(repr(tuple(r)) for r in session.execute(query)):
            digest.update(row.encode())
    return digest.hexdigest()


def test_the_same_seed_gives_the_same_rows(db):
    digests = []
    for _ in range(2):
        attempt = db.begin_nested()
        load_nation(db, seed=5, size=SMALL, chunk=CHUNK)
        digests.append(_digest(db))
        attempt.rollback()
    assert digests[0] == digests[1]
