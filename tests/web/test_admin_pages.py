"""User administration: adding users with grants typed one per line, editing them safely."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.domain.codes import Role
from app.models import User
from app.services.access import users
from tests.factories import make_fund, make_user, sign_in
from tests.web.helpers import client_of, count, errors_beside, form_alerts, text_of


@pytest.fixture
def admin(app, db):
    """An administrator's signed-in client."""
    user = make_user(db, Role.ADMIN)
    db.commit()
    return client_of(app, user)


def _grants_of(db, email: str) -> list[tuple[str, str | None]]:
    db.expire_all()
    user = db.scalars(select(User).where(User.email == email)).one()
    return [(g.role, g.fund.code if g.fund else g.region.code if g.region else None)
            for g in users.get_user(db, user.id).grants]


def _new_user(**overrides) -> dict[str, str]:
    form = {"email": "ju.min@example.cn", "name": "鞠敏", "password": "a long first password",
            "grants": "FINANCE_BUREAU 440300\r\n  auditor  \r\n"}
    form.update(overrides)
    return form


def test_an_admin_adds_a_user_with_grants_typed_one_per_line(app, db, admin):
    fund = make_fund(db, sponsor="440300")
    db.commit()
    response = admin.post("/admin/users/new", data=_new_user(
        grants=f"FINANCE_BUREAU 440300\r\n\r\nAUDITOR\r\nFUND_MANAGER {fund.code}"))
    assert response.status_code == 302
    assert _grants_of(db, "ju.min@example.cn") == [
        ("FINANCE_BUREAU", "440300"), ("AUDITOR", None), ("FUND_MANAGER", fund.code)]
    assert "ju.min@example.cn" in text_of(admin.get("/admin/users"))
    newcomer = app.test_client()
    assert sign_in(newcomer, "ju.min@example.cn", "a long first password").status_code == 302
    assert newcomer.get(f"/funds/{fund.id}").status_code == 200


@pytest.mark.parametrize("grants,field,message", [
    ("FINANCE_BUREAU 440300\r\nKING 1", "grants", "line 2"),
    ("AUDITOR 440300 extra", "grants", 'line 1: "AUDITOR 440300 extra" has more than'),
])
def test_a_bad_grant_line_is_refused_naming_the_line(app, db, admin, grants, field, message):
    before = count(db, User)
    response = admin.post("/admin/users/new", data=_new_user(grants=grants))
    assert response.status_code == 422
    [error] = errors_beside(response, field)
    assert message in error
    assert count(db, User) == before


def test_the_bad_role_line_says_what_was_typed(app, db, admin):
    response = admin.post("/admin/users/new", data=_new_user(grants="KING 1"))
    [error] = errors_beside(response, "grants")
    assert error.startswith("line 1:") and "KING" in error


@pytest.mark.parametrize("grants,message", [
    ("FINANCE_BUREAU 999999", 'no region has the code "999999"'),
    ("FUND_MANAGER NO-SUCH-FUND", 'no fund has the code "NO-SUCH-FUND"'),
    ("FINANCE_BUREAU", "a finance bureau's scope is a region code"),
])
def test_a_grant_naming_an_unknown_scope_is_refused_and_nothing_written(
        app, db, admin, grants, message):
    before = count(db, User)
    response = admin.post("/admin/users/new", data=_new_user(grants=grants))
    assert response.status_code == 422
    assert any(message in alert for alert in form_alerts(response)), form_alerts(response)
    assert count(db, User) == before


def _version_on(response) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', text_of(response)).group(1)


def _someone_else_sets(db, user, grants, is_active=True) -> None:
    fresh = users.get_user(db, user.id)
    users.set_grants(db, user.id, fresh.version, grants, is_active)
    db.commit()


def test_saving_a_user_someone_else_disabled_meanwhile_shows_a_conflict(app, db, admin):
    user = make_user(db, Role.FINANCE_BUREAU, "440300")
    db.commit()
    seen = _version_on(admin.get(f"/admin/users/{user.id}"))
    _someone_else_sets(db, user, [users.GrantSpec(Role.FINANCE_BUREAU, "440300")], False)
    response = admin.post(f"/admin/users/{user.id}", data={
        "version": seen, "grants": "AUDITOR", "is_active": "y"})
    assert response.status_code == 422
    assert any("changed by someone else" in a for a in form_alerts(response))
    assert _grants_of(db, user.email) == [("FINANCE_BUREAU", "440300")]
    assert db.get(User, user.id).is_active is False


