"""Deadlines on stored agreements: the lock refuses a bureau's entry and submission, an
exception reopens them until its date, settings and per-agreement days, the reminders of a day
and the timeliness figures (docs/sharing.md#deadlines)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.domain.codes import PartyRole, QuarterState, Role
from app.domain.deadlines import EntryStatus
from app.domain.quarter import Quarter
from app.services.access.scopes import SYSTEM
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.sharing import (
    agreements,
    deadlines,
    lock_exceptions,
    observations,
    reminders,
    timeliness,
    workflow,
)
from app.services.sharing.statements import quarter_states
from tests.factories import make_project
from tests.integration.sharing_factories import DESTINATION, SOURCE, half_and_half, observe
from tests.integration.sharing_helpers import bureau, user_and_actor

D = dt.date
Q3 = Quarter(2025, 3)


ACTIVATED = D(2024, 12, 31)


def _agreement(db, code="DL", first="2025Q1", activated=ACTIVATED, **days):
    make_project(db, f"{code}-1")
    agreement = agreements.create_agreement(db, SYSTEM, agreements.AgreementData(
        code=code, title=f"协议 {code}", parties=[
            agreements.PartyData(DESTINATION, PartyRole.DESTINATION),
            agreements.PartyData(SOURCE, PartyRole.SOURCE)]))
    agreements.set_covered_projects(db, SYSTEM, agreement.id, [f"{code}-1"])
    agreements.set_rule(db, SYSTEM, agreement.id, half_and_half(first=first))
    agreements.activate(db, SYSTEM, agreement.id, agreement.version, on=activated)
    if days:
        deadlines.set_agreement_days(db, SYSTEM, agreement.id, days.get("timely"),
                                     days.get("lock"), agreement.version)
    return agreement


def _entry(code, value):
    return [observations.ObservationEntry(f"{code}-1", "TAX_LOCAL", Decimal(value))]


def _close(db, agreement, quarter, dest, src, at):
    aq = workflow.submit(db, dest, agreement.id, quarter, at=at)
    workflow.confirm(db, src, agreement.id, quarter, SOURCE, aq.fingerprint)
    workflow.confirm(db, dest, agreement.id, quarter, DESTINATION, aq.fingerprint)


@pytest.fixture
def setting(db):
    agreement = _agreement(db)
    _dest_user, dest = bureau(db, DESTINATION)
    _src_user, src = bureau(db, SOURCE)
    _admin_user, admin = user_and_actor(db, Role.ADMIN)
    for quarter in ("2025Q1", "2025Q2"):
        observe(db, quarter, {("DL-1", "TAX_LOCAL"): "100.00"})
    _close(db, agreement, Quarter(2025, 1), dest, src, dt.datetime(2025, 4, 10, 2, tzinfo=dt.UTC))
    _close(db, agreement, Quarter(2025, 2), dest, src, dt.datetime(2025, 7, 20, 2, tzinfo=dt.UTC))
    return agreement, dest, src, admin


def test_after_the_lock_day_a_bureau_can_neither_enter_nor_submit(db, setting):
    agreement, dest, _src, admin = setting
    assert observations.enter_observations(db, dest, Q3, _entry("DL", "5.00"),
                                           today=D(2025, 10, 20)) == 1  # the lock day itself
    with pytest.raises(ValidationFailed) as refused:
        observations.enter_observations(db, dest, Q3, _entry("DL", "6.00"), today=D(2025, 10, 21))
    message = refused.value.errors["DL-1.TAX_LOCAL"][0]
    assert "2025Q3 is locked" in message and "2025-10-20" in message and "exception" in message
    with pytest.raises(ValidationFailed, match="2025Q3 is locked: entry closed after 2025-10-20"):
        workflow.submit(db, dest, agreement.id, Q3, at=dt.datetime(2025, 10, 21, 1, tzinfo=dt.UTC))
    # An administrator is not bound by the lock.
    assert observations.enter_observations(db, admin, Q3, _entry("DL", "7.00"),
                                           today=D(2025, 10, 21)) == 1


def test_the_local_date_decides_a_submission_at_the_lock_days_end(db, setting):
    agreement, dest, _src, _admin = setting
    # 2025-10-20 15:59 UTC is 23:59 in Shanghai, the lock day: accepted.
    aq = workflow.submit(db, dest, agreement.id, Q3,
                         at=dt.datetime(2025, 10, 20, 15, 59, tzinfo=dt.UTC))
    assert aq.state is QuarterState.SUBMITTED


def test_an_exception_reopens_entry_and_lapses_after_its_date(db, setting):
    agreement, dest, _src, admin = setting
    granted = dt.datetime(2025, 10, 22, 1, tzinfo=dt.UTC)  # 09:00 in Shanghai
    lock_exceptions.grant(db, admin, agreement.id, Q3, D(2025, 10, 29),
                          "税务部门更正申报，数据延迟", at=granted)
    with pytest.raises(ValidationFailed, match="2025Q3 is locked"):  # the day before granting
        observations.enter_observations(db, dest, Q3, _entry("DL", "7.00"), today=D(2025, 10, 21))
    for day, value in ((D(2025, 10, 22), "8.00"), (D(2025, 10, 29), "9.00")):
        assert observations.enter_observations(db, dest, Q3, _entry("DL", value),
                                               today=day) == 1
    with pytest.raises(ValidationFailed, match="2025Q3 is locked"):
        observations.enter_observations(db, dest, Q3, _entry("DL", "10.00"),
                                        today=D(2025, 10, 30))
    found = deadlines.standing(db, agreement, Q3, None, today=D(2025, 10, 25))
    assert (found.status, found.exception_until) == (EntryStatus.LATE, D(2025, 10, 29))
    aq = workflow.submit(db, dest, agreement.id, Q3, at=dt.datetime(2025, 10, 29, 2, tzinfo=dt.UTC))
    assert aq.state is QuarterState.SUBMITTED


def test_a_revoked_exception_locks_again(db, setting):
    agreement, dest, _src, admin = setting
    exception = lock_exceptions.grant(db, admin, agreement.id, Q3,
                                      deadlines.local_today(db) + dt.timedelta(days=7), "reason")
    today = deadlines.local_today(db)
    assert observations.enter_observations(db, dest, Q3, _entry("DL", "1.00"), today=today) == 1
    lock_exceptions.revoke(db, admin, exception.id, exception.version)
    with pytest.raises(ValidationFailed, match="2025Q3 is locked"):
        observations.enter_observations(db, dest, Q3, _entry("DL", "2.00"), today=today)
    with pytest.raises(ValidationFailed, match="revoked already"):
        lock_exceptions.revoke(db, admin, exception.id, exception.version)
    assert [e.revoked_at is not None for e in lock_exceptions.exceptions_of(db, agreement.id)] \
        == [True]


def test_an_exception_for_another_party_region_does_not_reopen_the_destination(db, setting):
    agreement, dest, _src, admin = setting
    today = deadlines.local_today(db)
    lock_exceptions.grant(db, admin, agreement.id, Q3, today, "source only", region_code=SOURCE)
    with pytest.raises(ValidationFailed, match="2025Q3 is locked"):
        observations.enter_observations(db, dest, Q3, _entry("DL", "3.00"), today=today)
    lock_exceptions.grant(db, admin, agreement.id, Q3, today, "destination",
                          region_code=DESTINATION)
    assert observations.enter_observations(db, dest, Q3, _entry("DL", "3.00"), today=today) == 1


def test_granting_needs_a_reason_a_date_not_in_the_past_a_party_and_an_administrator(db, setting):
    agreement, dest, _src, admin = setting
    today = dt.datetime(2025, 10, 22, 2, tzinfo=dt.UTC)
    with pytest.raises(ValidationFailed) as bad:
        lock_exceptions.grant(db, admin, agreement.id, Q3, D(2025, 10, 21), "  ",
                              region_code="110000", at=today)
    assert set(bad.value.errors) == {"reason", "until", "region"}
    assert "2025-10-21 is in the past" in bad.value.errors["until"][0]
    with pytest.raises(ValidationFailed, match="at most a year"):
        lock_exceptions.grant(db, admin, agreement.id, Q3, D(2027, 1, 1), "x", at=today)
    with pytest.raises(NotFound):
        lock_exceptions.grant(db, dest, agreement.id, Q3, D(2025, 10, 29), "x", at=today)


def test_corrections_of_a_closed_quarter_are_not_locked(db, setting):
    _, dest, _src, _admin = setting
    entries = [observations.ObservationEntry("DL-1", "TAX_LOCAL", Decimal("101.00"), "更正")]
    assert observations.enter_observations(db, dest, Quarter(2025, 1), entries,
                                           today=D(2026, 12, 4)) == 1


def test_settings_and_agreement_days_are_checked_and_used(db, setting):
    agreement, dest, _src, admin = setting
    row = deadlines.cycle_settings(db)
    with pytest.raises(ValidationFailed) as bad:
        deadlines.update_settings(db, admin, -1, 9999, row.version)
    assert set(bad.value.errors) == {"timely_days", "lock_days"}
    with pytest.raises(ValidationFailed, match="at least the days to the timely date"):
        deadlines.update_settings(db, admin, 30, 20, row.version)
    with pytest.raises(NotFound):
        deadlines.update_settings(db, dest, 30, 40, row.version)
    with pytest.raises(Conflict):
        deadlines.update_settings(db, admin, 30, 40, row.version + 5)
    deadlines.update_settings(db, admin, 30, 40, row.version)
    assert deadlines.window_of(row, agreement, Q3).lock == D(2025, 11, 9)
    deadlines.set_agreement_days(db, dest, agreement.id, None, 45, agreement.version)
    assert deadlines.window_of(row, agreement, Q3).lock == D(2025, 11, 14)
    with pytest.raises(ValidationFailed) as bad:
        deadlines.set_agreement_days(db, dest, agreement.id, 50, None, agreement.version)
    assert list(bad.value.errors) == ["timely_days"]  # 50 days against the default lock of 40


def test_the_first_submission_is_kept_when_the_quarter_is_submitted_again(db, setting):
    agreement, dest, _src, admin = setting
    first = dt.datetime(2025, 10, 10, 2, tzinfo=dt.UTC)
    workflow.submit(db, dest, agreement.id, Q3, at=first)
    observations.enter_observations(db, admin, Q3, _entry("DL", "4.00"), today=D(2025, 10, 12))
    assert quarter_states(db, agreement.id)[Q3].state is QuarterState.OPEN
    again = workflow.submit(db, dest, agreement.id, Q3,
                            at=dt.datetime(2025, 10, 19, 2, tzinfo=dt.UTC))
    assert again.submitted_at.date() == D(2025, 10, 19)
    assert again.first_submitted_at == first


def test_reminders_of_a_day(db, setting):
    agreement, dest, _src, _admin = setting
    by_kind = lambda day: {(r.kind, str(r.quarter)): r for r in reminders.reminders_due(  # noqa: E731
        db, day) if r.agreement_id == agreement.id}
    assert set(by_kind(D(2025, 10, 1))) == {("OPENS", "2025Q3")}
    assert set(by_kind(D(2025, 10, 12))) == {("DUE_SOON", "2025Q3")}
    assert by_kind(D(2025, 10, 13)) == {}
    overdue = by_kind(D(2025, 10, 23))[("OVERDUE", "2025Q3")]
    assert (overdue.days_overdue, overdue.weeks_overdue, overdue.locked) == (8, 1, True)
    assert overdue.destination_codes == (DESTINATION,)
    later = by_kind(D(2026, 2, 1))
    assert later[("OVERDUE", "2025Q3")].later_overdue == 1  # 2025Q4 is overdue too
    workflow.submit(db, dest, agreement.id, Q3, at=dt.datetime(2025, 10, 14, tzinfo=dt.UTC))
    assert ("OVERDUE", "2025Q3") not in by_kind(D(2025, 10, 23))


def test_timeliness_counts_due_quarters_and_first_submissions(db, setting):
    agreement, dest, src, _admin = setting
    # 2025Q1 submitted 04-10 (on time), Q2 07-20 (late: timely 07-15); Q3 submitted 10-20 late
    _close(db, agreement, Q3, dest, src, dt.datetime(2025, 10, 20, 2, tzinfo=dt.UTC))
    rows = timeliness.timeliness(db, SYSTEM, 2025, D(2026, 1, 10),
                                 destination_code=DESTINATION)
    row = next(r for r in rows if r.agreement_id == agreement.id)
    assert (row.rates.due, row.rates.reported, row.rates.on_time) == (3, 3, 1)  # Q4 not yet due
    assert (str(row.reporting_percent), str(row.on_time_percent)) == ("100.0", "33.3")
    later = next(r for r in timeliness.timeliness(db, SYSTEM, 2025, D(2026, 1, 16))
                 if r.agreement_id == agreement.id)
    assert (later.rates.due, later.rates.reported) == (4, 3)
    assert str(later.reporting_percent) == "75.0"
    assert not [r for r in timeliness.timeliness(db, SYSTEM, 2025, D(2026, 1, 16),
                                                 destination_code=SOURCE)
                if r.agreement_id == agreement.id]


def test_the_regional_report_prints_the_timeliness_and_still_verifies(db, setting):
    from app.services.reporting import issuing
    from tests.integration.report_helpers import pdf_text

    agreement, dest, src, _admin = setting
    _close(db, agreement, Q3, dest, src, dt.datetime(2025, 10, 20, 2, tzinfo=dt.UTC))
    report = issuing.issue(db, SYSTEM, "region", DESTINATION, Q3)
    text = pdf_text(report.content.pdf)
    assert "Timeliness (2025)" in text
    # 2025Q1–Q3 all due for the 2025Q3 report: 3 submitted, only Q1 on time.
    assert "33.3 %" in text and "100.0 %" in text
    assert issuing.verify(db, report.content.pdf).is_valid
    again = issuing.draft(db, SYSTEM, "region", DESTINATION, Q3)
    assert again.fingerprint == report.fingerprint  # the same data, whatever today's date
