"""API tokens may expire: given on the profile page, shown in the list, refused like a revoked
token (401) once past."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, update

from app.domain.codes import Role
from app.models import ApiToken, AuditEntry
from app.services.access import tokens
from tests.factories import make_user
from tests.web.api_helpers import call_api, make_holding, problem_of
from tests.web.helpers import client_of, count, errors_beside, text_of

_SECRET = re.compile(r'id="new-token">(tlk_[^<]+)<')


def test_a_token_past_its_expiry_gets_the_same_401_as_a_revoked_one(app, client, db):
    holding = make_holding(db)
    created = tokens.create_token(db, holding.manager.id, "ERP", expires_days=30)
    db.commit()
    url = f"/api/v1/funds/{holding.fund.id}"
    assert call_api(client, "GET", url, created.secret).status_code == 200
    revoked = db.scalar(select(ApiToken).where(ApiToken.token_hash == tokens.hash_secret(
        holding.token)))
    tokens.revoke_token(db, holding.manager.id, revoked.id)
    db.execute(update(ApiToken).where(ApiToken.id == created.token.id).values(
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    db.commit()
    expired, was_revoked = (call_api(client, "GET", url, created.secret),
                            call_api(client, "GET", url, holding.token))
    assert expired.status_code == was_revoked.status_code == 401
    assert problem_of(expired) == problem_of(was_revoked)
    db.expire_all()
    refusal = db.scalars(select(AuditEntry).where(AuditEntry.action == "TOKEN_REFUSED")
                         .order_by(AuditEntry.seq.desc())).all()
    assert "expired token" in [e.changed_fields["reason"] for e in refusal]


def test_the_profile_page_gives_an_expiry_and_lists_it(app, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    client = client_of(app, user)
    response = client.post("/profile/tokens", data={"tok-name": "BI", "tok-expires_days": "90"})
    assert response.status_code == 201
    row = db.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    lasting = row.expires_at - row.created_at
    assert dt.timedelta(days=90) - dt.timedelta(minutes=1) < lasting <= dt.timedelta(days=90)
    page = text_of(client.get("/profile"))
    assert row.expires_at.strftime("%Y-%m-%d %H:%M") + " UTC" in page
    db.execute(update(ApiToken).where(ApiToken.id == row.id).values(
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1)))
    db.commit()
    assert ">expired<" in text_of(client.get("/profile"))


def test_a_token_without_expiry_says_never(app, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    client = client_of(app, user)
    assert client.post("/profile/tokens", data={"tok-name": "BI"}).status_code == 201
    assert ">never<" in text_of(client.get("/profile"))


def test_a_bad_expiry_is_refused_beside_its_field_and_makes_no_token(app, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    client = client_of(app, user)
    before = count(db, ApiToken)
    for days in ("0", "-3", "100000", "soon"):
        response = client.post("/profile/tokens", data={"tok-name": "BI",
                                                        "tok-expires_days": days})
        assert response.status_code == 422, days
        assert errors_beside(response, "tok-expires_days"), days
        assert not _SECRET.search(text_of(response))
    assert count(db, ApiToken) == before
