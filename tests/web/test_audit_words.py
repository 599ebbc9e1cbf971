"""The audit trail in words: who did what, with names for ids and labels for codes, in the
user's language; the raw entry stays one click away."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from app.domain.codes import ReviewKind, Role
from app.domain.quarter import Quarter
from app.models import AuditEntry, Region, set_actor
from app.services.sharing import workflow
from tests.factories import actor_of, make_user
from tests.integration.report_helpers import build_world
from tests.integration.sharing_factories import observe
from tests.integration.sharing_helpers import SOURCE
from tests.web.helpers import client_of, text_of

Q = Quarter.parse("2025Q3")


def _as(db, user) -> None:
    set_actor(db, user.id, user.email)


def _trail(db):
    """A quarter's life: a bureau corrects a figure, submits, the source confirms, an auditor
    reviews."""
    world = build_world(db, close=False)
    world.dest_user.name, world.src_user.name = "王芳", "张敏"
    auditor = make_user(db, Role.AUDITOR)
    auditor.name = "李审"
    db.flush()
    _as(db, world.dest_user)
    observe(db, "2025Q3", {("RP-1", "TAX_LOCAL"): "1250"}, actor=world.dest)
    aq = workflow.submit(db, world.dest, world.agreement.id, Q)
    _as(db, world.src_user)
    workflow.confirm(db, world.src, world.agreement.id, Q, SOURCE, aq.fingerprint)
    _as(db, auditor)
    workflow.review(db, actor_of(db, auditor), world.agreement.id, Q, ReviewKind.REVIEWED, "ok")
    db.commit()
    return world


def _sentences(response) -> list[str]:
    return [html.unescape(re.sub(r"\s+", " ", s)).strip() for s in re.findall(
        r'<td class="audit-sentence">(.*?)</td>', text_of(response), re.S)]


def test_the_trail_says_what_happened_in_english(app, db):
    _trail(db)
    source = db.scalar(select(Region.name).where(Region.code == SOURCE))
    admin = client_of(app, make_user(db, Role.ADMIN))

    said = _sentences(admin.get("/audit/?per_page=100"))

    assert "王芳 changed RP-1 TAX_LOCAL 2025Q3 from 100.01 to 1,250.00" in said
    assert f"张敏 confirmed 2025Q3 for {source}" in said
    assert "李审 reviewed RA-1 2025Q3: Reviewed" in said
    assert "王芳 moved RA-1 2025Q3 from Open to Submitted" in said
    assert "tests created RF-1 (Funds)" in said
    assert "王芳 opened RA-1 2025Q3 as Open" in said
    assert not any("REVIEWED" in s or "auditor_id" in s for s in said)


def test_the_trail_says_what_happened_in_chinese(app, db):
    _trail(db)
    source = db.scalar(select(Region.name).where(Region.code == SOURCE))
    admin = client_of(app, make_user(db, Role.ADMIN, locale="zh"))

    page = admin.get("/audit/?per_page=100")
    said = _sentences(page)

    assert "王芳 将 RP-1 TAX_LOCAL 2025Q3 从 100.01 改为 1,250.00" in said
    assert f"张敏 确认了 {source} 的 2025Q3" in said
    assert "李审 审核了 RA-1 2025Q3：已审核" in said
    assert "王芳 将 RA-1 2025Q3 从 填报中 改为 已提交" in said
    assert '<option value="observations">观测数据</option>' in text_of(page)


def test_the_changes_name_their_ids_and_codes_and_the_raw_entry_is_one_click_away(app, db):
    _trail(db)
    review = db.scalars(select(AuditEntry).where(AuditEntry.entity == "reviews")).one()
    admin = client_of(app, make_user(db, Role.ADMIN))

    page = html.unescape(text_of(admin.get("/audit/?entity=reviews")))

    row = page[page.index(f'href="/audit/{review.seq}">'):]
    row = row[:row.index("</tr>")]
    assert '<strong title="auditor_id">Auditor</strong>: 李审' in row
    assert '<strong title="kind">Kind</strong>: Reviewed' in row
    assert '<strong title="agreement_quarter_id">Agreement quarter</strong>: RA-1 2025Q3' in row
    assert "auditor_id</strong>: 6" not in row and "REVIEWED" not in row
    raw = html.unescape(text_of(admin.get(f"/audit/{review.seq}")))
    assert "REVIEWED" in raw and '<code class="raw">auditor_id</code>' in raw
    assert re.search(r'<option value="reviews"[^>]*>Reviews</option>', page)
