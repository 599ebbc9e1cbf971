"""The audit trail's pages: a list that reads only the start of each entry's changes, and one
page per entry with every changed value in full."""

from __future__ import annotations

import html
import json
import re

from sqlalchemy import select

from app.domain.codes import Role
from app.models import AuditEntry
from app.services.access import audit
from tests.factories import make_fund, make_user
from tests.integration.report_helpers import build_world
from tests.web.helpers import client_of, text_of

LONG_NAME = "长名称基金" * 30  # 150 characters: longer than the preview set below


def _entry_of(db, code: str) -> AuditEntry:
    fund_id = db.scalar(select(AuditEntry.entity_id).where(
        AuditEntry.entity == "funds", AuditEntry.changes.contains(code)))
    return db.scalars(select(AuditEntry).where(AuditEntry.entity == "funds",
                                               AuditEntry.entity_id == fund_id,
                                               AuditEntry.action == "INSERT")).one()


def _row_of(response, seq: int) -> str:
    page = text_of(response)
    start = page.index(f'href="/audit/{seq}">{seq}</a>')
    return page[start:page.index("</tr>", start)]


def test_an_entry_longer_than_the_preview_links_to_its_page_instead_of_being_read(
        app, db, monkeypatch):
    make_fund(db, "AUD-LONG", name=LONG_NAME)
    make_fund(db, "AUD-S", name="短")
    db.commit()
    long_entry, short_entry = _entry_of(db, "AUD-LONG"), _entry_of(db, "AUD-S")
    assert len(long_entry.changes) > len(short_entry.changes)
    monkeypatch.setattr(audit, "PREVIEW_CHARS", len(short_entry.changes))  # the short one fits
    admin = client_of(app, make_user(db, Role.ADMIN))

    listing = admin.get("/audit/?entity=funds&per_page=100")

    assert listing.status_code == 200
    long_row = html.unescape(_row_of(listing, long_entry.seq))
    assert LONG_NAME not in long_row
    assert f"{len(long_entry.changes):,} characters of changes" in long_row
    assert f'href="/audit/{long_entry.seq}"' in long_row
    short_row = html.unescape(_row_of(listing, short_entry.seq))
    assert '<strong title="name">Name</strong>: 短' in short_row
    assert "characters of changes" not in short_row


def test_an_entry_page_shows_every_changed_value_whole(app, db):
    make_fund(db, "AUD-FULL", name=LONG_NAME)
    db.commit()
    entry = _entry_of(db, "AUD-FULL")
    auditor = client_of(app, make_user(db, Role.AUDITOR))

    page = auditor.get(f"/audit/{entry.seq}")

    assert page.status_code == 200
    body = html.unescape(text_of(page))
    assert LONG_NAME in body  # not truncated, and Chinese not escaped
    assert entry.hash in body and entry.prev_hash in body
    fields = re.findall(r'<th scope="row">[^<]+ <code class="raw">([^<]+)</code></th>', body)
    assert fields == sorted(entry.changed_fields)  # each by its label, its raw name beside it


def test_entry_pages_are_for_administrators_and_auditors_only(app, db):
    make_fund(db, "AUD-SCOPE")
    db.commit()
    seq = _entry_of(db, "AUD-SCOPE").seq
    bureau = client_of(app, make_user(db, Role.FINANCE_BUREAU, "441600"))
    admin = client_of(app, make_user(db, Role.ADMIN))

    assert bureau.get(f"/audit/{seq}").status_code == 404
    assert admin.get("/audit/999999999").status_code == 404


def test_a_text_field_holding_json_is_shown_indented(app, db):
    build_world(db)  # closes RA-1's quarter: its statement data is kept as JSON text
    db.commit()
    entry = db.scalars(select(AuditEntry).where(
        AuditEntry.entity == "agreement_quarters",
        AuditEntry.changes.contains("statement_json"))).first()
    stored = json.loads(entry.changed_fields["statement_json"][1])
    auditor = client_of(app, make_user(db, Role.AUDITOR))

    body = html.unescape(text_of(auditor.get(f"/audit/{entry.seq}")))

    assert f'\n  "agreement_code": "{stored["agreement_code"]}",' in body
