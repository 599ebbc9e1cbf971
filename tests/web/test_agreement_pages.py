"""Drafting an agreement through the web: the heading and parties, covered projects, a rule
through the rule form, activation; the rule form's refusals; only parties may draft."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.domain.codes import AgreementStatus, CapScope, PartyRole, Role, SharingMode
from app.domain.quarter import Quarter
from app.models import Agreement, SharingRule
from tests.factories import make_project, make_user
from tests.integration.sharing_factories import DESTINATION, SOURCE
from tests.web.helpers import client_of, count, errors_beside, form_alerts, text_of

PARTIES = {"party0_region": DESTINATION, "party0_role": "DESTINATION",
           "party1_region": SOURCE, "party1_role": "SOURCE"}
RULE = {"mode": "SPLIT", "as_percent": "y",
        "t0_first": "2026Q1", "t0_last": "2027Q4",
        f"t0_w_{DESTINATION}": "40", f"t0_w_{SOURCE}": "60",
        "t1_first": "2028Q1", "t1_last": "",
        f"t1_w_{DESTINATION}": "50", f"t1_w_{SOURCE}": "50",
        f"cap_{SOURCE}": "9,075.00", f"cap_scope_{SOURCE}": "YEAR",
        f"cap_{DESTINATION}": "", f"cap_scope_{DESTINATION}": "AGREEMENT",
        "baseline": "1250.00", "baseline_owner": DESTINATION}


@pytest.fixture
def bureau(db, app):
    """A signed-in bureau of the destination, and two projects to cover."""
    make_project(db, "AG-1")
    make_project(db, "AG-2")
    user = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    db.commit()
    return client_of(app, user)


def draft(db, client, code="WEB-AG") -> Agreement:
    response = client.post("/agreements/new", data={
        "code": code, "title": "深河产业共建分成协议", "basis_document": "财预〔2015〕92号",
        "signed_on": "2026-01-15", **PARTIES})
    assert response.status_code == 302, text_of(response)
    db.expire_all()
    agreement = db.scalar(select(Agreement).where(Agreement.code == code))
    assert response.headers["Location"].endswith(f"/agreements/{agreement.id}")
    return agreement


def rules_of(db, agreement) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(SharingRule)
                     .where(SharingRule.agreement_id == agreement.id))


def cell_errors(response, name: str) -> list[str]:
    """The messages beside a tier or cap cell of the rule form (a table cell, not a div)."""
    match = re.search(r'<td class="field has-error">\s*<input[^>]*name="' + re.escape(name)
                      + r'"[^>]*>(.*?)</td>', text_of(response), re.S)
    return [html.unescape(m) for m in re.findall(r'<small class="error">(.*?)</small>',
                                                 match.group(1))] if match else []


def test_a_bureau_drafts_covers_adds_a_rule_and_activates_through_the_forms(db, bureau):
    assert bureau.get("/agreements/new").status_code == 200
    agreement = draft(db, bureau)
    parties = sorted((p.priority, p.region.code, p.role, p.is_default) for p in agreement.parties)
    assert parties == [(1, DESTINATION, PartyRole.DESTINATION, True),
                       (2, SOURCE, PartyRole.SOURCE, False)]
    assert agreement.status is AgreementStatus.DRAFT
    base = f"/agreements/{agreement.id}"
    assert bureau.post(f"{base}/projects", data={"projects": "AG-1\nAG-2"}).status_code == 302
    assert bureau.get(f"{base}/rules/TAX_LOCAL").status_code == 200
    saved = bureau.post(f"{base}/rules/TAX_LOCAL", data=RULE)
    assert saved.status_code == 302, text_of(saved)
    db.expire_all()
    agreement = db.get(Agreement, agreement.id)
    assert [c.project.code for c in agreement.covered] == ["AG-1", "AG-2"]
    [rule] = agreement.rules
    assert (rule.indicator_code, rule.mode, rule.as_percent, rule.baseline,
            rule.baseline_owner.region.code) == (
        "TAX_LOCAL", SharingMode.SPLIT, True, Decimal("1250.00"), DESTINATION)
    assert [(t.first_quarter, t.last_quarter,
             {w.party.region.code: w.weight for w in t.weights}) for t in rule.tiers] == [
        (Quarter(2026, 1), Quarter(2027, 4), {DESTINATION: 40, SOURCE: 60}),
        (Quarter(2028, 1), None, {DESTINATION: 50, SOURCE: 50})]
    assert [(c.party.region.code, c.amount, c.scope) for c in rule.caps] == [
        (SOURCE, Decimal("9075.00"), CapScope.YEAR)]
    show = bureau.get(base)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', text_of(show)).group(1)
    assert bureau.post(f"{base}/activate", data={"version": version}).status_code == 302
    db.expire_all()
    assert db.get(Agreement, agreement.id).status is AgreementStatus.ACTIVE


def test_activation_needs_a_rule_and_covered_projects(db, bureau):
    agreement = draft(db, bureau)
    response = bureau.post(f"/agreements/{agreement.id}/activate",
                           data={"version": str(agreement.version)})
    assert response.status_code == 422
    alerts = " ".join(form_alerts(response))
    assert "at least one rule" in alerts and "at least one covered project" in alerts
    db.expire_all()
    assert db.get(Agreement, agreement.id).status is AgreementStatus.DRAFT


def test_the_rule_form_refuses_overlapping_tiers_beside_the_later_tier(db, bureau):
    agreement = draft(db, bureau)
    response = bureau.post(f"/agreements/{agreement.id}/rules/TAX_LOCAL",
                           data={**RULE, "t1_first": "2027Q3"})
    assert response.status_code == 422
    assert "overlaps another tier" in cell_errors(response, "t1_first")
    assert rules_of(db, agreement) == 0


def test_the_rule_form_refuses_percentages_that_do_not_add_up_to_100(db, bureau):
    agreement = draft(db, bureau)
    response = bureau.post(f"/agreements/{agreement.id}/rules/TAX_LOCAL",
                           data={**RULE, f"t0_w_{SOURCE}": "50"})
    assert response.status_code == 422
    assert "percentages add up to 90, not 100" in html.unescape(text_of(response))
    assert any("percentages add up to 90" in m
               for name in ("t0_first", f"t0_w_{SOURCE}", f"t0_w_{DESTINATION}")
               for m in cell_errors(response, name))
    assert rules_of(db, agreement) == 0
    # The same weights as plain weights (not percentages) are a valid 5:4 split.
    plain = {k: v for k, v in RULE.items() if k != "as_percent"}
    assert bureau.post(f"/agreements/{agreement.id}/rules/TAX_LOCAL",
                       data={**plain, f"t0_w_{SOURCE}": "50"}).status_code == 302
    assert rules_of(db, agreement) == 1


def test_the_rule_form_refuses_a_baseline_without_its_owner(db, bureau):
    agreement = draft(db, bureau)
    response = bureau.post(f"/agreements/{agreement.id}/rules/TAX_LOCAL",
                           data={**RULE, "baseline_owner": ""})
    assert response.status_code == 422
    assert errors_beside(response, "baseline_owner") == ["a baseline needs the party that owns it"]
    assert rules_of(db, agreement) == 0


def test_a_bureau_cannot_draft_an_agreement_its_region_is_not_a_party_to(db, bureau):
    before = count(db, Agreement)
    response = bureau.post("/agreements/new", data={
        "code": "NOT-MINE", "title": "他人协议", "party0_region": "441400",
        "party0_role": "DESTINATION", "party1_region": SOURCE, "party1_role": "SOURCE"})
    assert response.status_code == 422
    assert any("your region must be one of the parties" in m for m in form_alerts(response))
    assert count(db, Agreement) == before
    assert db.scalar(select(Agreement).where(Agreement.code == "NOT-MINE")) is None
