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
from sqlalchemy import select

from app.domain.codes import Instrument, ParkType, TransactionType
from app.domain.quarter import Quarter
from app.models import Project
from app.services.access.scopes import SYSTEM
from app.services.errors import ValidationFailed
from app.services.funds import investments
from app.services.parks import membership
from app.services.reporting import issuing
from app.services.reporting.builders import zone
from app.services.reporting.builders.catalogue import FILLS
from app.services.reporting.builders.common import IssueInfo
from app.services.sharing import agreements, coverage
from reports import Table, render
from tests.factories import make_fund, make_project
from tests.integration.catalogue_helpers import load_edition
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


def _disburse(db, code, when, amount):
    fund = make_fund(db)
    position = investments.open_investment(db, SYSTEM, fund.id, code, Instrument.EQUITY)
    for kind in (TransactionType.COMMITMENT, TransactionType.DISBURSEMENT):
        investments.record_transaction(db, SYSTEM, position.id, investments.TransactionData(
            kind, when, Decimal(amount)))


@pytest.fixture
def flagged_zone(db, zone_world):
    """The zone with a red project (非金属矿物制品 30) and an unlisted one (39) beside the
    priority ones (38), under an edition for 河源; amounts whose 万元 rounded one by one would
    not add up to the rounded total (123.46 + 0.44 + 0.44 ≠ 124.35)."""
    for code, industry in (("ZN-RED", "30"), ("ZN-GREY", "39")):
        make_project(db, code, source="510100", industry=industry)  # 成都: west
        membership.set_membership(db, SYSTEM, db.scalar(
            select(Project.id).where(Project.code == code)), "HY-ZONE", dt.date(2025, 4, 1))
        _disburse(db, code, dt.date(2025, 5, 1), "4444.44")
    assert load_edition(db, "441600,PRIORITY,电子,电气机械,38,,FALSE\n"
                            "441600,NO_LONGER,建材,水泥,30,,FALSE\n", "示例", current=True).ok
    return zone_world


def test_the_summary_counts_projects_by_catalogue_flag_and_both_breakdowns_foot(db, flagged_zone):
    data = zone.collect(db, zone.subject(db, SYSTEM, "HY-ZONE"), Y)
    assert data["catalogue"] == {"edition": "示例", "sample": False}
    assert {c: p["flag"] for c, p in data["projects"].items()} == {
        "ZN-CENTRAL": "PRIORITY", "ZN-EAST": "PRIORITY", "ZN-GREY": "NONE", "ZN-OLD": "PRIORITY",
        "ZN-RED": "NO_LONGER"}
    by_flag = data["by_catalogue_flag"]
    assert list(by_flag) == ["PRIORITY", "NO_LONGER", "NONE"]  # the flags' fixed order
    assert by_flag["NO_LONGER"] == {
        "taken_on": 1, "projects": 1, "committed_in_year": "4444.44",
        "disbursed_in_year": "4444.44", "committed_to_date": "4444.44",
        "disbursed_to_date": "4444.44"}
    assert (by_flag["PRIORITY"]["taken_on"], by_flag["PRIORITY"]["projects"]) == (2, 3)
    for column in ("taken_on", "projects", *zone.MONEY):  # both breakdowns, the same totals
        assert sum(Decimal(g[column]) for g in by_flag.values()) == \
            sum(Decimal(g[column]) for g in data["by_macro_region"].values())

    # The printed tables (万元) foot: each column's rows add up to its total row.
    blocks = zone._flags(data) + zone._macro(data["by_macro_region"])
    tables = [b for b in blocks if isinstance(b, Table)]
    assert len(tables) == 2
    for table in tables:
        for index in range(1, len(table.columns)):
            shown = sum(Decimal(row[index].replace(",", "")) for row in table.rows
                        if row[index] != "—")
            assert shown == Decimal(table.total_row[index].replace(",", "")), (index, table)
    flags = tables[0]
    assert [row[0] for row in flags.rows] == [
        "优先承接发展 / Priority to take on", "引导不再承接 / No longer to take on",
        "目录未列 / Not listed"]
    assert flags.rows[0][4] == "123.46" and flags.total_row[4] == "124.35"  # re-apportioned
    assert [fill for _i, fill in flags.row_fills] == [FILLS["PRIORITY"], FILLS["NO_LONGER"]]


def test_the_pdf_and_workbook_show_the_flags_and_an_older_summary_still_builds(db, flagged_zone):
    draft = issuing.draft(db, SYSTEM, "zone", "HY-ZONE", Y)
    text = " ".join(pdf_text(draft.pdf).split())
    assert "By transfer guidance catalogue flag" in text
    assert "目录版本 / Edition: 示例" in text
    assert "引导不再承接 / No longer to take on" in text
    sheet = load_workbook(io.BytesIO(zone.workbook(draft.data)))["目录标识 By catalogue flag"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == ["优先承接发展 / Priority to take on",
                                    "引导不再承接 / No longer to take on", "目录未列 / Not listed"]
    assert rows[1][1:] == [1, 1, "4444.44", "4444.44", "4444.44", "4444.44", "示例"]
    projects = load_workbook(io.BytesIO(zone.workbook(draft.data)))["项目 Projects"]
    assert [r[-1].value for r in projects.iter_rows(min_row=2)] == [
        "PRIORITY", "PRIORITY", "NONE", "PRIORITY", "NO_LONGER"]

    # A summary issued before the breakdown existed is rebuilt as it was: no such section.
    older = {k: v for k, v in draft.data.items() if k not in ("catalogue", "by_catalogue_flag")}
    older["projects"] = {c: {k: v for k, v in p.items() if k != "flag"}
                         for c, p in older["projects"].items()}
    rebuilt = " ".join(pdf_text(render(zone.build(older, IssueInfo()))).split())
    assert "By source macro-region" in rebuilt
    assert "catalogue flag" not in rebuilt and "No longer" not in rebuilt
    assert "目录标识 By catalogue flag" not in load_workbook(io.BytesIO(zone.workbook(older)))

