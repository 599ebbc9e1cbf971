"""The regional report's section "settlement by fiscal year: booked and outstanding": per year,
the pairs of the newest confirmed run with one side in the region, due, booked and outstanding,
signed from the region's side; each year's total foots to its pairs and is printed identically in
the summary; the figures are those of the run and the reconciliation; the PDF stays
deterministic and ``report verify`` recognises it."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.domain.quarter import Quarter
from app.models import Region
from app.services.reporting import issuing
from app.services.settlement import notices
from tests.integration.report_helpers import pdf_text
from tests.integration.settlement_helpers import Example
from tests.integration.sharing_factories import DESTINATION, SOURCE


def _two_years(db) -> Example:
    """2021 confirmed and booked 100,000 short (open difference), 2022 confirmed carrying it,
    not booked; 2023 closed but not computed."""
    world = Example(db, years=3)
    run, _ = world.compute(db, world.first)
    world.confirm(db, run)
    world.notice(db, world.first, "14900000.00", reason="REFUND_AFTER_CUTOFF")
    run, _ = world.compute(db, world.first + 1)
    world.confirm(db, run)
    world.compute(db, world.first + 2)  # computed, not confirmed: not in the section
    return world


def _section(data: dict) -> dict:
    return data["settlement"]


def test_each_year_foots_and_is_signed_from_the_regions_side(db):
    world = _two_years(db)
    q = Quarter(world.first + 2, 4)
    source = _section(issuing.draft(db, world.src, "region", SOURCE, q).data)
    destination = _section(issuing.draft(db, world.dest, "region", DESTINATION, q).data)
    y1, y2 = str(world.first), str(world.first + 1)
    assert list(source) == [y1, y2]  # the third year is not confirmed
    assert source[y1]["totals"] == {"due": "15000000.00", "booked": "14900000.00",
                                    "outstanding": "100000.00"}
    assert source[y2]["totals"] == {"due": "17100000.00", "booked": "0.00",
                                    "outstanding": "17100000.00"}  # 1,700 万 + 10 万 carried
    for year in (y1, y2):
        for key in ("due", "booked", "outstanding"):
            pairs = source[year]["pairs"].values()
            assert Decimal(source[year]["totals"][key]) == sum(Decimal(p[key]) for p in pairs)
            assert Decimal(destination[year]["totals"][key]) == -Decimal(
                source[year]["totals"][key])
    for year in (world.first, world.first + 1):  # the same figures as the reconciliation
        [pair] = notices.reconciliation(db, world.id, year)
        [shown] = source[str(year)]["pairs"].values()
        assert (Decimal(shown["due"]), Decimal(shown["booked"])) == (pair.due, pair.booked)
        assert (shown["payer"], shown["payee"], shown["receives"]) == (DESTINATION, SOURCE, True)


def test_a_resolved_difference_is_no_longer_outstanding(db):
    from app.domain.codes import Role
    from app.models import SettlementDifference
    from tests.factories import actor_of, make_user

    world = _two_years(db)
    auditor = actor_of(db, make_user(db, Role.AUDITOR))
    difference = db.query(SettlementDifference).one()
    notices.resolve(db, auditor, difference.id, "booked with the next settlement")
    data = _section(issuing.draft(db, world.src, "region", SOURCE,
                                  Quarter(world.first + 1, 4)).data)
    assert data[str(world.first)]["totals"] == {"due": "15000000.00", "booked": "14900000.00",
                                                "outstanding": "0.00"}


def test_the_pdf_prints_each_year_total_as_in_the_summary_and_verify_recognises_it(db):
    world = _two_years(db)
    q = Quarter(world.first + 1, 4)
    draft = issuing.draft(db, world.src, "region", SOURCE, q)
    assert draft.pdf == issuing.draft(db, world.src, "region", SOURCE, q).pdf  # deterministic
    text = " ".join(pdf_text(draft.pdf).split())
    section = text[text.index("Settlement by fiscal year"):]
    y1 = "15,000,000.00 14,900,000.00 100,000.00"
    y2 = "17,100,000.00 0.00 17,100,000.00"
    summary = section[:section.index("Per fiscal year")]
    assert f"{world.first} {y1} {world.first + 1} {y2}" in summary  # a row per year
    assert f"Total {world.first} {y1}" in section  # each year's total, as in the summary
    assert f"Total {world.first + 1} {y2}" in section
    payer, payee = (db.scalar(select(Region.name).where(Region.code == c))
                    for c in (DESTINATION, SOURCE))
    assert f"{payer} {DESTINATION} → {payee} {SOURCE}" in section  # names, not codes alone
    report = issuing.issue(db, world.src, "region", SOURCE, q)
    verdict = issuing.verify(db, report.content.pdf)
    assert verdict.is_valid and verdict.report.kind == "region"


def test_a_region_without_a_confirmed_settlement_prints_no_section(db):
    world = Example(db, years=1)
    world.compute(db, world.first)
    draft = issuing.draft(db, world.src, "region", SOURCE, Quarter(world.first, 4))
    assert _section(draft.data) == {}
    assert "Settlement by fiscal year" not in pdf_text(draft.pdf)
