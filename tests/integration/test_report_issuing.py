"""Issuing reports: stored with SHA-256 and fingerprint, listed in scope, the same bytes forever,
unchanged data refused, a correction makes version 2 with its restatements, verify's verdicts,
and who may issue what."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from app.domain import fund_metrics as fm
from app.domain.codes import Role
from app.domain.quarter import Quarter, quarters_between
from app.services.access.scopes import SYSTEM
from app.services.errors import NotFound, ValidationFailed
from app.services.funds import investments
from app.services.funds.metrics import load_portfolios
from app.services.reporting import issuing
from app.services.reporting.builders.fund_series import cumulative
from reports import Document, Paragraph, fingerprint_of, render
from tests.factories import actor_of, make_fund, make_user
from tests.integration.report_helpers import Q, build_world, pdf_text
from tests.integration.sharing_helpers import bureau


@pytest.fixture
def world(db):
    return build_world(db)


def _manager(db, fund):
    return actor_of(db, make_user(db, Role.FUND_MANAGER, fund.code))


def _correct(db, world):
    """Reverse the RP-3 disbursement within the quarter already reported."""
    investments.reverse_transaction(db, SYSTEM, world.rp3_disbursement.id, dt.date(2025, 9, 15),
                                    "录入错误 / entered twice")


def test_issuing_stores_the_report_lists_it_and_gives_the_same_bytes_back(db, world):
    manager = _manager(db, world.fund)
    report = issuing.issue(db, manager, "fund", "RF-1", Q)
    db.commit()
    _, pdf = issuing.fetch(db, manager, report.id)
    assert report.version == 1 and report.issued_by == manager.label
    assert report.sha256 == hashlib.sha256(pdf).hexdigest() and pdf[:5] == b"%PDF-"
    draft = issuing.draft(db, manager, "fund", "RF-1", Q)
    assert report.fingerprint == draft.fingerprint == fingerprint_of(draft.data)
    assert "签发 / Issued" in pdf_text(pdf) and "第 1 版 / version 1" in pdf_text(pdf)
    assert [r.id for r in issuing.issued_page(db, manager).items] == [report.id]
    assert issuing.issued_page(db, _manager(db, make_fund(db, "OTHER-1"))).items == []
    db.expire_all()
    assert issuing.fetch(db, SYSTEM, report.id)[1] == pdf


def test_reissuing_unchanged_data_is_refused_politely(db, world):
    manager = _manager(db, world.fund)
    issuing.issue(db, manager, "fund", "RF-1", Q)
    with pytest.raises(ValidationFailed, match="nothing changed since version 1"):
        issuing.issue(db, manager, "fund", "RF-1", Q)


def test_after_a_correction_reissuing_makes_version_2_listing_the_restatement(db, world):
    manager = _manager(db, world.fund)
    first = issuing.issue(db, manager, "fund", "RF-1", Q)
    _correct(db, world)
    second = issuing.issue(db, manager, "fund", "RF-1", Q)
    assert (second.version, second.changes > 0) == (2, True)
    text = pdf_text(issuing.fetch(db, manager, second.id)[1])
    assert "更正说明 / Restatements" in text and "Version 1" in text
    assert "251,234,567.11" in text and "173,456,789.34" in text  # disbursed, old and new
    changes = issuing.restatements(db, manager, second.id)
    assert ("关键指标 / Key figures › disbursed", "251,234,567.11", "173,456,789.34") in changes
    assert issuing.fetch(db, manager, first.id)[0].version == 1


def test_verify_says_unchanged_then_data_changed_then_not_issued(db, world):
    report = issuing.issue(db, SYSTEM, "fund", "RF-1", Q)
    pdf = report.content.pdf
    result = issuing.verify(db, pdf)
    assert result.is_valid and result.report.id == report.id
    assert "Unchanged" in result.sentences[0] and "unchanged since" in result.sentences[1]

    draft = issuing.draft(db, SYSTEM, "fund", "RF-1", Q).pdf
    same_data = issuing.verify(db, draft)
    assert not same_data.is_unchanged_copy and same_data.report.id == report.id
    assert not same_data.is_valid and "data fingerprint matches" in same_data.sentences[0]

    _correct(db, world)
    changed = issuing.verify(db, pdf)
    assert changed.is_unchanged_copy and changed.is_data_changed and not changed.is_valid
    assert any("disbursed" in c.path for c in changed.changes)
    assert "has changed since" in changed.sentences[1]

    other = render(Document("x", "x", "x", "", "", "", fingerprint_of("x"), (Paragraph("x"),)))
    unknown = issuing.verify(db, other)
    assert unknown.report is None and "Not an issued report" in unknown.sentences[0]
    assert issuing.verify(db, b"not a pdf").report is None


def test_a_statement_is_issued_only_by_a_party_bureau_and_only_when_closed(db):
    world = build_world(db, close=False)
    with pytest.raises(ValidationFailed, match="only a closed quarter"):
        issuing.issue(db, world.dest, "statement", "RA-1", Q)
    _, stranger = bureau(db, "340100")  # 合肥市: not a party, not even in scope
    with pytest.raises(NotFound):
        issuing.issue(db, stranger, "statement", "RA-1", Q)


def test_both_parties_issue_and_download_the_same_statement(db, world):
    dest_draft = issuing.draft(db, world.dest, "statement", "RA-1", Q).pdf
    assert dest_draft == issuing.draft(db, world.src, "statement", "RA-1", Q).pdf
    report = issuing.issue(db, world.src, "statement", "RA-1", Q)
    assert issuing.fetch(db, world.dest, report.id)[1] == report.content.pdf
    text = pdf_text(report.content.pdf)
    assert "仅用于考核，不对外公布" in text and "Finance bureau of Heyuan" in text


def test_who_may_issue_fund_and_region_reports(db, world):
    _, heyuan = bureau(db, "441600")
    with pytest.raises(NotFound):  # a bureau reads the fund of its region but does not issue it
        issuing.issue(db, actor_of(db, make_user(db, Role.FINANCE_BUREAU, "440300")), "fund",
                      "RF-1", Q)
    with pytest.raises(NotFound):
        issuing.issue(db, _manager(db, world.fund), "region", "441600", Q)
    report = issuing.issue(db, heyuan, "region", "441600", Q)
    assert report.region_id is not None and report.kind == "region"
    with pytest.raises(ValidationFailed, match="has not ended yet"):
        issuing.issue(db, heyuan, "region", "441600", Quarter.containing(dt.date.today()))  # noqa: DTZ011


def test_an_issued_report_is_never_changed(db, world):
    report = issuing.issue(db, SYSTEM, "fund", "RF-1", Q)
    report.issued_by = "someone else"
    with pytest.raises(ValueError, match="never changed"):
        db.flush()


def test_the_chart_series_matches_the_metrics_at_every_quarter_end(db, world):
    inputs = load_portfolios(db, [world.fund])[world.fund.id].inputs
    quarters = quarters_between(Quarter(2024, 4), Quarter(2026, 1))
    series = cumulative(inputs, quarters)
    for quarter in quarters:
        metrics = fm.compute_fund_metrics(inputs, quarter.last_day)
        assert series[str(quarter)] == {"paid_in": f"{metrics.paid_in:f}",
                                        "disbursed": f"{metrics.disbursed:f}",
                                        "nav": f"{metrics.nav:f}"}
    assert Decimal(series["2025Q3"]["nav"]) > 0
