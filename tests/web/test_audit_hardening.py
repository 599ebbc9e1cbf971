"""Audit trail hardening (issue 12): an entry whose stored changes are no longer JSON is reported
as altered by ``audit verify`` and ``/audit/verify`` (never a traceback or a 500); refused API
tokens cannot grow the trail without limit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from app.domain.codes import Role
from app.models import AuditEntry, RefusalCounter
from app.services.access import refusals
from app.services.access.audit import verify_chain
from tests.cli.running import run_command
from tests.factories import make_fund, make_user
from tests.web.helpers import client_of, text_of


def _break_the_json_of_the_newest_entry(db) -> int:
    seq = db.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
    db.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(changes='{"code": ["'))
    db.expire_all()
    return seq


def test_changes_that_are_not_json_are_reported_as_altered(db):
    make_fund(db, "JSON-1")
    seq = _break_the_json_of_the_newest_entry(db)
    report = verify_chain(db)
    assert (report.is_intact, report.broken_at) == (False, seq)
    assert f"entry {seq} was altered" in report.problem


def test_the_cli_and_the_web_report_the_entry_as_altered(app, runner, db):
    admin = make_user(db, Role.ADMIN)
    db.commit()
    client = client_of(app, admin)
    make_fund(db, "JSON-2")
    seq = _break_the_json_of_the_newest_entry(db)
    result = run_command(app, runner, "audit", "verify")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"entry {seq} was altered" in result.output
    page = client.get("/audit/verify")
    assert page.status_code == 200
    assert f"entry {seq} was altered" in text_of(page)
    assert client.get(f"/audit/{seq}").status_code == 200  # the entry's page shows it as stored


def test_a_thousand_refused_tokens_write_a_bounded_number_of_rows(app, client, db):
    """Refused credentials are counted per source and minute outside the chain: one audit entry
    per source and minute, and 429 with Retry-After once a source is refused too often. The run
    may span several clock minutes on a busy machine: the bounds are per minute spanned."""
    entries_before = db.scalar(select(func.count()).select_from(AuditEntry))
    statuses = []
    started = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    for n in range(1000):
        response = client.get("/api/v1/funds", headers={"Authorization": f"Bearer tlk_guess{n}"})
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert 1 <= int(response.headers["Retry-After"]) <= 60
    ended = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    spanned = int((ended - started).total_seconds() // 60) + 1
    db.expire_all()
    minutes = db.scalar(select(func.count()).select_from(RefusalCounter))
    assert 1 <= minutes <= spanned
    assert db.scalar(select(func.sum(RefusalCounter.refused))) == 1000
    assert db.scalar(select(func.count()).select_from(AuditEntry)) - entries_before == minutes
    assert statuses.count(401) <= minutes * refusals.REFUSALS_PER_MINUTE
    assert statuses.count(429) == 1000 - statuses.count(401)
    assert statuses.count(429) >= 1000 - spanned * refusals.REFUSALS_PER_MINUTE
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
    assert entry.action == "TOKEN_REFUSED"
    assert "refused_in_previous_minute" in entry.changed_fields


def test_over_the_limit_stays_429_when_the_answer_is_composed_in_the_next_minute():
    """The 401-or-429 decision is made on the minute the refusal was counted in: the 21st
    refusal counted at 12:00:59.999 is a 429 even when the response is built at 12:01:00.001
    (that minute's count is still zero), and it waits at least a second."""
    minute = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)
    limit = refusals.REFUSALS_PER_MINUTE
    late = minute + dt.timedelta(minutes=1, milliseconds=1)
    assert refusals.Refusal(limit + 1, minute).retry_after(limit, now=late) == 1
    assert refusals.Refusal(limit, minute).retry_after(limit, now=late) is None
    assert refusals.Refusal(limit + 1, minute).retry_after(
        limit, now=minute + dt.timedelta(seconds=15, milliseconds=500)) == 45
