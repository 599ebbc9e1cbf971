"""The audit trail in words everywhere: the changes column labels its fields in the user's
language, names ids, labels codes, shows amounts with separators and moments in local time
(Asia/Shanghai); the entry page says the same with the stored values beside them; home's recent
changes are sentences; the export is the list in words."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.domain.codes import Role, TransactionType
from app.models import AuditEntry
from app.services.access.scopes import SYSTEM
from app.services.funds import investments
from tests.factories import call, invest, make_fund, make_project, make_user
from tests.web.helpers import client_of, text_of
from tests.web.test_audit_words import _trail

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _row(page: str, seq: int) -> str:
    row = page[page.index(f'href="/audit/{seq}">'):]
    return row[:row.index("</tr>")]


def _movement(db):
    fund = make_fund(db, "AW-F")
    call(db, fund, "1234567.8", dt.date(2025, 3, 31))
    db.commit()
    return db.scalars(select(AuditEntry).where(AuditEntry.entity == "movements")).one()


def test_the_changes_column_is_in_english_words_with_amounts_and_local_times(app, db):
    entry = _movement(db)
    admin = client_of(app, make_user(db, Role.ADMIN))

    page = html.unescape(text_of(admin.get("/audit/?entity=movements")))
    row = _row(page, entry.seq)

    assert f'<td class="date">{_local(entry.at)}</td>' in row
    assert '<strong title="amount">Amount (yuan)</strong>: 1,234,567.80' in row
    assert '<strong title="fund_id">Fund</strong>: AW-F' in row
    assert '<strong title="type">Type</strong>: Capital call' in row
    assert '<strong title="moved_on">Date</strong>: 2025-03-31' in row
    assert "CAPITAL_CALL" not in row and "fund_id</strong>" not in row
    assert re.search(r'<td class="audit-sentence">tests recorded Capital call: 1,234,567\.80 '
                     r'yuan, AW-F \(AW-F-M\d{5}\)</td>', row), row
    assert "When (UTC)" not in page and "<th>When</th>" in page


def test_the_changes_column_is_in_chinese_words_for_a_chinese_user(app, db):
    entry = _movement(db)
    admin = client_of(app, make_user(db, Role.ADMIN, locale="zh"))

    row = _row(html.unescape(text_of(admin.get("/audit/?entity=movements"))), entry.seq)

    assert '<strong title="amount">金额（元）</strong>: 1,234,567.80' in row
    assert '<strong title="fund_id">基金</strong>: AW-F' in row
    assert '<strong title="type">类型</strong>: 实缴出资' in row
    assert re.search(r"tests 登记了实缴出资：1,234,567\.80 元，AW-F（AW-F-M\d{5}）", row), row
    assert f'<td class="date">{_local(entry.at)}</td>' in row


def test_a_moment_in_the_changes_is_local_never_iso(app, db):
    _trail(db)
    submitted = next(e for e in db.scalars(select(AuditEntry).where(
        AuditEntry.entity == "agreement_quarters")) if "submitted_at" in e.changed_fields)
    stored = json.loads(submitted.changes)["submitted_at"][1]
    admin = client_of(app, make_user(db, Role.ADMIN))

    page = html.unescape(text_of(admin.get("/audit/?entity=agreement_quarters&per_page=100")))
    row = _row(page, submitted.seq)

    assert f"Submitted at</strong>: {_local(dt.datetime.fromisoformat(stored))}" in row
    assert stored not in row and not re.search(r"\d{4}-\d\d-\d\dT\d\d:", row)


def test_the_entry_page_says_it_in_words_with_the_stored_values_beside(app, db):
    _trail(db)
    review = db.scalars(select(AuditEntry).where(AuditEntry.entity == "reviews")).one()
    auditor_id = json.loads(review.changes)["auditor_id"][1]
    admin = client_of(app, make_user(db, Role.ADMIN, locale="zh"))

    body = html.unescape(text_of(admin.get(f"/audit/{review.seq}")))

    assert re.search(r'<p class="audit-sentence">李审 审核了 RA-1 2025Q3：已审核</p>', body)
    assert f"<dd>{_local(review.at)}</dd>" in body
    auditor = re.search(r'<tr><th scope="row">审计人员? <code class="raw">auditor_id</code></th>'
                        r'(.*?)</tr>', body, re.S)
    assert auditor, body[body.index("entry-fields"):][:600]
    assert '<pre class="value">李审</pre>' in auditor.group(1)
    assert f'<pre class="value raw">{auditor_id}</pre>' in auditor.group(1)
    kind = re.search(r'<code class="raw">kind</code></th>(.*?)</tr>', body, re.S).group(1)
    assert "已审核" in kind and "REVIEWED" in kind  # the code as stored, one click from the list


def test_home_shows_recent_changes_as_sentences_in_both_languages(app, db):
    entry = _movement(db)
    for locale, said in (("en", "tests recorded Capital call"), ("zh", "tests 登记了实缴出资")):
        auditor = client_of(app, make_user(db, Role.AUDITOR, locale=locale))
        db.commit()
        page = html.unescape(text_of(auditor.get("/")))
        recent = page[page.index('id="home-recent"'):]
        recent = recent[:recent.index("</table>")]
        assert f'href="/audit/{entry.seq}"' in recent
        assert _local(entry.at)[:16] in recent
        assert said in recent, recent
        assert "INSERT" not in recent and "movements " not in recent


def test_the_audit_export_is_the_list_in_words_with_local_times(app, db):
    entry = _movement(db)
    admin = client_of(app, make_user(db, Role.ADMIN, locale="zh"))
    response = admin.get("/audit/?entity=movements&format=csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    [row] = [r for r in rows[1:] if r[0] == str(entry.seq)]
    assert row[1] == _local(entry.at)
    assert row[4] == "基金资金变动" and row[5] == "movements"
    assert "金额（元）: 1,234,567.80" in row[8].splitlines()
    assert "类型: 实缴出资" in row[8].splitlines()


def test_a_ledger_entry_names_its_investment_by_project_fund_and_instrument(app, db):
    """An investment id in an entry is said as its project, fund and instrument (labelled in
    the reader's language), in the sentence and in the changes column, never as a bare id."""
    fund = make_fund(db, "AW-I")
    position = invest(db, fund, make_project(db, "AW-P"))
    investments.record_transaction(db, SYSTEM, position.id, investments.TransactionData(
        TransactionType.DISBURSEMENT, dt.date(2025, 9, 1), Decimal("2500000.00")))
    db.commit()
    entry = db.scalars(select(AuditEntry).where(
        AuditEntry.entity == "investment_transactions")).one()

    for locale, named, field in (
            ("en", "AW-P of AW-I (Equity)", "Investment"),
            ("zh", "AW-I 在 AW-P 的投资（股权）", "投资")):
        reader = client_of(app, make_user(db, Role.ADMIN, locale=locale))
        row = _row(html.unescape(text_of(reader.get("/audit/?entity=investment_transactions"))),
                   entry.seq)
        sentence = row[row.index('<td class="audit-sentence">'):]
        assert named in sentence[:sentence.index("</td>")], row
        assert f'<strong title="investment_id">{field}</strong>: {named}' in row, row
        assert "EQUITY" not in row, row
