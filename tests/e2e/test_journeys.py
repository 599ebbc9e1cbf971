"""Each role's main journey in a real browser, asserting what the user sees change.

Every journey starts from the demo as loaded, in a database and on a server of its own (see
conftest.py), so each passes alone and in any order; one that needs a later state (a submitted
quarter to confirm) brings it about itself, in its own database.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import QuarterState, ReviewKind
from app.domain.quarter import Quarter
from app.models import Agreement, User, set_actor
from app.services.access.scopes import actor_for
from app.services.reporting import issuing
from app.services.sharing import observations, workflow
from app.services.sharing.statements import quarter_states
from tests.e2e.pages import (
    figure,
    flash,
    nav,
    open_agreement,
    open_statement,
    percent,
    quantum,
    quarter_row,
    yuan,
)

MANAGER = "manager@demo.example"
HEYUAN = "bureau.heyuan@demo.example"
SHENZHEN = "bureau.shenzhen@demo.example"
AUDITOR = "auditor@demo.example"
AGREEMENT = "SZHY-2024-01"
OPEN_QUARTER = "2026Q3"      # the demo's open quarter: HY-006's output value is not reported
CLOSED_QUARTER = "2026Q2"    # the demo's latest closed quarter
OUTPUT_VALUE = r"(工业总产值|Gross industrial output value)"


def test_fund_manager_records_a_disbursement_and_the_dashboard_figures_move(signed_in):
    page = signed_in(MANAGER)
    nav(page, "Funds")
    page.get_by_role("link", name="HF-01", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("HF-01")
    disbursed_before = yuan(figure(page, "Disbursed (yuan)"))
    deployment_before = percent(figure(page, "Deployment rate"))

    page.get_by_role("link", name="HF-004", exact=True).click()
    # The investment committee approves a second tranche (a disbursement beyond what remains
    # of the commitment is refused), then the money goes out.
    page.get_by_role("link", name="New transaction").click()
    page.get_by_label("Type", exact=True).select_option(label="Commitment")
    page.get_by_label("Date", exact=True).fill(dt.datetime.now(dt.UTC).date().isoformat())
    page.get_by_label("Amount (yuan)", exact=True).fill("12345678.90")
    page.get_by_role("button", name="Save").click()
    flash(page, "Transaction recorded.")
    page.get_by_role("link", name="New transaction").click()
    page.get_by_label("Type", exact=True).select_option(label="Disbursement")
    page.get_by_label("Date", exact=True).fill(dt.datetime.now(dt.UTC).date().isoformat())
    page.get_by_label("Amount (yuan)", exact=True).fill("12345678.90")
    page.get_by_label("Note", exact=True).fill("e2e: second tranche")
    page.get_by_role("button", name="Save").click()

    flash(page, "Transaction recorded.")
    expect(page.get_by_role("row").filter(has_text="e2e: second tranche")).to_contain_text(
        "12,345,678.90")
    page.get_by_role("link", name=re.compile(r"^← HF-01")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("HF-01")
    disbursed_after = yuan(figure(page, "Disbursed (yuan)"))
    deployment_after = percent(figure(page, "Deployment rate"))
    shown = figure(page, "Disbursed (yuan)")
    assert abs(disbursed_after - disbursed_before - Decimal("12345678.90")) <= quantum(shown)
    assert deployment_after > deployment_before


def test_destination_bureau_enters_the_missing_observation_and_submits_the_quarter(signed_in):
    page = signed_in(HEYUAN)
    open_agreement(page, AGREEMENT)
    expect(quarter_row(page, OPEN_QUARTER)).to_contain_text("Open")
    quarter_row(page, OPEN_QUARTER).get_by_role("link", name="Observations", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Observations for {OPEN_QUARTER}")
    cell = page.get_by_label(re.compile(rf"^HY-006 {OUTPUT_VALUE}.* {OPEN_QUARTER}$"))
    expect(cell).to_have_value("")  # not reported yet
    cell.fill("23456789.01")
    page.get_by_role("button", name="Save observations").click()

    flash(page, "Observations saved.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Sharing statement {OPEN_QUARTER}")
    hy006 = page.get_by_role("row").filter(has_text="HY-006").filter(has_text="23,456,789.01")
    expect(hy006).to_have_count(1)
    expect(hy006).not_to_contain_text("missing")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Open")

    page.get_by_role("button", name="Submit: the observations are complete").click()
    # Asked once more, saying who will be asked to confirm; nothing is submitted yet.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Submit {OPEN_QUARTER} of {AGREEMENT}?")
    expect(page.get_by_text(re.compile(r"asks (Heyuan and Shenzhen|Shenzhen and Heyuan) to "
                                       r"confirm the statement"))).to_be_visible()
    page.get_by_role("button", name=f"Yes, submit {OPEN_QUARTER}").click()
    flash(page, "Quarter submitted for confirmation.")
    expect(page.get_by_text(re.compile(r"李伟 \(Heyuan Finance Bureau\)"))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted")
    expect(page.get_by_role("button", name="Submit: the observations are complete")) \
        .to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Confirm for "))).to_have_count(1)
    open_agreement(page, AGREEMENT)
    expect(quarter_row(page, OPEN_QUARTER)).to_contain_text("Submitted")


@pytest.fixture
def submitted_quarter(e2e_engine) -> str:
    """The demo's open quarter as the journey above leaves it: HY-006's output value entered
    and the quarter SUBMITTED by the Heyuan bureau, here through the services, in this test's
    own database."""
    with Session(e2e_engine) as session:
        set_actor(session, None, "e2e tests")
        agreement = session.scalar(select(Agreement).where(Agreement.code == AGREEMENT))
        quarter = Quarter.parse(OPEN_QUARTER)
        heyuan = actor_for(session.scalar(select(User).where(User.email == HEYUAN)))
        observations.enter_observations(session, heyuan, quarter, [
            observations.ObservationEntry("HY-006", "OUTPUT_VALUE", Decimal("23456789.01"))])
        workflow.submit(session, heyuan, agreement.id, quarter)  # refuses unless it is open
        session.commit()
        assert quarter_states(session, agreement.id)[quarter].state is QuarterState.SUBMITTED
    return OPEN_QUARTER


def test_both_bureaus_confirm_and_the_quarter_closes(signed_in, submitted_quarter):
    heyuan = signed_in(HEYUAN)
    open_statement(heyuan, AGREEMENT, submitted_quarter)
    expect(heyuan.get_by_role("heading", level=1)).to_contain_text("Submitted")
    heyuan.get_by_role("button", name=re.compile("^Confirm for ")).click()
    flash(heyuan, "Confirmed.")
    # Four eyes: the submitter's own confirmation does not close the quarter.
    expect(heyuan.get_by_role("heading", level=1)).to_contain_text("Submitted")
    expect(heyuan.get_by_text(re.compile("^confirmed by "))).to_have_count(1)
    expect(heyuan.get_by_text("not confirmed", exact=True)).to_have_count(1)

    shenzhen = signed_in(SHENZHEN)  # the counterpart finds the quarter waiting on its home page
    waiting = shenzhen.get_by_role("row").filter(has_text=AGREEMENT).filter(
        has=shenzhen.get_by_role("cell", name=submitted_quarter, exact=True))
    waiting.get_by_role("link", name=re.compile("^Check and confirm")).click()
    expect(shenzhen.get_by_role("heading", level=1)).to_contain_text(
        f"Sharing statement {submitted_quarter}")
    shenzhen.get_by_role("button", name=re.compile("^Confirm for ")).click()
    # The last confirmation closes the quarter: the page says so and asks once more.
    expect(shenzhen.get_by_role("heading", level=1)).to_have_text(
        f"Confirm and close {submitted_quarter}?")
    expect(shenzhen.get_by_text(re.compile(
        rf"This closes {submitted_quarter} for both parties: (Heyuan and Shenzhen|Shenzhen and "
        r"Heyuan); the statement is then frozen\."))).to_be_visible()
    shenzhen.get_by_role("button", name=f"Yes, confirm and close {submitted_quarter}").click()
    flash(shenzhen, "Confirmed.")
    expect(shenzhen.get_by_role("heading", level=1)).to_contain_text("Closed")
    expect(shenzhen.get_by_text("confirmed by 张敏 (Shenzhen Finance Bureau)", exact=False)) \
        .to_have_count(1)
    expect(shenzhen.get_by_text("confirmed by 李伟 (Heyuan Finance Bureau)", exact=False)) \
        .to_have_count(1)
    expect(shenzhen.get_by_text(re.compile("^confirmed by "))).to_have_count(2)
    expect(shenzhen.get_by_text("not confirmed", exact=True)).to_have_count(0)
    expect(shenzhen.get_by_role("button", name=re.compile("^Confirm for "))).to_have_count(0)
    open_agreement(shenzhen, AGREEMENT)
    expect(quarter_row(shenzhen, submitted_quarter)).to_contain_text("Closed")
    expect(quarter_row(shenzhen, submitted_quarter)).to_contain_text("2 / 2")


def test_auditor_explains_an_allocation_raises_a_query_and_the_bureau_answers_it(signed_in):
    page = signed_in(AUDITOR)
    open_statement(page, AGREEMENT, CLOSED_QUARTER)
    link = page.get_by_role("row").filter(has_text="HY-003").first \
        .get_by_title("How was this computed?").first
    shown = link.inner_text().strip()
    link.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("How this allocation was computed")
    assert figure(page, "Agreement") == AGREEMENT
    assert figure(page, "Project").startswith("HY-003")
    assert shown in figure(page, f"Allocation in {CLOSED_QUARTER}")
    expect(page.get_by_role("heading", name="Steps")).to_be_visible()
    expect(page.get_by_role("list").filter(has_text="Observed value")).to_be_visible()

    page.get_by_role("link", name=f"← Statement {CLOSED_QUARTER}").click()
    page.get_by_label("Review", exact=True).select_option(label="Query")
    comment = f"e2e: HY-003 shows {shown} in {CLOSED_QUARTER}; please send the tax returns."
    page.get_by_label("Comment", exact=True).fill(comment)
    page.get_by_role("button", name="Record the review").click()

    flash(page, "Review recorded.")
    query = page.get_by_role("row").filter(has_text=comment)
    expect(query).to_contain_text("open query")
    expect(query).to_contain_text("王芳")  # the demo auditor's name

    bureau = signed_in(HEYUAN)  # a party's bureau finds the query on its home page and answers
    bureau.get_by_role("row").filter(has_text=comment).get_by_role(
        "link", name=re.compile("^Answer")).click()
    row = bureau.get_by_role("row").filter(has_text=comment)
    row.get_by_label("Answer", exact=True).fill("e2e: the returns are attached to the file.")
    row.get_by_role("button", name="Answer", exact=True).click()
    flash(bureau, "Answer recorded.")
    answered = bureau.get_by_role("row").filter(has_text=comment)
    expect(answered).to_contain_text("e2e: the returns are attached to the file.")
    expect(answered).not_to_contain_text("open query")


def test_statement_pdf_download_holds_what_the_page_showed(signed_in):
    page = signed_in(SHENZHEN)
    open_statement(page, AGREEMENT, CLOSED_QUARTER)
    total = page.get_by_role("row").filter(
        has=page.get_by_role("cell", name="Total", exact=True)).first
    observed_total = total.get_by_role("cell").nth(1).inner_text().strip()
    assert re.fullmatch(r"-?[\d,]+\.\d\d", observed_total), observed_total
    fingerprint = figure(page, "Fingerprint")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^Download PDF report")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    data = open(download.path(), "rb").read()  # noqa: SIM115 - a file Playwright owns
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    assert AGREEMENT in text
    assert CLOSED_QUARTER in text or "2026年第二季度" in text
    assert "深圳市" in text and "河源市" in text
    assert observed_total in text
    assert fingerprint in text  # the very statement the page showed


def test_fund_manager_issues_a_report_then_checks_it_and_a_garbage_file_on_the_issued_reports_page(
        signed_in, e2e_engine):
    page = signed_in(MANAGER)
    nav(page, "Funds")
    page.get_by_role("link", name="HF-01", exact=True).click()
    page.goto(page.url.split("?")[0] + f"?quarter={CLOSED_QUARTER}")
    page.get_by_role("button", name=f"Issue the report for {CLOSED_QUARTER}").click()
    # Asked once more: which report, which version, and that it is final.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Issue Fund report HF-01 {CLOSED_QUARTER}, version 1?")
    expect(page.get_by_text(re.compile("can never be changed or withdrawn"))).to_be_visible()
    page.get_by_role("button", name="Yes, issue version 1").click()
    flash(page, "by 刘洋 (Fund manager, HF-01, SZHY-01).")
    with Session(e2e_engine) as session:
        manager = actor_for(session.scalar(select(User).where(User.email == MANAGER)))
        report = issuing.latest(session, "fund", "HF-01", Quarter.parse(CLOSED_QUARTER))
        assert report is not None and report.version == 1
        _report, pdf = issuing.fetch(session, manager, report.id)
    nav(page, "Issued reports")
    expect(page.get_by_role("heading", level=1)).to_have_text("Issued reports")
    page.get_by_label("Check a copy").set_input_files(
        files=[{"name": "HF-01.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    page.get_by_role("button", name="Check", exact=True).click()
    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text("Issued, unchanged:")
    expect(verdict).to_contain_text("HF-01")
    page.get_by_label("Check a copy").set_input_files(
        files=[{"name": "junk.pdf", "mimeType": "application/pdf", "buffer": b"junk"}])
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.locator("#verdict")).to_contain_text("This file is not a PDF.")


def test_a_bureau_follows_answer_from_home_to_the_focused_answer_box(signed_in, e2e_engine):
    with Session(e2e_engine) as session:
        set_actor(session, None, "e2e tests")
        agreement = session.scalar(select(Agreement).where(Agreement.code == AGREEMENT))
        auditor = actor_for(session.scalar(select(User).where(User.email == AUDITOR)))
        query = workflow.review(session, auditor, agreement.id, Quarter.parse(CLOSED_QUARTER),
                                ReviewKind.QUERY, "Why so low?")
        session.commit()
        box = f"answer-{query.id}"
    page = signed_in(HEYUAN, language="English")
    page.locator(f'#home-queries a[href$="#{box}"]').click()
    expect(page.locator(f"#{box}")).to_be_focused()
    page.keyboard.type("A refund.")
    page.locator(f"#{box}").locator("xpath=following-sibling::button").click()
    expect(page.get_by_text(re.compile(r"answered by .+ on \d{4}-\d\d-\d\d"))).to_be_visible()
