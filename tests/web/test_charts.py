"""The server-side SVG charts: they parse as XML, carry an accessible title and description, show
the right flows and values from known data, and pass the content security policy."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from app.domain.codes import Instrument, Role, TransactionType
from app.services.access.scopes import SYSTEM
from app.services.funds import investments
from app.services.funds.flows import Flow, fund_flows
from app.web.charts import line_chart
from app.web.flow_chart import flow_chart
from tests.factories import add_lp, call, invest, make_fund, make_project, make_user
from tests.integration.sharing_factories import DESTINATION, half_and_half, make_agreement, observe
from tests.web.helpers import client_of, text_of

SVG = "{http://www.w3.org/2000/svg}"


def svgs(page: str) -> list[ET.Element]:
    """Every inline SVG of a page, parsed (a parse error fails the test)."""
    found = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    for source in found:
        assert " style=" not in source and "<script" not in source
    return [ET.fromstring(source) for source in found]  # noqa: S314 - the app's own output


def title_of(svg: ET.Element) -> str:
    """The chart's accessible name: its <title>, which aria-labelledby points to."""
    title = svg.find(f"{SVG}title")
    assert title is not None and title.get("id") in svg.get("aria-labelledby", "").split()
    assert svg.get("role") == "img" and svg.find(f"{SVG}desc") is not None
    return title.text or ""


def band_titles(svg: ET.Element) -> list[str]:
    """The tooltip text of every band of a flow chart."""
    return [band.find(f"{SVG}title").text for band in svg.iter(f"{SVG}path")
            if "band" in band.get("class", "")]


def test_flow_bands_are_as_wide_as_their_share_of_the_amount_disbursed(app):
    flows = [Flow("EAST", "CENTRAL", 3, Decimal("30000.00")),
             Flow("EAST", "WEST", 1, Decimal("10000.00"))]
    with app.test_request_context():
        svg = ET.fromstring(str(flow_chart(flows, "Flows <test>")))  # noqa: S314
    assert title_of(svg) == "Flows <test>"
    nodes = [r for r in svg.iter(f"{SVG}rect") if "node" in r.get("class", "")]
    west, central, east = sorted(float(r.get("height")) for r in nodes)
    assert central == 3 * west and east == west + central  # 1 : 3, and the source of both
    titles = band_titles(svg)
    assert len(titles) == 2
    assert any("3.00 万元" in t and "3" in t for t in titles)
    assert any("1.00 万元" in t for t in titles)


def test_no_flow_draws_no_chart(app):
    with app.test_request_context():
        assert str(flow_chart([], "Flows")) == ""


def test_the_line_chart_names_its_unit_and_escapes_its_texts(app):
    chart = line_chart(["2024Q1", "2024Q2"], [("<Paid-in>", [Decimal("10000"), Decimal("20000")])],
                       unit_label="万元", divisor=Decimal(10_000), title="Deployment & more")
    svg = ET.fromstring(str(chart))  # noqa: S314 - the app's own output
    assert title_of(svg) == "Deployment & more"
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "万元" in texts and "<Paid-in>" in texts and "2024Q2" in texts
    assert "<Paid-in>: 2.00 万元" in svg.find(f"{SVG}desc").text


def _fund_with_flows(db):
    """A fund that disbursed 20,000.00 yuan to a Shenzhen → Changsha project (a 6,000.00
    disbursement reversed) and 10,000.00 to a Shenzhen → Chengdu one."""
    fund = make_fund(db, "CH-F1")
    add_lp(db, fund, "1000000.00")
    call(db, fund, "500000.00", dt.date(2024, 1, 5))
    central = invest(db, fund, make_project(db, "CH-C", destination="430100"))
    west = invest(db, fund, make_project(db, "CH-W", destination="510100"), Instrument.LOAN)
    for position, amount, ref in ((central, "20000.00", "D1"), (central, "6000.00", "D2"),
                                  (west, "10000.00", "D3")):
        entry = investments.record_transaction(db, SYSTEM, position.id, investments.TransactionData(
            TransactionType.DISBURSEMENT, dt.date(2024, 2, 1), Decimal(amount), reference=ref))
    investments.reverse_transaction(db, SYSTEM, entry.id - 1, dt.date(2024, 2, 2), "twice")
    make_project(db, "CH-NOT-HELD", destination="430100")  # another project: not the fund's
    return fund


def test_fund_flows_sum_the_disbursements_net_of_reversals(db):
    fund = _fund_with_flows(db)
    flows = fund_flows(db, fund)
    assert sorted((f.source, f.destination, f.projects, f.disbursed) for f in flows) == [
        ("EAST", "CENTRAL", 1, Decimal("20000.00")), ("EAST", "WEST", 1, Decimal("10000.00"))]


def test_the_fund_dashboard_draws_deployment_and_flows_in_ten_thousand_yuan(app, db):
    fund = _fund_with_flows(db)
    manager = make_user(db, Role.FUND_MANAGER, fund.code)
    db.commit()
    page = text_of(client_of(app, manager).get(f"/funds/{fund.id}?quarter=2024Q1"))
    deployment, flows = svgs(page)
    assert title_of(deployment) and title_of(flows)
    assert len(list(deployment.iter(f"{SVG}polyline"))) == 3  # committed, paid-in, disbursed
    assert any("万元" in (t.text or "") for t in deployment.iter(f"{SVG}text"))
    # the table beside the chart: 100.00 万元 committed, 50.00 paid in, 3.00 disbursed
    assert re.search(r"<td>2024Q1</td><td class=\"num\">100.00</td><td class=\"num\">50.00</td>"
                     r"<td class=\"num\">3.00</td>", page)
    titles = band_titles(flows)
    assert len(titles) == 2
    assert any("2.00 万元" in t for t in titles) and any("1.00 万元" in t for t in titles)


def test_the_home_page_flows_cover_the_users_scope(app, db):
    fund = _fund_with_flows(db)
    admin = make_user(db, Role.ADMIN)
    db.commit()
    page = text_of(client_of(app, admin).get("/"))
    (flows,) = svgs(page)
    title_of(flows)
    titles = band_titles(flows)
    # every project counts (CH-NOT-HELD too), with what was disbursed to it by any fund
    assert any("2.00 万元" in t and "2 " in t for t in titles)
    assert fund.code in page


def test_the_region_chart_shows_received_and_ceded_with_the_indicators_unit(app, db):
    make_project(db, "CH-R1", source="440306", destination="441602")
    make_agreement(db, "CH-AG", ["CH-R1"], [half_and_half(first="2026Q1")])
    observe(db, "2026Q3", {("CH-R1", "TAX_LOCAL"): Decimal("100.01")})
    bureau = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    db.commit()
    page = text_of(client_of(app, bureau).get("/regions/441600?quarter=2026Q3"))
    (chart,) = svgs(page)
    assert title_of(chart)
    texts = [t.text for t in chart.iter(f"{SVG}text")]
    # Heyuan keeps 50.01 of 100.01: it ceded 50.00 yuan and received nothing (the page is in
    # English, so the unit is named in English, as the tables beside the chart name it)
    assert "50.00 yuan" in texts and "0.00 yuan" in texts
    bars = [r for r in chart.iter(f"{SVG}rect") if "bar" in r.get("class", "")]
    assert len(bars) == 2 and float(bars[0].get("width")) == 0.0
    assert "50.00 yuan" in chart.find(f"{SVG}desc").text
