"""The home page of each role: its own to-dos, built through the services, appear with a link to
the place to act, go away once done, and nothing outside the user's scope shows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.domain.codes import Instrument, PartyRole, ReviewKind, Role, TransactionType
from app.domain.quarter import Quarter
from app.services.access.scopes import SYSTEM
from app.services.funds import investments, reversals
from app.services.reporting import issuing
from app.services.sharing import agreements, workflow
from tests.factories import actor_of, add_lp, call, invest, make_fund, make_project, make_user
from tests.integration.sharing_factories import (
    DESTINATION,
    SOURCE,
    half_and_half,
    make_agreement,
    observe,
)
from tests.web.helpers import client_of, text_of

Q = Quarter.parse("2024Q1")


def table(page: str, table_id: str) -> str:
    """The HTML of the home page's table with this id ("" when the list is empty)."""
    start = page.find(f'<table id="{table_id}"')
    return "" if start < 0 else page[start:page.index("</table>", start)]


def home(app, user) -> str:
    """The user's home page, which must answer 200."""
    response = client_of(app, user).get("/")
    assert response.status_code == 200
    return text_of(response)


def _sharing(db, code="HM-AG", projects=("HM-1", "HM-2")):
    """An active Heyuan (destination) – Shenzhen (source) agreement from 2024Q1."""
    for project in projects:
        make_project(db, project, source="440306", destination="441602")
    return make_agreement(db, code, list(projects), [half_and_half(first="2024Q1")])


def _elsewhere(db):
    """An agreement between Hefei and Nanjing, with its first quarter submitted."""
    make_project(db, "HM-X", source="320100", destination="340100")
    agreement = agreements.create_agreement(db, SYSTEM, agreements.AgreementData(
        code="HM-ELSE", title="合肥—南京", basis_document="",
        parties=[agreements.PartyData("340100", PartyRole.DESTINATION),
                 agreements.PartyData("320100", PartyRole.SOURCE)]))
    agreements.set_covered_projects(db, SYSTEM, agreement.id, ["HM-X"])
    agreements.set_rule(db, SYSTEM, agreement.id, agreements.RuleData(
        indicator="TAX_LOCAL", mode=half_and_half().mode,
        tiers=[agreements.TierData(Q, None, {"340100": Decimal(1), "320100": Decimal(1)})]))
    agreements.activate(db, SYSTEM, agreement.id, agreement.version)
    observe(db, "2024Q1", {("HM-X", "TAX_LOCAL"): "10.00"})
    hefei = make_user(db, Role.FINANCE_BUREAU, "340100")
    workflow.submit(db, actor_of(db, hefei), agreement.id, Q)
    return agreement


def test_a_quarter_with_missing_observations_waits_for_the_destination_bureaus_data(app, db):
    agreement = _sharing(db)
    _elsewhere(db)
    observe(db, "2024Q1", {("HM-1", "TAX_LOCAL"): "100.00"})
    heyuan = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    shenzhen = make_user(db, Role.FINANCE_BUREAU, SOURCE)
    db.commit()
    due = table(home(app, heyuan), "home-data")
    assert "HM-AG" in due and "2024Q1" in due and "1 of 2" in due
    assert f"/agreements/{agreement.id}/quarters/2024Q1/observations" in due
    assert "HM-ELSE" not in due
    assert table(home(app, shenzhen), "home-data") == ""  # the source enters no data


def test_a_complete_open_quarter_asks_the_destination_to_submit(app, db):
    agreement = _sharing(db)
    observe(db, "2024Q1", {("HM-1", "TAX_LOCAL"): "100.00", ("HM-2", "TAX_LOCAL"): "0.00"})
    heyuan = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    db.commit()
    due = table(home(app, heyuan), "home-data")
    assert "0 of 2" in due and f'href="/agreements/{agreement.id}/quarters/2024Q1/"' in due


def test_a_submitted_quarter_waits_for_the_counterpart_until_it_confirms(app, db):
    agreement = _sharing(db)
    _elsewhere(db)
    observe(db, "2024Q1", {("HM-1", "TAX_LOCAL"): "100.00", ("HM-2", "TAX_LOCAL"): "1.00"})
    heyuan = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    shenzhen = make_user(db, Role.FINANCE_BUREAU, SOURCE)
    aq = workflow.submit(db, actor_of(db, heyuan), agreement.id, Q)
    db.commit()
    waiting = table(home(app, shenzhen), "home-confirm")
    assert "HM-AG" in waiting and "深圳市" in waiting and "HM-ELSE" not in waiting
    assert f'href="/agreements/{agreement.id}/quarters/2024Q1/"' in waiting
    assert table(home(app, shenzhen), "home-data") == ""

    workflow.confirm(db, actor_of(db, shenzhen), agreement.id, Q, SOURCE, aq.fingerprint)
    db.commit()
    assert table(home(app, shenzhen), "home-confirm") == ""
    assert "HM-AG" in table(home(app, heyuan), "home-confirm")  # a second person: allowed


