"""A project with a disbursement is at least in implementation wherever a report shows it: the
fund report shows max(recorded status, status implied by the ledger); the record is kept."""

from __future__ import annotations

import datetime as dt

from app.domain.codes import Instrument, ProjectStatus, TransactionType, status_shown
from app.models import Project
from app.services.access.scopes import SYSTEM
from app.services.reporting import issuing
from tests.factories import invest, make_fund, make_project
from tests.integration.report_helpers import Q, entry, pdf_text


def test_a_disbursed_loan_in_a_pipeline_project_shows_implementation_in_the_fund_report(db):
    fund = make_fund(db, "ST-1")
    disbursed = make_project(db, "ST-LOAN", status=ProjectStatus.PIPELINE)
    waiting = make_project(db, "ST-WAIT", status=ProjectStatus.PIPELINE)
    loan = invest(db, fund, disbursed, Instrument.LOAN)
    invest(db, fund, waiting)
    entry(db, loan, TransactionType.DISBURSEMENT, dt.date(2025, 7, 3), "50000000.33")
    rendered = issuing.draft(db, SYSTEM, "fund", "ST-1", Q)
    schedule = rendered.data["investments"]
    status = {item["project_code"]: item["status"] for item in schedule.values()}
    assert status == {"ST-LOAN": "IMPLEMENTATION", "ST-WAIT": "PIPELINE"}
    text = pdf_text(rendered.pdf)
    schedule_text = text[text.index("ST-LOAN"):]
    loan_row = schedule_text[:schedule_text.index("ST-WAIT")]  # the schedule is by code
    assert "Implementation" in loan_row and "Pipeline" not in loan_row
    assert db.get(Project, disbursed.id).status is ProjectStatus.PIPELINE  # the record is kept


def test_only_pipeline_is_lifted_by_a_disbursement():
    assert status_shown(ProjectStatus.PIPELINE, True) is ProjectStatus.IMPLEMENTATION
    assert status_shown(ProjectStatus.PIPELINE, False) is ProjectStatus.PIPELINE
    for later in (ProjectStatus.OPERATING, ProjectStatus.EXITED, ProjectStatus.CANCELLED):
        assert status_shown(later, True) is later
