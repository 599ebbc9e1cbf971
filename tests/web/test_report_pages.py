"""The report pages: draft downloads and the CLI give the same bytes, issuing from the page lists
the report and serves the same bytes, and everything out of scope is 404."""

from __future__ import annotations

import hashlib
import html
import re

from app.domain.codes import Role
from app.models import IssuedReport
from app.services.access.scopes import SYSTEM
from app.services.reporting import issuing
from app.web.reports import views as report_views
from tests.factories import make_fund, make_user
from tests.integration.report_helpers import Q, build_world
from tests.web.api_helpers import call_api, fields_in_error, token_for
from tests.web.helpers import client_of, count, text_of

FUND_PDF = f"/reports/fund/RF-1/{Q}.pdf"
STATEMENT_PDF = f"/reports/statement/RA-1/{Q}.pdf"
REGION_PDF = f"/reports/region/441600/{Q}.pdf"

YES = {"confirmed": "yes"}  # the answer of the confirmation page


def test_the_web_download_and_the_cli_give_the_same_bytes(app, db, runner, tmp_path):
    world = build_world(db)
    manager = make_user(db, Role.FUND_MANAGER, world.fund.code)
    db.commit()
    client = client_of(app, manager)
    response = client.get(FUND_PDF)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="fund-RF-1-2025Q3-draft.pdf"' in response.headers["Content-Disposition"]
    for kind, code, web in (("fund", "RF-1", response.data),
                            ("statement", "RA-1", client_of(app, world.dest_user)
                             .get(STATEMENT_PDF).data),
                            ("region", "441600", client_of(app, world.dest_user)
                             .get(REGION_PDF).data)):
        target = tmp_path / f"{kind}.pdf"
        result = runner.invoke(args=["report", kind, code, str(Q), "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert target.read_bytes() == web


def test_both_parties_download_the_same_statement_bytes(app, db):
    world = build_world(db)
    db.commit()
    dest = client_of(app, world.dest_user).get(STATEMENT_PDF)
    src = client_of(app, world.src_user).get(STATEMENT_PDF)
    assert dest.status_code == src.status_code == 200 and dest.data == src.data


def test_out_of_scope_downloads_and_issued_files_are_404(app, db):
    world = build_world(db)
    other_fund = make_fund(db, "RF-OTHER", sponsor="320100")
    other_manager = make_user(db, Role.FUND_MANAGER, other_fund.code)
    hefei = make_user(db, Role.FINANCE_BUREAU, "340100")
    manager = make_user(db, Role.FUND_MANAGER, world.fund.code)
    db.commit()
    client_of(app, manager).post(f"/reports/fund/RF-1/{Q}/issue", data=YES)
    issued = db.query(IssuedReport).one()
    outsider = client_of(app, other_manager)
    assert outsider.get(FUND_PDF).status_code == 404
    assert outsider.get(f"/reports/issued/{issued.id}.pdf").status_code == 404
    assert outsider.post(f"/reports/fund/RF-1/{Q}/issue").status_code == 404
    assert "RF-1" not in text_of(outsider.get("/reports/"))
    bureau = client_of(app, hefei)
    for url in (REGION_PDF, STATEMENT_PDF, FUND_PDF, f"/reports/issued/{issued.id}.pdf",
                f"/reports/region/not-a-region/{Q}.pdf", "/reports/nonsense/X/2025Q3.pdf",
                "/reports/fund/RF-1/2025Q9.pdf"):
        assert bureau.get(url).status_code == 404, url
    assert bureau.post(f"/reports/region/441600/{Q}/issue").status_code == 404
    assert count(db, IssuedReport) == 1


def test_issuing_from_the_page_lists_the_report_and_serves_the_same_bytes(app, db):
    world = build_world(db)
    manager = make_user(db, Role.FUND_MANAGER, world.fund.code)
    db.commit()
    client = client_of(app, manager)
    page = text_of(client.get(f"/funds/{world.fund.id}?quarter={Q}"))
    assert FUND_PDF in page and f"/reports/fund/RF-1/{Q}/issue" in page
    response = client.post(f"/reports/fund/RF-1/{Q}/issue", data=YES)
    assert response.status_code == 302
    listing = text_of(client.get(response.headers["Location"]))
    db.expire_all()
    issued = db.query(IssuedReport).one()
    assert issued.sha256[:12] in listing and "RF-1" in listing and str(Q) in listing
    fetched = client.get(f"/reports/issued/{issued.id}.pdf")
    assert hashlib.sha256(fetched.data).hexdigest() == issued.sha256
    again = client.post(f"/reports/fund/RF-1/{Q}/issue", data=YES, follow_redirects=True)
    assert "nothing changed since version 1" in text_of(again)
    assert count(db, IssuedReport) == 1


def test_statement_and_region_pages_offer_their_reports(app, db):
    world = build_world(db)
    db.commit()
    client = client_of(app, world.dest_user)
    statement = text_of(client.get(f"/agreements/{world.agreement.id}/quarters/{Q}/"))
    assert STATEMENT_PDF in statement and f"/reports/statement/RA-1/{Q}/issue" in statement
    region = text_of(client.get(f"/regions/441600?quarter={Q}"))
    assert REGION_PDF in region and f"/reports/region/441600/{Q}/issue" in region
    response = client.post(f"/reports/statement/RA-1/{Q}/issue", data=YES)
    assert response.status_code == 302
    assert "RA-1" in text_of(client_of(app, world.src_user).get("/reports/?kind=statement"))


def test_issued_reports_page_newest_first_on_the_web_and_in_the_api(app, db, monkeypatch):
    build_world(db)
    fund_report = issuing.issue(db, SYSTEM, "fund", "RF-1", Q)
    region_report = issuing.issue(db, SYSTEM, "region", "441600", Q)
    admin = make_user(db, Role.ADMIN)
    token = token_for(db, admin)
    db.commit()
    monkeypatch.setattr(report_views, "PAGE_SIZE", 1)
    client = client_of(app, admin)

    first = text_of(client.get("/reports/"))
    older = re.search(r'rel="next" href="([^"]+)"', first).group(1)
    second = text_of(client.get(html.unescape(older)))

    assert f"/reports/issued/{region_report.id}.pdf" in first
    assert f"/reports/issued/{fund_report.id}.pdf" not in first and 'rel="first"' not in first
    assert f"/reports/issued/{fund_report.id}.pdf" in second
    assert 'rel="next"' not in second and 'rel="first"' in second
    altered = client.get("/reports/?cursor=not-one-we-gave")
    assert altered.status_code == 200 and "is not a position this list gave out" in text_of(
        altered) and f"/reports/issued/{region_report.id}.pdf" in text_of(altered)

    page = call_api(client, "GET", "/api/v1/reports?limit=1", token).get_json()
    rest = call_api(client, "GET", f"/api/v1/reports?limit=1&cursor={page['next_cursor']}",
                    token).get_json()
    assert [r["id"] for r in page["items"] + rest["items"]] == [region_report.id,
                                                                 fund_report.id]
    assert rest["next_cursor"] is None
    bad = call_api(client, "GET", "/api/v1/reports?cursor=12", token)
    assert fields_in_error(bad) == {"cursor"}