def test_four_eyes_keep_the_quarter_off_the_submitters_list_when_only_they_would_confirm(
        app, db):
    agreement = _sharing(db)
    observe(db, "2024Q1", {("HM-1", "TAX_LOCAL"): "100.00", ("HM-2", "TAX_LOCAL"): "1.00"})
    province = make_user(db, Role.FINANCE_BUREAU, "440000")  # covers both parties
    colleague = make_user(db, Role.FINANCE_BUREAU, "440000")
    aq = workflow.submit(db, actor_of(db, province), agreement.id, Q)
    workflow.confirm(db, actor_of(db, province), agreement.id, Q, DESTINATION, aq.fingerprint)
    db.commit()
    assert table(home(app, province), "home-confirm") == ""
    assert "HM-AG" in table(home(app, colleague), "home-confirm")


def test_an_auditors_query_shows_for_the_bureau_until_it_is_answered(app, db):
    agreement = _sharing(db)
    elsewhere = _elsewhere(db)
    observe(db, "2024Q1", {("HM-1", "TAX_LOCAL"): "100.00", ("HM-2", "TAX_LOCAL"): "1.00"})
    heyuan = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    auditor = make_user(db, Role.AUDITOR)
    workflow.submit(db, actor_of(db, heyuan), agreement.id, Q)
    db.commit()
    to_review = table(home(app, auditor), "home-review")
    assert "HM-AG" in to_review and "HM-ELSE" in to_review  # a global auditor sees both

    query = workflow.review(db, actor_of(db, auditor), agreement.id, Q, ReviewKind.QUERY,
                            "Why is HM-2 only 1.00?")
    workflow.review(db, actor_of(db, auditor), elsewhere.id, Q, ReviewKind.QUERY, "Hefei only")
    db.commit()
    queries = table(home(app, heyuan), "home-queries")
    assert "Why is HM-2 only 1.00?" in queries and auditor.name in queries
    link = f'href="/agreements/{agreement.id}/quarters/2024Q1/#answer-{query.id}"'
    assert link in queries  # lands on the answer box
    statement = text_of(client_of(app, heyuan).get(f"/agreements/{agreement.id}/quarters/2024Q1/"))
    assert f'id="answer-{query.id}"' in statement
    assert "Hefei only" not in queries
    to_review = table(home(app, auditor), "home-review")
    assert "HM-AG" not in to_review and "HM-ELSE" not in to_review  # both reviewed now

    workflow.answer_query(db, actor_of(db, heyuan), query.id, "A refund.")
    db.commit()
    assert table(home(app, heyuan), "home-queries") == ""


def _holding(db, fund, project_code, on=dt.date(2024, 1, 10), amount="1000000.00",
             instrument=Instrument.EQUITY):
    """An investment of ``fund`` in a new project with one disbursement."""
    project = make_project(db, project_code)
    investment = invest(db, fund, project, instrument)
    investments.record_transaction(db, SYSTEM, investment.id, investments.TransactionData(
        TransactionType.DISBURSEMENT, on, Decimal(amount), reference=f"D-{project_code}"))
    return investment


def test_an_unmarked_holding_shows_for_its_manager_until_it_is_marked(app, db):
    fund, other = make_fund(db, "HM-F1"), make_fund(db, "HM-F2")
    for f in (fund, other):
        add_lp(db, f, "10000000.00")
        call(db, f, "5000000.00", dt.date(2024, 1, 5))
    held = _holding(db, fund, "HM-P1")
    _holding(db, other, "HM-P2")
    _holding(db, fund, "HM-L1", instrument=Instrument.LOAN)  # loans are never marked
    manager = make_user(db, Role.FUND_MANAGER, fund.code)
    db.commit()
    page = home(app, manager)
    assert "HM-F1" in table(page, "home-funds") and "HM-F2" not in table(page, "home-funds")
    unmarked = table(page, "home-unmarked")
    assert "HM-P1" in unmarked and f'href="/investments/{held.id}"' in unmarked
    assert "HM-P2" not in unmarked and "HM-L1" not in unmarked

    today = dt.datetime.now(dt.UTC).date()
    investments.record_valuation(db, SYSTEM, held.id, today, Decimal("1200000.00"))
    db.commit()
    assert table(home(app, manager), "home-unmarked") == ""