def test_saving_grants_someone_else_changed_meanwhile_shows_a_conflict(app, db, admin):
    user = make_user(db, Role.FINANCE_BUREAU, "440300")
    db.commit()
    seen = _version_on(admin.get(f"/admin/users/{user.id}"))
    _someone_else_sets(db, user, [users.GrantSpec(Role.FINANCE_BUREAU, "441600")])
    response = admin.post(f"/admin/users/{user.id}", data={
        "version": seen, "grants": "AUDITOR", "is_active": "y"})
    assert response.status_code == 422
    assert any("changed by someone else" in a for a in form_alerts(response))
    assert _grants_of(db, user.email) == [("FINANCE_BUREAU", "441600")]


def test_an_admin_edits_grants_and_disables_a_user_whose_session_then_ends(app, db, admin):
    user = make_user(db, Role.FINANCE_BUREAU, "440300")
    db.commit()
    theirs = client_of(app, user)
    page = admin.get(f"/admin/users/{user.id}")
    response = admin.post(f"/admin/users/{user.id}", data={
        "version": _version_on(page), "grants": "AUDITOR 441600"})  # box unticked: disabled
    assert response.status_code == 302
    assert _grants_of(db, user.email) == [("AUDITOR", "441600")]
    assert theirs.get("/funds/").status_code == 302
    assert sign_in(app.test_client(), user).status_code == 422


def test_the_edit_page_shows_the_users_grants_one_per_line(app, db, admin):
    fund = make_fund(db)
    user = make_user(db, Role.FUND_MANAGER, fund.code)
    users.set_grants(db, user.id, user.version, [
        users.GrantSpec(Role.FUND_MANAGER, fund_code=fund.code),
        users.GrantSpec(Role.FINANCE_BUREAU, "440300"), users.GrantSpec(Role.AUDITOR)], True)
    db.commit()
    textarea = re.search(r'<textarea[^>]*name="grants"[^>]*>(.*?)</textarea>',
                         text_of(admin.get(f"/admin/users/{user.id}")), re.S).group(1)
    assert textarea.split() == ["FUND_MANAGER", fund.code, "FINANCE_BUREAU", "440300", "AUDITOR"]


def test_the_grants_hint_shows_each_role_with_an_example_scope(app, db, admin):
    body = text_of(admin.get("/admin/users/new"))
    for example in ("FUND_MANAGER HF-01", "FINANCE_BUREAU 440300", "AUDITOR 440300"):
        assert example in body


def test_an_unknown_user_id_is_404_for_an_admin(admin):
    assert admin.get("/admin/users/999999").status_code == 404


@pytest.mark.parametrize("locale,unknown,extra", [
    ("en", 'line 1: "KING" is not a role; the roles are ADMIN (', "has more than"),
    ("zh", "第 1 行：“KING”不是角色", "除角色和范围外还有其他内容"),
])
def test_every_bad_grant_line_is_reported_at_once_in_the_users_language(
        app, db, locale, unknown, extra):
    admin = client_of(app, make_user(db, Role.ADMIN, locale=locale))
    response = admin.post("/admin/users/new", data=_new_user(
        grants="KING 1\r\nAUDITOR 440300 extra\r\nAUDITOR"))
    assert response.status_code == 422
    errors = errors_beside(response, "grants")
    assert len(errors) == 2, errors
    assert unknown in errors[0] and extra in errors[1]


def test_every_unknown_scope_and_a_bad_password_are_reported_at_once(app, db, admin):
    before = count(db, User)
    response = admin.post("/admin/users/new", data=_new_user(
        password="short", grants="FINANCE_BUREAU 999999\r\nFUND_MANAGER NO-SUCH-FUND"))
    assert response.status_code == 422
    alerts = " ".join(form_alerts(response)) + " ".join(errors_beside(response, "password"))
    for message in ('no region has the code "999999"', 'no fund has the code "NO-SUCH-FUND"',
                    "at least"):
        assert message in alerts, alerts
    assert count(db, User) == before
