"""Cap used and cap left on a statement: the rounded allocation under the cap and what is left,
footing to the cap in the data and in the PDF; a quarter closed before this rule keeps what was
signed, and its issued report still verifies."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select

from app.domain.hashchain import canonical_json
from app.domain.quarter import Quarter
from app.models import AgreementQuarter
from app.services.reporting import issuing
from app.services.sharing import workflow
from app.services.sharing.statements import Statement
from tests.integration.report_helpers import pdf_text
from tests.integration.sharing_helpers import (
    DESTINATION,
    SOURCE,
    bureau,
    close_quarter,
    example_agreement,
    example_case,
    row_of,
    statement_of,
)

CAP = Decimal("9075.00")


def _cap_agreement(db):
    """Example 3 of sharing.md (S capped at 9,075.00 over the agreement) over EX-1 and EX-2."""
    return example_agreement(db, example_case("agreement cap"), "EX", ["EX-1", "EX-2"])


def test_cap_used_and_left_foot_to_the_cap_in_the_statement_data_and_its_pdf(db):
    agreement = _cap_agreement(db)
    statement = statement_of(db, agreement.id, "2024Q1")
    line = row_of(statement, "EX-1").lines[SOURCE]
    # Exact share 1,240.175: rounded to 1,240.17 like "since inception"; left 7,834.83 (floored
    # from the exact room it once showed 7,834.82, and the two came to 9,074.99).
    assert (line.since_inception, line.cap_used, line.cap_left) == (
        Decimal("1240.17"), Decimal("1240.17"), Decimal("7834.83"))
    data = statement.data()
    for row in data["rows"]:
        source = row["lines"][SOURCE]
        assert source["cap_used"] + source["cap_left"] == source["cap"] == CAP
    _, dest = bureau(db, DESTINATION)
    text = pdf_text(issuing.draft(db, dest, "statement", "EX", Quarter.parse("2024Q1")).pdf)
    assert text.count("7,834.83") == 2 and "7,834.82" not in text


def test_a_quarter_closed_under_the_old_rule_keeps_its_signed_figures_and_still_verifies(db):
    agreement = _cap_agreement(db)
    _, dest = bureau(db, DESTINATION)
    _, src = bureau(db, SOURCE)
    close_quarter(db, agreement.id, "2024Q1", dest, src, dest)
    aq = db.scalars(select(AgreementQuarter).where(
        AgreementQuarter.agreement_id == agreement.id,
        AgreementQuarter.quarter == Quarter.parse("2024Q1"))).one()
    # What the previous rule froze: cap left floored from the exact room.
    signed = json.loads(aq.statement_json)
    for row in signed["rows"]:
        row["lines"][SOURCE]["cap_left"] = "7834.82"
    old = Statement.from_data(signed, "").with_fingerprint()
    aq.statement_json, aq.fingerprint = canonical_json(old.data()), old.fingerprint
    db.flush()

    shown, _ = workflow.statement_of(db, agreement, Quarter.parse("2024Q1"))
    assert row_of(shown, "EX-1").lines[SOURCE].cap_left == Decimal("7834.82")
    assert shown.fingerprint == old.fingerprint
    report = issuing.issue(db, dest, "statement", "EX", Quarter.parse("2024Q1"))
    db.commit()
    assert "7,834.82" in pdf_text(report.content.pdf)
    verdict = issuing.verify(db, report.content.pdf)
    assert verdict.is_valid, verdict.sentences
    # The next open quarter is computed under the current rule.
    line = row_of(statement_of(db, agreement.id, "2025Q1"), "EX-1").lines[SOURCE]
    assert line.cap_used + line.cap_left == CAP
