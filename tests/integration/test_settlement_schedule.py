"""The settlement schedule: a bilingual PDF rendered deterministically from the newest run,
issued only once both bureaus confirmed, recognised by ``report verify`` (and told when a new
version changed the data); the XLSX holds the same lines, text cells inert; the page's buttons."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.domain.quarter import Quarter
from app.services.access.scopes import SYSTEM
from app.services.errors import ValidationFailed
from app.services.exchange.tables import write_table
from app.services.reporting import issuing
from app.services.settlement import schedule
from app.services.sharing import workflow
from reports import read_fingerprint
from tests.integration.report_helpers import pdf_text
from tests.integration.settlement_helpers import TAX, Example
from tests.integration.sharing_factories import observe
from tests.web.helpers import client_of


def test_the_schedule_is_issued_once_confirmed_and_verify_recognises_it(db):
    world = Example(db, years=1)
    run, _ = world.compute(db, world.first)
    q4 = Quarter(world.first, 4)
    with pytest.raises(ValidationFailed, match="not confirmed by both parties"):
        issuing.issue(db, world.dest, "settlement", "SE", q4)
    draft = issuing.draft(db, world.dest, "settlement", "SE", q4)
    assert draft.pdf == issuing.draft(db, world.dest, "settlement", "SE", q4).pdf  # deterministic
    text = pdf_text(draft.pdf)
    assert "Settlement schedule" in text and "年度结算表" in text
    assert "15,000,000.00" in text and run.fingerprint in text.replace("\n", "")
    assert "Foots to the statements: 是 / yes" in text or "是 / yes" in text
    world.confirm(db, run)
    report = issuing.issue(db, world.dest, "settlement", "SE", q4)
    assert report.version == 1 and read_fingerprint(report.content.pdf) == report.fingerprint
    text = pdf_text(report.content.pdf)
    assert "Finance bureau of" in text and "Signature" in text  # a block per bureau
    verdict = issuing.verify(db, report.content.pdf)
    assert verdict.is_valid and verdict.report.kind == "settlement"
    workflow.reopen(db, SYSTEM, world.id, q4, "更正申报")
    observe(db, str(q4), {(world.project, TAX): "7600000.00"}, reason="补缴税款")
    world.close_year(db, world.first, quarters=(4,))
    world.compute(db, world.first)
    changed = issuing.verify(db, report.content.pdf)
    assert changed.is_unchanged_copy and changed.is_data_changed and not changed.is_valid


def test_the_workbook_holds_the_same_lines_with_text_cells_inert(db):
    world = Example(db, years=1)
    run, _ = world.compute(db, world.first)
    rows = schedule.sheet_rows(run)
    lines = [r for r in rows if r[3] == "LINE"]
    assert [(r[4], r[6], r[9]) for r in lines] == [(world.project, TAX, Decimal("15000000.00"))]
    out = io.BytesIO()
    hostile = [(*rows[0][:5], "=HYPERLINK(\"http://x\")", *rows[0][6:])]
    write_table(schedule.SHEET_HEADERS, rows + hostile, "xlsx", out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    values = list(sheet.values)
    assert values[0] == schedule.SHEET_HEADERS
    assert values[1][4] == world.project and Decimal(str(values[1][9])) == Decimal("15000000")
    hostile_cell = sheet.cell(row=len(values), column=6)
    assert hostile_cell.value == '=HYPERLINK("http://x")' and hostile_cell.data_type == "s"
    assert hostile_cell.quotePrefix  # a string cell, never a formula


def test_the_run_page_offers_the_pdf_and_the_workbook(app, db):
    world = Example(db, years=1)
    run, _ = world.compute(db, world.first)
    world.confirm(db, run)
    db.commit()
    client = client_of(app, world.dest_user)
    page = client.get(f"/agreements/{world.id}/settlement/runs/{run.id}").get_data(as_text=True)
    assert f"/reports/settlement/SE/{world.first}Q4.pdf" in page
    assert f"/reports/settlement/SE/{world.first}Q4/issue" in page
    pdf = client.get(f"/reports/settlement/SE/{world.first}Q4.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    xlsx = client.get(f"/agreements/{world.id}/settlement/runs/{run.id}.xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    assert "settlement-SE-" in xlsx.headers["Content-Disposition"]
