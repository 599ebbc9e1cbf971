"""The annual summary of a national demonstration zone: projects taken on by source
macro-region, the investment in them, the indicators they reported and what an agreement
covering the zone shared; the PDF and the workbook are deterministic, and an issued PDF is
recognised by ``report verify``."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.domain.codes import Instrument, ParkType, TransactionType
from app.domain.quarter import Quarter
from app.services.access.scopes import SYSTEM
from app.services.errors import ValidationFailed
from app.services.funds import investments
from app.services.parks import membership
from app.services.reporting import issuing
from app.services.reporting.builders import zone
from app.services.sharing import agreements, coverage
from tests.factories import make_fund, make_project
from tests.integration.parks_helpers import make_park
from tests.integration.report_helpers import pdf_text
from tests.integration.sharing_factories import half_and_half, make_agreement, observe

Y = Quarter(2025, 4)


@pytest.fixture
def zone_world(db):
    make_park(db, "HY-ZONE", start=dt.date(2024, 1, 1))
    east = make_project(db, "ZN-EAST", source="440306")  # 深圳宝安: east
    central = make_project(db, "ZN-CENTRAL", source="420100")  # 武汉: central
    older = make_project(db, "ZN-OLD", source="440306")
    membership.set_membership(db, SYSTEM, older.id, "HY-ZONE", dt.date(2024, 6, 1))
    membership.set_membership(db, SYSTEM, east.id, "HY-ZONE", dt.date(2025, 2, 1))
    membership.set_membership(db, SYSTEM, central.id, "HY-ZONE", dt.date(2025, 8, 1))
    fund = make_fund(db)
    position = investments.open_investment(db, SYSTEM, fund.id, "ZN-EAST", Instrument.EQUITY)
    for when, kind, amount in ((dt.date(2024, 12, 1), TransactionType.COMMITMENT, "3000000.00"),
                               (dt.date(2025, 3, 1), TransactionType.DISBURSEMENT, "1234567.89"),
                               (dt.date(2026, 1, 5), TransactionType.DISBURSEMENT, "99.00")):
        investments.record_transaction(db, SYSTEM, position.id, investments.TransactionData(
            kind, when, Decimal(amount)))
    agreement = make_agreement(db, "ZA", [], [half_and_half(first="2025Q1")], activate=False)
    coverage.set_covered_parks(db, SYSTEM, agreement.id, ["HY-ZONE"])
    agreements.activate(db, SYSTEM, agreement.id, agreement.version)
    observe(db, "2025Q2", {("ZN-EAST", "TAX_LOCAL"): "100.01"})
    observe(db, "2025Q3", {("ZN-CENTRAL", "TAX_LOCAL"): "50.00",
                           ("ZN-EAST", "TAX_LOCAL"): "10.00"})
    observe(db, "2025Q2", {("ZN-CENTRAL", "TAX_LOCAL"): "777.00"})  # before it joined
    return agreement


def test_the_summary_counts_projects_by_source_macro_region_with_their_money(db, zone_world):
    data = zone.collect(db, zone.subject(db, SYSTEM, "HY-ZONE"), Y)
    assert data["year"] == 2025
    assert data["by_macro_region"] == {
        "EAST": {"taken_on": 1, "projects": 2, "committed_in_year": "0.00",
                 "disbursed_in_year": "1234567.89", "committed_to_date": "3000000.00",
                 "disbursed_to_date": "1234567.89"},
        "CENTRAL": {"taken_on": 1, "projects": 1, "committed_in_year": "0.00",
                    "disbursed_in_year": "0.00", "committed_to_date": "0.00",
                    "disbursed_to_date": "0.00"}}
    assert data["indicators"]["TAX_LOCAL"]["value"] == "160.01"  # not the 777 before joining
    shared = data["shared"]["ZA"]["indicators"]["TAX_LOCAL"]
    assert shared["value"] == "160.01" and data["shared"]["ZA"]["covers_zone"]
    assert sum(Decimal(v) for v in shared["parties"].values()) == Decimal("160.01")


def test_the_pdf_and_workbook_are_deterministic_and_the_issued_pdf_verifies(db, zone_world):
    first = issuing.draft(db, SYSTEM, "zone", "HY-ZONE", Y)
    again = issuing.draft(db, SYSTEM, "zone", "HY-ZONE", Y)
    assert first.pdf == again.pdf
    text = pdf_text(first.pdf)
    assert "Annual summary 2025" in text and "ZN-CENTRAL" in text and "1,234,567.89" in text
    book = zone.workbook(first.data)
    assert book == zone.workbook(first.data)
    sheet = load_workbook(io.BytesIO(book))["示范区 Zone"]
    assert [row[1].value for row in sheet.iter_rows(min_row=2)][-1] == first.fingerprint
    report = issuing.issue(db, SYSTEM, "zone", "HY-ZONE", Y)
    result = issuing.verify(db, report.content.pdf)
    assert result.is_valid and result.report.kind == "zone"


def test_only_a_national_zone_has_a_summary_and_only_as_of_a_fourth_quarter(db, zone_world):
    make_park(db, "CO-PARK", park_type=ParkType.CO_BUILT)
    with pytest.raises(ValidationFailed) as failed:
        issuing.draft(db, SYSTEM, "zone", "CO-PARK", Y)
    assert "code" in failed.value.errors
    with pytest.raises(ValidationFailed) as failed:
        issuing.issue(db, SYSTEM, "zone", "HY-ZONE", Quarter(2025, 2))
    assert "quarter" in failed.value.errors