def test_a_manager_sees_their_funds_key_figures_in_ten_thousand_yuan(app, db):
    fund = make_fund(db, "HM-F3")
    add_lp(db, fund, "10000000.00")
    call(db, fund, "5000000.00", dt.date(2024, 1, 5))
    _holding(db, fund, "HM-P3", amount="2500000.00")
    manager = make_user(db, Role.FUND_MANAGER, fund.code)
    db.commit()
    row = table(home(app, manager), "home-funds")
    # committed 1,000.00 万元, paid-in 500.00, disbursed 250.00, deployment 25.00 %
    assert "1,000.00" in row and "500.00" in row and "250.00" in row and "25.00 %" in row


def test_no_reversal_waits_on_a_fresh_fund(app, db):
    fund = make_fund(db, "HM-F4")
    manager = make_user(db, Role.FUND_MANAGER, fund.code)
    db.commit()
    page = home(app, manager)
    assert 'id="reversals"' in page and table(page, "home-approve") == ""
    assert table(page, "home-awaiting") == ""


def test_a_pending_reversal_waits_on_the_other_managers_home_not_the_askers(app, db):
    fund = make_fund(db, "HM-F7")
    add_lp(db, fund, "100000000.00", on=dt.date(2025, 1, 1))
    entry = call(db, fund, "30000000.00", dt.date(2025, 8, 10))
    asker = make_user(db, Role.FUND_MANAGER, fund.code)
    approver = make_user(db, Role.FUND_MANAGER, fund.code)
    stranger = make_user(db, Role.FUND_MANAGER, make_fund(db, "HM-F8").code)
    issuing.issue(db, SYSTEM, "fund", fund.code, Quarter(2025, 3))
    request = reversals.reverse(db, actor_of(db, asker), "movement", entry.id,
                                dt.date(2025, 9, 20), "typed twice").request
    db.commit()
    link = f'href="/funds/{fund.id}/reversals#request-{request.id}"'
    approver_page, asker_page = home(app, approver), home(app, asker)
    assert link in table(approver_page, "home-approve") and "typed twice" in approver_page
    assert table(asker_page, "home-approve") == "" and link in table(asker_page, "home-awaiting")
    assert "typed twice" not in home(app, stranger)


def test_an_auditor_sees_recent_changes_linked_to_the_audit_trail(app, db):
    fund = make_fund(db, "HM-F5")
    auditor = make_user(db, Role.AUDITOR)
    db.commit()
    recent = table(home(app, auditor), "home-recent")
    assert f"entity_id={fund.id}" in recent and "/audit/?" in recent


def test_each_role_sees_only_its_own_sections(app, db):
    fund = make_fund(db, "HM-F6")
    manager = make_user(db, Role.FUND_MANAGER, fund.code)
    bureau = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    auditor = make_user(db, Role.AUDITOR)
    admin = make_user(db, Role.ADMIN)
    db.commit()
    manager_page, bureau_page = home(app, manager), home(app, bureau)
    auditor_page, admin_page = home(app, auditor), home(app, admin)
    assert 'id="funds"' in manager_page and 'id="quarters"' not in manager_page
    assert 'id="recent"' not in manager_page
    assert 'id="quarters"' in bureau_page and 'id="funds"' not in bureau_page
    assert 'id="recent"' not in bureau_page
    assert 'id="review"' in auditor_page and 'id="recent"' in auditor_page
    assert 'id="funds"' not in auditor_page
    for section in ("funds", "quarters", "recent", "flows"):
        assert f'id="{section}"' in admin_page


def test_the_bureaus_flows_cover_only_projects_touching_its_region(app, db):
    make_project(db, "HM-IN", source="440306", destination="441602")
    make_project(db, "HM-OUT", source="320100", destination="510100")  # Nanjing → Chengdu
    bureau = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    db.commit()
    page = home(app, bureau)
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert "1 project" in svg or "1 个项目" in svg
    assert "西部" not in svg and "West" not in svg  # Chengdu lies in the west: out of scope
