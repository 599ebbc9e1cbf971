"""The bell, the inbox (filters, pages, mark read, following an item), the e-mail preference on
the profile page, the API's own notifications, and the failed deliveries page."""

from __future__ import annotations

import re

import pytest

from app.domain.codes import ReviewKind, Role
from app.domain.quarter import Quarter
from app.models import Notification, User
from app.services.notifications import inbox
from app.services.notifications.outbox import Event, raise_event
from app.services.sharing import workflow
from tests.factories import actor_of, make_user
from tests.integration.sharing_helpers import Setting
from tests.web.api_helpers import call_api, token_for
from tests.web.helpers import client_of, text_of

Q1 = Quarter(2026, 1)


@pytest.fixture
def s(db):
    return Setting(db)


def _bell(html: str) -> str | None:
    match = re.search(r'class="badge" data-unread="(\d+)"', html)
    return match.group(1) if match else None


def test_the_bell_counts_unread_items_and_the_inbox_lists_them(app, db, s):
    reader = client_of(app, s.src_user)
    assert _bell(text_of(reader.get("/"))) is None
    workflow.submit(db, s.dest, s.id, Q1)
    auditor = actor_of(db, make_user(db, Role.AUDITOR))
    workflow.review(db, auditor, s.id, Q1, ReviewKind.QUERY, "Where is the receipt?")
    db.commit()
    assert _bell(text_of(reader.get("/"))) == "2"
    page = text_of(reader.get("/notifications"))
    assert "WF 2026Q1 was submitted" in page and "Where is the receipt?" in page
    assert "Auditor&#39;s query on WF 2026Q1" in page
    only_queries = text_of(reader.get("/notifications?kind=query_raised"))
    assert "Where is the receipt?" in only_queries and "was submitted" not in only_queries


def test_following_an_item_marks_it_read_and_goes_where_the_action_is(app, db, s):
    workflow.submit(db, s.dest, s.id, Q1)
    db.commit()
    [item] = db.query(Notification).filter_by(user_id=s.src_user.id).all()
    reader = client_of(app, s.src_user)
    response = reader.get(f"/notifications/{item.id}/go")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/agreements/{s.id}/quarters/2026Q1/"
    assert reader.get(response.headers["Location"]).status_code == 200
    db.expire_all()
    assert db.get(Notification, item.id).read_at is not None
    assert _bell(text_of(reader.get("/"))) is None
    assert "WF 2026Q1 was submitted" not in text_of(reader.get("/notifications"))
    assert "WF 2026Q1 was submitted" in text_of(reader.get("/notifications?show=all"))
    # Someone else's item is not found, and not marked.
    other = client_of(app, s.dest_user)
    assert other.get(f"/notifications/{item.id}/go").status_code == 404
    assert other.post(f"/notifications/{item.id}/read").status_code == 404


def test_mark_read_and_mark_all_read(app, db, s):
    workflow.submit(db, s.dest, s.id, Q1)
    auditor = actor_of(db, make_user(db, Role.AUDITOR))
    workflow.review(db, auditor, s.id, Q1, ReviewKind.QUERY, "Q?")
    db.commit()
    first, _second = db.query(Notification).filter_by(user_id=s.src_user.id).order_by(
        Notification.id).all()
    reader = client_of(app, s.src_user)
    assert reader.post(f"/notifications/{first.id}/read").status_code == 302
    assert inbox.unread_count(db, s.src_user.id) == 1
    assert reader.post("/notifications/read-all").status_code == 302
    assert inbox.unread_count(db, s.src_user.id) == 0


def test_the_inbox_pages_by_keyset(app, db, s):
    for number in range(60):
        raise_event(db, Event("query_answered", f"test:{number}",
                              {"agreement": "WF", "quarter": "2026Q1", "actor": "x",
                               "answer": f"answer {number:02d}"}, "/"), {s.src_user.id})
    db.commit()
    reader = client_of(app, s.src_user)
    first = text_of(reader.get("/notifications"))
    assert "answer 59" in first and "answer 10" in first and "answer 09" not in first
    cursor = re.search(r'rel="next" href="[^"]*cursor=([^"&]+)', first).group(1)
    second = text_of(reader.get(f"/notifications?cursor={cursor}"))
    assert "answer 09" in second and "answer 10" not in second
    assert "is not a position" in text_of(reader.get("/notifications?cursor=nonsense"))


def test_the_inbox_and_bell_in_chinese(app, db, s):
    reader = client_of(app, s.src_user)
    reader.post("/language", data={"locale": "zh", "next": "/"})
    workflow.submit(db, s.dest, s.id, Q1)
    db.commit()
    page = text_of(reader.get("/notifications"))
    assert "通知" in page and "WF 2026Q1 已提交" in page and "全部标为已读" in page


def test_the_profile_page_sets_how_notifications_come_by_email(app, db, s):
    reader = client_of(app, s.src_user)
    assert 'value="EACH" checked' in text_of(reader.get("/profile"))
    assert reader.post("/profile/email", data={"email_mode": "DIGEST"}).status_code == 302
    db.expire_all()
    assert db.get(User, s.src_user.id).email_mode == "DIGEST"
    refused = reader.post("/profile/email", data={"email_mode": "HOURLY"},
                          follow_redirects=True)
    assert "Notifications by e-mail: choose one of the offered options." in text_of(refused)
    db.expire_all()
    assert db.get(User, s.src_user.id).email_mode == "DIGEST"


def test_the_api_lists_only_ones_own_notifications_and_marks_them_read(client, db, s):
    workflow.submit(db, s.dest, s.id, Q1)
    token, other = token_for(db, s.src_user), token_for(db, s.dest_user)
    db.commit()
    listed = call_api(client, "GET", "/api/v1/notifications?show=unread", token).get_json()
    [item] = listed["items"]
    assert item["kind"] == "quarter_submitted" and item["subject"] == "WF 2026Q1 was submitted"
    assert item["link"] == f"/agreements/{s.id}/quarters/2026Q1/" and item["read_at"] is None
    assert call_api(client, "GET", "/api/v1/notifications", other).get_json()["items"] == []
    assert call_api(client, "POST", f"/api/v1/notifications/{item['id']}/read",
                    other).status_code == 404
    marked = call_api(client, "POST", f"/api/v1/notifications/{item['id']}/read", token)
    assert marked.status_code == 200 and marked.get_json()["read_at"] is not None
    assert call_api(client, "GET", "/api/v1/notifications?show=unread",
                    token).get_json()["items"] == []
    assert call_api(client, "POST", "/api/v1/notifications/read-all",
                    token).get_json() == {"marked": 0}
    bad = call_api(client, "GET", "/api/v1/notifications?kind=nope", token)
    assert bad.status_code == 422
    assert [e["field"] for e in bad.get_json()["errors"]] == ["kind"]


def test_failed_deliveries_are_for_administrators_only(app, db, s):
    assert client_of(app, s.src_user).get("/admin/notifications/failed").status_code == 404
    admin = client_of(app, make_user(db, Role.ADMIN))
    assert "No failed deliveries." in text_of(admin.get("/admin/notifications/failed"))
