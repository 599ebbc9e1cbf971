"""User administration: roles picked from a list, scopes found by code or name (regions, funds),
every error of a submit reported at once in the user's language, edits safe against races."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.domain.codes import Role
from app.models import User
from app.services.access import users
from tests.factories import make_fund, make_user, sign_in
from tests.web.helpers import (
    all_field_errors,
    client_of,
    count,
    errors_beside,
    form_alerts,
    text_of,
)


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


def _rows(*grants: tuple[str, str]) -> dict[str, str]:
    """Grant rows as the form posts them, then a blank row (left out by the server)."""
    data = {}
    for n, (role, scope) in enumerate([*grants, ("", "")]):
        data[f"grants-{n}-role"], data[f"grants-{n}-scope"] = role, scope
    return data


def _new_user(*grants: tuple[str, str], **overrides) -> dict[str, str]:
    form = {"email": "ju.min@example.cn", "name": "鞠敏", "password": "a long first password",
            **_rows(*(grants or [("FINANCE_BUREAU", "440300"), ("AUDITOR", "")]))}
    form.update(overrides)
    return form


def test_an_admin_adds_a_user_with_roles_picked_and_scopes_by_code(app, db, admin):
    fund = make_fund(db, sponsor="440300")
    db.commit()
    response = admin.post("/admin/users/new", data=_new_user(
        ("FINANCE_BUREAU", "440300"), ("", ""), ("AUDITOR", ""), ("FUND_MANAGER", fund.code)))
    assert response.status_code == 302
    assert _grants_of(db, "ju.min@example.cn") == [
        ("FINANCE_BUREAU", "440300"), ("AUDITOR", None), ("FUND_MANAGER", fund.code)]
    assert "ju.min@example.cn" in text_of(admin.get("/admin/users"))
    newcomer = app.test_client()
    assert sign_in(newcomer, "ju.min@example.cn", "a long first password").status_code == 302
    assert newcomer.get(f"/funds/{fund.id}").status_code == 200


def test_without_the_script_a_scope_is_typed_as_a_code_with_its_name_or_an_exact_name(
        app, db, admin):
    fund = make_fund(db, sponsor="440300")
    db.commit()
    response = admin.post("/admin/users/new", data=_new_user(
        ("FINANCE_BUREAU", "441600 河源市"), ("AUDITOR", "深圳市"),
        ("FUND_MANAGER", fund.name)))
    assert response.status_code == 302, all_field_errors(response)
    assert _grants_of(db, "ju.min@example.cn") == [
        ("FINANCE_BUREAU", "441600"), ("AUDITOR", "440300"), ("FUND_MANAGER", fund.code)]


@pytest.mark.parametrize("locale,labels", [
    ("en", ["— no role —", "Administrator", "Fund manager", "Finance bureau", "Auditor"]),
    ("zh", ["— 无角色 —", "管理员", "基金管理人", "财政局", "审计"]),
])
def test_roles_are_a_picker_named_in_the_users_language(app, db, locale, labels):
    admin = client_of(app, make_user(db, Role.ADMIN, locale=locale))
    page = text_of(admin.get("/admin/users/new"))
    select_ = re.search(r'<select[^>]*name="grants-0-role".*?</select>', page, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", select_) == labels
    assert 'value="FINANCE_BUREAU"' in select_
    scope = re.search(r'<input[^>]*name="grants-0-scope"[^>]*>', page).group(0)
    assert 'data-lookup="/lookup/regions"' in scope and 'data-lookup-funds="/lookup/funds"' in scope
    assert 'for="grants-0-scope"' in page and 'for="grants-0-role"' in page


def test_a_refused_submit_keeps_every_row_and_reports_every_error_at_once(app, db, admin):
    before = count(db, User)
    response = admin.post("/admin/users/new", data=_new_user(
        ("KING", "1"), ("FINANCE_BUREAU", "999999"), ("", "440300"),
        ("FUND_MANAGER", "NO-SUCH-FUND"), ("FINANCE_BUREAU", ""), ("ADMIN", "440300"),
        email="not-an-address", password="short"))
    assert response.status_code == 422
    errors = all_field_errors(response)
    assert any('"KING" is not a role' in e for e in errors["grants-0-role"])
    assert errors["grants-1-scope"] == ['no region has the code "999999"']
    assert errors["grants-2-role"] == ["choose a role for this scope"]
    assert errors["grants-3-scope"] == ['no fund has the code "NO-SUCH-FUND"']
    assert errors["grants-4-scope"] == ["a finance bureau's scope is a region code"]
    assert errors["grants-5-scope"] == [
        "an administrator's scope is everything: leave the scope blank"]
    assert any("is not an e-mail address" in e for e in errors["email"])
    assert any("at least 10 characters" in e for e in errors["password"])
    summary = " ".join(form_alerts(response))
    for label in ("Role 1", "Scope 2", "Role 3", "Scope 4", "Scope 5", "Scope 6", "E-mail",
                  "Initial password"):
        assert label in summary, summary
    assert "8 things to fix" in summary
    page = text_of(response)
    assert 'name="grants-3-scope" type="text" value="NO-SUCH-FUND"' in page or \
        re.search(r'name="grants-3-scope"[^>]*value="NO-SUCH-FUND"', page)
    assert count(db, User) == before


def test_a_blank_form_asks_for_a_role(app, db, admin):
    response = admin.post("/admin/users/new", data=_new_user(("", "")))
    assert response.status_code == 422
    assert "choose at least one role" in text_of(response)


@pytest.mark.parametrize("locale,unknown,scope", [
    ("en", "\"KING\" is not a role; choose one of Administrator, Fund manager, Finance bureau, "
     "Auditor",
     'no region has the code "999999"'),
    ("zh", "“KING”不是角色；请从以下角色中选择：管理员、基金管理人、财政局、审计",
     "没有代码为“999999”的地区"),
])
def test_an_unknown_role_and_scope_are_reported_in_the_users_language(
        app, db, locale, unknown, scope):
    admin = client_of(app, make_user(db, Role.ADMIN, locale=locale))
    response = admin.post("/admin/users/new", data=_new_user(
        ("KING", ""), ("AUDITOR", "999999")))
    assert response.status_code == 422
    assert errors_beside(response, "grants-0-role") == [unknown]
    assert errors_beside(response, "grants-1-scope") == [scope]
    if locale == "zh":
        assert "is not a role" not in text_of(response)
        assert "有 2 处需要修改" in text_of(response)


def test_the_fund_lookup_finds_funds_by_code_or_name_within_the_users_scope(app, db, admin):
    mine = make_fund(db, "LK-01", sponsor="440300")
    other = make_fund(db, "LK-02", sponsor="441600")
    db.commit()
    assert [r["code"] for r in admin.get("/lookup/funds?q=LK-").json["results"]] == [
        "LK-01", "LK-02"]
    assert admin.get(f"/lookup/funds?q={other.name}").json["results"][0]["code"] == "LK-02"
    manager = client_of(app, make_user(db, Role.FUND_MANAGER, mine.code))
    assert [r["code"] for r in manager.get("/lookup/funds?q=LK-").json["results"]] == ["LK-01"]
    assert app.test_client().get("/lookup/funds?q=LK").status_code == 302


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
        "version": seen, **_rows(("AUDITOR", "")), "is_active": "y"})
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
        "version": seen, **_rows(("AUDITOR", "")), "is_active": "y"})
    assert response.status_code == 422
    assert any("changed by someone else" in a for a in form_alerts(response))
    assert _grants_of(db, user.email) == [("FINANCE_BUREAU", "441600")]


def test_an_admin_edits_grants_and_disables_a_user_whose_session_then_ends(app, db, admin):
    user = make_user(db, Role.FINANCE_BUREAU, "440300")
    db.commit()
    theirs = client_of(app, user)
    page = admin.get(f"/admin/users/{user.id}")
    response = admin.post(f"/admin/users/{user.id}", data={
        "version": _version_on(page), **_rows(("AUDITOR", "441600"))})  # box unticked
    assert response.status_code == 302
    assert _grants_of(db, user.email) == [("AUDITOR", "441600")]
    assert theirs.get("/funds/").status_code == 302
    assert sign_in(app.test_client(), user).status_code == 422


def test_the_edit_page_shows_a_row_per_grant_with_the_scopes_name_then_blank_rows(
        app, db, admin):
    fund = make_fund(db)
    user = make_user(db, Role.FUND_MANAGER, fund.code)
    users.set_grants(db, user.id, user.version, [
        users.GrantSpec(Role.FUND_MANAGER, fund_code=fund.code),
        users.GrantSpec(Role.FINANCE_BUREAU, "440300"), users.GrantSpec(Role.AUDITOR)], True)
    db.commit()
    page = text_of(admin.get(f"/admin/users/{user.id}"))
    chosen = re.findall(r'<option selected value="([A-Z_]*)"', page) or \
        re.findall(r'<option[^>]*value="([A-Z_]*)"[^>]*selected', page)
    assert chosen == ["FUND_MANAGER", "FINANCE_BUREAU", "AUDITOR", "", ""]
    scopes = re.findall(r'name="grants-\d-scope"[^>]*value="([^"]*)"', page)
    assert scopes[:3] == [fund.code, "440300", ""]
    assert 'data-lookup="/lookup/funds"' in page  # the fund manager's row searches funds
    assert f'id="grants-0-scope-name">{fund.name}<' in page
    assert 'id="grants-1-scope-name">深圳市<' in page


def test_an_unknown_user_id_is_404_for_an_admin(admin):
    assert admin.get("/admin/users/999999").status_code == 404
