"""Settlement runs: the worked example of settlement.md year by year, the refusals, versions after
a reopened quarter, two-party confirmation, notices, differences carried and resolved."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.domain.codes import Role, SettlementState
from app.domain.quarter import Quarter
from app.models import SettlementDifference, SettlementNotice, SettlementRun
from app.services.access.scopes import SYSTEM
from app.services.errors import Conflict, ValidationFailed
from app.services.settlement import notices, runs, views
from app.services.sharing import workflow
from tests.integration.settlement_helpers import TAX, Example, yuan
from tests.integration.sharing_factories import DESTINATION, SOURCE, observe
from tests.integration.sharing_helpers import user_and_actor


def _lines(run, indicator=TAX):
    return [x for x in runs.content_of(run)["lines"] if x["indicator"] == indicator]


def test_the_worked_example_settles_year_by_year_as_the_background_table_says(db):
    world = Example(db)
    for n, year in enumerate(world.data["years"]):
        run, made = world.compute(db, world.first + n)
        content = runs.content_of(run)
        assert made and run.number == 1 and run.foots and content["foots"]
        [line] = content["lines"]  # only the settling indicator, only the source as payee
        assert (line["project"], line["indicator"], line["payer"], line["payee"]) == (
            world.project, TAX, DESTINATION, SOURCE)
        assert Decimal(line["amount"]) == yuan(year["to_source"])
        [kept] = content["kept"]
        assert Decimal(kept["amount"]) == yuan(year["destination_keeps"])
        assert content["net"] == [{"payer": DESTINATION, "payee": SOURCE,
                                   "amount": str(yuan(year["to_source"]))}]
    last = runs.content_of(world.compute(db, world.first + 4)[0])
    assert sorted(last["quarters"]) == [f"{world.first + 4}Q{q}" for q in range(1, 5)]


def test_computing_again_without_a_change_shows_the_same_run(db):
    world = Example(db, years=1)
    first, made = world.compute(db, world.first)
    again, made_again = world.compute(db, world.first)
    assert made and not made_again and again.id == first.id
    assert len(first.fingerprint) == 64


def test_a_year_with_an_open_quarter_is_refused_naming_the_quarter(db):
    world = Example(db, years=0)
    world.close_year(db, world.first, quarters=(1, 2))
    with pytest.raises(ValidationFailed) as refused:
        world.compute(db, world.first)
    assert f"{world.first}Q3 is not closed" in str(refused.value.errors["fiscal_year"][0])
    assert db.scalar(select(func.count()).select_from(SettlementRun)) == 0


def test_a_run_is_never_edited_a_reopened_and_corrected_quarter_makes_a_new_version(db):
    world = Example(db, years=1)
    v1, _ = world.compute(db, world.first)
    workflow.reopen(db, SYSTEM, world.id, Quarter(world.first, 4), "更正申报")
    observe(db, f"{world.first}Q4", {(world.project, TAX): "7600000.00"}, reason="补缴税款")
    world.close_year(db, world.first, quarters=(4,))
    v2, made = world.compute(db, world.first)
    assert made and v2.number == 2 and v1.number == 1
    assert Decimal(_lines(v2)[0]["amount"]) == yuan("1500") + Decimal("50000.00")
    changes = json.loads(v2.changes_json)
    items = {c["item"]: (c["old"], c["new"]) for c in changes}
    key = f"line {world.project} {TAX} {DESTINATION}→{SOURCE}"
    assert items[key] == ("15000000.00", "15050000.00")
    assert f"quarter {world.first}Q4" in items
    db.expire_all()
    assert runs.content_of(db.get(SettlementRun, v1.id))["lines"][0]["amount"] == "15000000.00"
    with pytest.raises(Conflict):  # the old version cannot be confirmed any more
        runs.confirm(db, world.src, v1.id, SOURCE, v1.fingerprint)


def test_both_bureaus_confirm_against_the_fingerprint_and_the_run_is_frozen(db):
    world = Example(db, years=1)
    run, _ = world.compute(db, world.first)
    with pytest.raises(Conflict):
        runs.confirm(db, world.src, run.id, SOURCE, "0" * 64)
    runs.confirm(db, world.src, run.id, SOURCE, run.fingerprint)
    assert run.state is SettlementState.COMPUTED
    with pytest.raises(ValidationFailed):
        runs.confirm(db, world.src, run.id, SOURCE, run.fingerprint)
    runs.confirm(db, world.dest, run.id, DESTINATION, run.fingerprint)
    assert run.state is SettlementState.CONFIRMED and run.confirmed_at is not None
    assert sorted(c.party.region.code for c in run.confirmations) == sorted([SOURCE, DESTINATION])
    assert {c.fingerprint for c in run.confirmations} == {run.fingerprint}


def test_a_confirmation_after_a_quarter_was_reopened_is_a_conflict(db):
    world = Example(db, years=1)
    run, _ = world.compute(db, world.first)
    workflow.reopen(db, SYSTEM, world.id, Quarter(world.first, 4), "更正申报")
    with pytest.raises(Conflict):
        runs.confirm(db, world.src, run.id, SOURCE, run.fingerprint)
    assert run.confirmations == []


def test_a_notice_with_a_difference_is_carried_into_next_years_run_until_resolved(db):
    world = Example(db, years=2)
    data = world.data["notice"]
    year = world.first + data["year_index"]
    run, _ = world.compute(db, year)
    world.confirm(db, run)
    due = yuan(world.data["years"][0]["to_source"])
    booked = due + yuan(data["difference"])  # 1,490 万元 against 1,500 due
    world.notice(db, year, booked, reason=data["reason"])
    [pair] = notices.reconciliation(db, world.id, year)
    assert (pair.due, pair.booked, pair.difference) == (due, booked, yuan("-10"))
    assert pair.reason.value == "REFUND_AFTER_CUTOFF" and pair.open_difference is not None
    following, _ = world.compute(db, year + 1)
    content = runs.content_of(following)
    assert content["carried"] == [{"fiscal_year": year, "payer": DESTINATION, "payee": SOURCE,
                                   "amount": "100000.00", "reason": "REFUND_AFTER_CUTOFF"}]
    assert content["net"][0]["amount"] == str(yuan("1700") + yuan("10"))
    assert content["foots"]  # carried lines are not from the statements: footing unaffected
    _, auditor = user_and_actor(db, Role.AUDITOR, "440000")
    with pytest.raises(ValidationFailed):
        notices.resolve(db, auditor, pair.open_difference.id, " ")
    notices.resolve(db, auditor, pair.open_difference.id, "2023年结算中补记")
    again, made = world.compute(db, year + 1)
    assert made and again.number == 2 and runs.content_of(again)["carried"] == []


@pytest.mark.parametrize(("changes", "field"), [
    ({"payer": SOURCE, "payee": DESTINATION}, "payee"),
    ({"amount": "-1.00"}, "amount"),
    ({"level": "COUNTY"}, "level"),
    ({"amount": "14900000.00"}, "reason"),
])
def test_a_bad_notice_is_refused_naming_the_field_and_nothing_is_written(db, changes, field):
    world = Example(db, years=1)
    run, _ = world.compute(db, world.first)
    world.confirm(db, run)
    values = {"amount": "15000000.00", "payer": DESTINATION, "payee": SOURCE,
              "level": "CENTRAL"} | changes
    with pytest.raises(ValidationFailed) as refused:
        world.notice(db, world.first, values["amount"], payer=values["payer"],
                     payee=values["payee"], level=values["level"])
    assert field in refused.value.errors
    assert db.scalar(select(func.count()).select_from(SettlementNotice)) == 0
    assert db.scalar(select(func.count()).select_from(SettlementDifference)) == 0


def test_a_duplicate_notice_number_is_refused(db):
    world = Example(db, years=1)
    run, _ = world.compute(db, world.first)
    world.confirm(db, run)
    world.notice(db, world.first, "15000000.00", number="N-1")
    with pytest.raises(ValidationFailed) as refused:
        world.notice(db, world.first, "0.00", number="N-1")
    assert "number" in refused.value.errors
    assert db.scalar(select(func.count()).select_from(SettlementNotice)) == 1


def test_a_notice_needs_a_confirmed_run(db):
    world = Example(db, years=1)
    world.compute(db, world.first)
    with pytest.raises(ValidationFailed) as refused:
        world.notice(db, world.first, "15000000.00")
    assert "fiscal_year" in refused.value.errors


def test_the_audit_trail_says_settlement_steps_in_words(db):
    from app.models import AuditEntry
    from app.services.access import audit_words

    world = Example(db, years=1)
    run, _ = world.compute(db, world.first)
    world.confirm(db, run)
    world.notice(db, world.first, "15000000.00", number="N-9")
    db.flush()
    entries = db.query(AuditEntry).filter(AuditEntry.entity.in_(
        ("settlement_runs", "settlement_confirmations", "settlement_notices"))).all()
    said = [str(d.sentence) for d in audit_words.describe_entries(db, entries).values()]
    assert {e.entity for e in entries} == {"settlement_runs", "settlement_confirmations",
                                           "settlement_notices"}
    assert any("recorded settlement notice N-9" in s and "15,000,000.00 booked" in s
               for s in said)
    assert sum("confirmed a settlement run for" in s for s in said) == 2


def test_two_notices_of_a_pair_add_up_and_square_the_difference(db):
    world = Example(db, years=1)
    run, _ = world.compute(db, world.first)
    world.confirm(db, run)
    world.notice(db, world.first, "14000000.00", number="N-1", reason="TIMING")
    [pair] = notices.reconciliation(db, world.id, world.first)
    assert pair.difference == Decimal("-1000000.00") and pair.open_difference is not None
    world.notice(db, world.first, "1000000.00", number="N-2")  # the rest, booked later
    [pair] = notices.reconciliation(db, world.id, world.first)
    assert (pair.booked, pair.difference, pair.open_difference) == (
        Decimal("15000000.00"), Decimal("0.00"), None)


def test_the_three_way_match_runs_from_observations_to_booked(db):
    world = Example(db, years=1)
    agreement = runs.agreement_by_code(db, SYSTEM, "SE")
    before = {s.key: s.amount for s in views.three_way(db, agreement, world.first)}
    assert before["stated"] == yuan("3000") and before["run"] is None  # not computed yet
    run, _ = world.compute(db, world.first)
    world.confirm(db, run)
    world.notice(db, world.first, "14990000.00", number="N-1", reason="ROUNDING")
    stages = {s.key: s.amount for s in views.three_way(db, agreement, world.first)}
    assert stages == {"observed": yuan("3000"), "stated": yuan("3000"), "allocated": yuan("3000"),
                      "run": yuan("3000"), "due": yuan("1500"), "net": yuan("1500"),
                      "booked": Decimal("14990000.00")}
