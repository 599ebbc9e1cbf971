"""Queries per page do not grow with the data (quality.md): each main page is counted at two
sizes built with the factories, caches warm, and the larger count equals the smaller one."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from app.domain.codes import Role, TransactionType
from app.domain.quarter import Quarter
from app.services.access.scopes import SYSTEM
from app.services.funds import investments
from app.services.reporting import region_figures as regions
from tests.factories import add_lp, call, invest, make_fund, make_project, make_user, sign_in
from tests.integration.sharing_factories import half_and_half, make_agreement, observe
from tests.web.helpers import statements_of_get

QUARTER = "2026Q1"
_units = itertools.count(1)


class World:
    """Funds with ledgers, projects, signed agreements over them and observed quarters; grown
    a few units at a time."""

    def __init__(self, db):
        self.db, self.funds, self.agreements = db, [], []

    def grow(self, units: int) -> None:
        """Add ``units`` funds (each with a position in a new project), ``units`` agreements
        covering two new projects each, observed over two quarters."""
        db = self.db
        for _ in range(units):
            n = next(_units)
            fund = make_fund(db, f"QF{n:03d}")
            add_lp(db, fund, "10000000.00", on=dt.date(2025, 1, 5))
            call(db, fund, "4000000.00", dt.date(2025, 2, 1))
            position = invest(db, fund, make_project(db, f"QI{n:03d}"))
            investments.record_transaction(db, SYSTEM, position.id, investments.TransactionData(
                TransactionType.DISBURSEMENT, dt.date(2025, 3, 1), Decimal("1000000.00")))
            investments.record_valuation(db, SYSTEM, position.id, dt.date(2025, 12, 31),
                                         Decimal("1100000.00"))
            codes = [f"QP{n:03d}a", f"QP{n:03d}b"]
            for code in codes:
                make_project(db, code)
            agreement = make_agreement(db, f"QA{n:03d}", codes, [half_and_half(first="2025Q4")])
            for quarter in ("2025Q4", QUARTER):
                observe(db, quarter, {(c, "TAX_LOCAL"): "10.00" for c in codes})
            self.funds.append(fund)
            self.agreements.append(agreement)
        db.commit()


def pages(world: World) -> dict[str, str]:
    """The main pages, by name (the same ids at both sizes)."""
    fund, agreement = world.funds[0], world.agreements[0]
    return {
        "home": "/",
        "funds list": "/funds/",
        "fund dashboard": f"/funds/{fund.id}?quarter={QUARTER}",
        "projects list": "/projects/",
        "agreements list": "/agreements/",
        "agreement page": f"/agreements/{agreement.id}",
        "statement page": f"/agreements/{agreement.id}/quarters/{QUARTER}/",
        "observation grid": f"/agreements/{agreement.id}/quarters/{QUARTER}/observations",
        "region page": f"/regions/441600?quarter={QUARTER}",
        "audit trail": "/audit/",
    }


def count_queries(app, engine_of, client, url: str) -> int:
    """The SQL statements one GET of ``url`` runs, caches warmed by a first GET."""
    assert client.get(url).status_code == 200, url
    return statements_of_get(engine_of, client, url)


ROLES = {
    "admin": (Role.ADMIN, None),
    "fund manager": (Role.FUND_MANAGER, "fund"),
    "finance bureau": (Role.FINANCE_BUREAU, "441600"),
    "auditor": (Role.AUDITOR, "440000"),
}


def signed_in(app, db, world, role_name):
    role, scope = ROLES[role_name]
    user = make_user(db, role, world.funds[0].code if scope == "fund" else scope)
    db.commit()
    client = app.test_client()
    sign_in(client, user)
    return client


def counts_at_two_sizes(app, db, connection, role_name, names):
    """{page: (count at the small size, count at the large size)} for one role."""
    world = World(db)
    world.grow(2)
    client = signed_in(app, db, world, role_name)
    urls = pages(world)
    small = {n: count_queries(app, connection, client, urls[n]) for n in names}
    world.grow(4)
    large = {n: count_queries(app, connection, client, urls[n]) for n in names}
    return {n: (small[n], large[n]) for n in names}


ADMIN_PAGES = ["home", "funds list", "fund dashboard", "projects list", "agreements list",
               "agreement page", "statement page", "observation grid", "region page",
               "audit trail"]


def test_the_admins_main_pages_run_as_many_queries_at_three_times_the_data(app, db, connection):
    counts = counts_at_two_sizes(app, db, connection, "admin", ADMIN_PAGES)
    grown = {n: c for n, c in counts.items() if c[0] != c[1]}
    assert grown == {}, f"queries grew with the data: {grown} (all: {counts})"


@pytest.mark.parametrize("role_name", ["fund manager", "finance bureau", "auditor"])
def test_each_roles_home_page_runs_as_many_queries_at_three_times_the_data(
        app, db, connection, role_name):
    counts = counts_at_two_sizes(app, db, connection, role_name, ["home"])
    assert counts["home"][0] == counts["home"][1], counts


def test_the_bureau_sees_the_region_page_in_constant_queries(app, db, connection):
    counts = counts_at_two_sizes(app, db, connection, "finance bureau", ["region page"])
    assert counts["region page"][0] == counts["region page"][1], counts


def test_the_region_page_lists_a_bounded_page_of_projects_and_counts_them_all(db):
    World(db).grow(3)  # 3 positions and 6 covered projects arriving in Heyuan
    figures = regions.region_figures(db, SYSTEM, "441600", Quarter.parse(QUARTER),
                                     project_limit=4)
    everything = regions.region_figures(db, SYSTEM, "441600", Quarter.parse(QUARTER))
    assert len(figures.projects) == 4
    assert figures.projects == everything.projects[:4]
    assert figures.projects_total == everything.projects_total == len(everything.projects) >= 9
