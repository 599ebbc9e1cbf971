"""The settlement pages: a bureau computes a year, both bureaus confirm, a notice with a
difference is recorded (refused without a reason, nothing written), an auditor reads the
three-way match and resolves the difference; out of scope is not found; both languages."""

from __future__ import annotations

import re

from app.domain.codes import Instrument, Role
from app.models import Project, SettlementDifference, SettlementNotice, SettlementRun
from app.services.access.scopes import SYSTEM
from app.services.funds import investments
from tests.factories import make_fund, make_user
from tests.integration.settlement_helpers import Example
from tests.integration.sharing_factories import DESTINATION, SOURCE
from tests.web.helpers import client_of, count, text_of


def _run_id(response) -> int:
    return int(re.search(r"/settlement/runs/(\d+)", response.headers["Location"]).group(1))


def test_compute_confirm_book_and_resolve_through_the_pages(app, db):
    world = Example(db, years=2)
    auditor = make_user(db, Role.AUDITOR, "440000")
    db.commit()
    dest, src = client_of(app, world.dest_user), client_of(app, world.src_user)
    base = f"/agreements/{world.id}/settlement/"
    refused = dest.post(base, data={"fiscal_year": "2030"})
    assert refused.status_code == 422 and "2030Q1 is not closed" in text_of(refused)
    response = dest.post(base, data={"fiscal_year": str(world.first)})
    assert response.status_code == 302
    run_id = _run_id(response)
    page = text_of(dest.get(f"{base}runs/{run_id}"))
    assert "Foots to the statements" in page and "15,000,000.00" in page
    run = db.get(SettlementRun, run_id)
    for client, party in ((src, SOURCE), (dest, DESTINATION)):
        done = client.post(f"{base}runs/{run_id}/confirm",
                           data={"party": party, "fingerprint": run.fingerprint})
        assert done.status_code == 302
    db.expire_all()
    assert db.get(SettlementRun, run_id).state.value == "CONFIRMED"
    notice = {"level": "CENTRAL", "number": "财预结〔2022〕7号", "issued_on": "2022-05-20",
              "payer": DESTINATION, "payee": SOURCE, "amount": "14,900,000.00", "reason": ""}
    response = dest.post(f"{base}runs/{run_id}/notices", data=notice)
    assert response.status_code == 422
    assert "give the reason" in text_of(response) and count(db, SettlementNotice) == 0
    response = dest.post(f"{base}runs/{run_id}/notices",
                         data=notice | {"payer": SOURCE, "payee": DESTINATION})
    assert response.status_code == 422 and "owes" in text_of(response)
    response = dest.post(f"{base}runs/{run_id}/notices",
                         data=notice | {"reason": "REFUND_AFTER_CUTOFF"})
    assert response.status_code == 302 and count(db, SettlementNotice) == 1
    following = _run_id(dest.post(base, data={"fiscal_year": str(world.first + 1)}))
    page = text_of(dest.get(f"{base}runs/{following}"))
    assert "Carried from earlier years" in page and "100,000.00" in page
    audit = client_of(app, auditor)
    view = text_of(audit.get(f"{base}years/{world.first}/audit"))
    assert "Three-way match" in view and "14,900,000.00" in view
    [difference] = db.query(SettlementDifference).all()
    response = audit.post(f"{base}differences/{difference.id}/resolve",
                          data={"note": "", "version": str(difference.version)})
    assert response.status_code == 422
    response = audit.post(f"{base}differences/{difference.id}/resolve",
                          data={"note": "次年补记", "version": str(difference.version)})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(SettlementDifference, difference.id).resolved_at is not None


def test_out_of_scope_is_not_found_and_an_auditor_cannot_compute(app, db):
    world = Example(db, years=1)
    stranger = make_user(db, Role.FINANCE_BUREAU, "110000")
    auditor = make_user(db, Role.AUDITOR, "440000")
    db.commit()
    base = f"/agreements/{world.id}/settlement/"
    assert client_of(app, stranger).get(base).status_code == 404
    reader = client_of(app, auditor)
    assert reader.get(base).status_code == 200
    assert reader.post(base, data={"fiscal_year": str(world.first)}).status_code == 404
    assert count(db, SettlementRun) == 0


def test_the_run_page_reads_in_chinese(app, db):
    world = Example(db, years=1)
    run, _ = world.compute(db, world.first)
    user = make_user(db, Role.FINANCE_BUREAU, DESTINATION, locale="zh")
    db.commit()
    page = text_of(client_of(app, user).get(f"/agreements/{world.id}/settlement/runs/{run.id}"))
    assert "与结算单核对一致" in page and "按对轧差" in page


def test_a_fund_manager_sees_on_the_project_page_what_its_tax_brought_back(app, db):
    world = Example(db, years=1)
    world.compute(db, world.first)
    fund = make_fund(db)
    investments.open_investment(db, SYSTEM, fund.id, world.project, Instrument.EQUITY)
    manager = make_user(db, Role.FUND_MANAGER, fund.code)
    db.commit()
    project = db.query(Project).filter_by(code=world.project).one()
    page = text_of(client_of(app, manager).get(f"/projects/{project.id}"))
    assert "Tax settled back to the source region" in page and "15,000,000.00" in page
