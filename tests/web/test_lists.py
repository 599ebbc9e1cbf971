"""The list pages: filter forms, sortable headers and pagers whose links keep the state; bad
parameters answered with a message naming the field, never a server error."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.domain.codes import Role
from app.models import Fund
from app.services.lists.keyset import MAX_GROUPS, encode_cursor
from tests.factories import make_fund, make_project, make_user
from tests.integration.sharing_factories import half_and_half, make_agreement, observe
from tests.web.helpers import client_of, errors_beside, form_alerts, statements_of_get, text_of

PAGES = ["/funds/", "/projects/", "/agreements/", "/observations/", "/audit/"]


def _links(response, rel: str | None = None) -> list[str]:
    pattern = rf'rel="{rel}" href="([^"]+)"' if rel else r'href="([^"]+)"'
    return [html.unescape(h) for h in re.findall(pattern, text_of(response))]


def _args(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _showing(response) -> int:
    return int(re.search(r"Showing (\d+) rows", text_of(response)).group(1))


def _codes(response, prefix: str) -> list[str]:
    return re.findall(rf">({prefix}\d+)</a>", text_of(response))


@pytest.fixture
def seeded(db):
    """Twelve projects LP-01…LP-12 (Shenzhen → Heyuan, the even ones → Hefei), an agreement
    covering the Heyuan ones, two quarters of observations, and three funds."""
    projects = [make_project(db, f"LP-{n:02d}", name=f"列表项目 {n:02d}",
                             destination="340102" if n % 2 == 0 else "441602")
                for n in range(1, 13)]
    heyuan = [p.code for p in projects if p.destination_region.code == "441602"]
    agreement = make_agreement(db, "LP-AG", heyuan, [half_and_half()])
    for quarter in ("2024Q1", "2024Q2"):
        observe(db, quarter, {(code, "TAX_LOCAL"): "100.00" for code in heyuan})
    for code, sponsor in (("LPF-1", "440300"), ("LPF-2", "441600"), ("LPF-3", "340100")):
        make_fund(db, code, sponsor=sponsor)
    db.commit()
    return projects, agreement


@pytest.fixture
def admin(app, db):
    return client_of(app, make_user(db, Role.ADMIN))


def test_every_list_page_renders_its_filter_form_headers_and_pager(app, db, seeded, admin):
    for path in PAGES:
        response = admin.get(path)
        assert response.status_code == 200, path
        body = text_of(response)
        assert 'role="search"' in body and 'name="per_page"' in body, path
        assert 'class="pager"' in body and "Showing" in body, path


def test_projects_page_through_with_filters_kept_in_every_link(seeded, admin):
    first = admin.get("/projects/?q=LP-&per_page=25&sort=-code")
    assert _codes(first, "LP-") == [f"LP-{n:02d}" for n in range(12, 0, -1)]
    small = admin.get("/projects/?q=lp-&sort=code&destination_region=440000&per_page=25")
    assert _codes(small, "LP-") == ["LP-01", "LP-03", "LP-05", "LP-07", "LP-09", "LP-11"]
    assert _showing(small) == 6
    for link in _links(small):
        if "/projects/?" in link:
            args = _args(link)
            assert args["q"] == "lp-" and args["destination_region"] == "440000", link
            assert "cursor" not in args, link  # a header or "first" restarts at page one


def test_the_pager_goes_forward_and_back_keeping_the_filters(db, admin):
    for n in range(1, 61):
        make_project(db, f"PG-{n:03d}", name=f"{'很长的项目名称' * 28} {n:03d}")
    db.commit()
    first = admin.get("/projects/?q=PG-&per_page=25&sort=name")
    assert _showing(first) == 25 and not _links(first, "prev")
    second = admin.get(_links(first, "next")[0])
    assert _args(_links(first, "next")[0])["q"] == "PG-"
    assert _codes(second, "PG-")[0] == "PG-026"
    third = admin.get(_links(second, "next")[0])
    assert _codes(third, "PG-") == [f"PG-{n:03d}" for n in range(51, 61)]
    assert not _links(third, "next") and _showing(third) == 10
    back = admin.get(_links(third, "prev")[0])
    assert _codes(back, "PG-") == _codes(second, "PG-")
    assert _args(_links(back, "first")[0]) == {"q": "PG-", "per_page": "25", "sort": "name"}


def test_a_sort_header_reverses_the_order_it_is_sorted_by(seeded, admin):
    page = admin.get("/projects/?q=LP-&sort=name")
    headers = [link for link in _links(page) if "sort=" in link]
    assert any(_args(h).get("sort") == "-name" for h in headers)
    assert any(_args(h).get("sort") == "destination" for h in headers)
    assert 'aria-sort="ascending"' in text_of(page)


@pytest.mark.parametrize("path,field", [
    ("/projects/?destination_region=999999", "destination_region"),
    ("/projects/?status=SOMETIMES", "status"),
    ("/funds/?sponsor_region=12", "sponsor_region"),
    ("/agreements/?party_region=abc", "party_region"),
    ("/observations/?quarter_from=2024Q9", "quarter_from"),
    ("/observations/?quarter_to=soon", "quarter_to"),
    ("/observations/?region=000000", "region"),
    ("/observations/?indicator=NOPE", "indicator"),
    ("/audit/?since=yesterday", "since"),
    ("/projects/?per_page=7", "per_page"),
])
def test_a_bad_filter_is_reported_beside_its_field_with_422(seeded, admin, path, field):
    response = admin.get(path)
    assert response.status_code == 422
    assert errors_beside(response, field), (path, text_of(response)[:300])


@pytest.mark.parametrize("path,field", [
    ("/projects/?q=LP-&sort=enterprise", "sort"),
    ("/projects/?q=LP-&cursor=not-a-cursor", "cursor"),
    ("/observations/?cursor=eyJ4Ijox", "cursor"),
    ("/audit/?sort=who", "sort"),
    ("/funds/?cursor=%FF%FE", "cursor"),
])
def test_a_bad_sort_or_cursor_names_the_field_and_shows_the_first_page(seeded, admin, path,
                                                                       field):
    response = admin.get(path)
    assert response.status_code == 422
    assert any(alert.startswith(f"{field}:") for alert in form_alerts(response))
    assert 'class="pager"' in text_of(response)


def test_a_cursor_from_another_sort_is_refused_not_followed(seeded, admin):
    projects, _agreement = seeded
    cursor = encode_cursor("code", False, ("LP-03", projects[2].id))
    assert _codes(admin.get(f"/projects/?q=LP-&cursor={cursor}"), "LP-")[0] == "LP-04"
    response = admin.get(f"/projects/?q=LP-&sort=name&cursor={cursor}")
    assert response.status_code == 422
    assert _codes(response, "LP-")[0] == "LP-01"


def test_the_empty_state_says_whether_filters_hide_everything(seeded, admin):
    nothing = text_of(admin.get("/projects/?q=no-such-project"))
    assert "Nothing matches these filters." in nothing
    assert "Showing 0 rows" in nothing


def test_observations_list_links_the_project_and_the_agreement_quarter_grid(seeded, admin):
    projects, agreement = seeded
    response = admin.get("/observations/?project=LP-0&indicator=TAX_LOCAL&per_page=25")
    body = text_of(response)
    first = next(p for p in projects if p.code == "LP-01")
    assert f'href="/projects/{first.id}"' in body
    assert f'href="/agreements/{agreement.id}/quarters/2024Q2/observations"' in body
    assert 'aria-sort="descending"' in body  # newest quarter first
    rows = re.findall(r"<td>(2024Q\d)</td>", body)
    assert rows[:5] == ["2024Q2"] * 5 and rows[-1] == "2024Q1"
    assert _showing(response) == 10  # LP-01, 03, 05, 07, 09 × two quarters


def test_a_bureau_sees_only_observations_of_its_region_even_when_it_asks_for_others(
        app, db, seeded):
    hefei = client_of(app, make_user(db, Role.FINANCE_BUREAU, "340100"))
    response = hefei.get("/observations/?project=LP-&region=441600")
    assert response.status_code == 200
    assert _codes(response, "LP-") == [] and _showing(response) == 0
    heyuan = client_of(app, make_user(db, Role.FINANCE_BUREAU, "441600"))
    assert len(_codes(heyuan.get("/observations/?project=LP-&per_page=100"), "LP-")) == 12


def test_the_funds_list_shows_only_funds_in_scope_and_keeps_the_quarter(app, db, seeded):
    bureau = client_of(app, make_user(db, Role.FINANCE_BUREAU, "441600"))
    response = bureau.get("/funds/?q=LPF&quarter=2024Q4")
    assert _codes(response, "LPF-") == ["LPF-2"]
    for link in _links(response):
        if link.startswith("/funds/?"):
            assert _args(link)["quarter"] == "2024Q4", link
    fund_id = db.scalar(select(Fund.id).where(Fund.code == "LPF-2"))
    assert f"/funds/{fund_id}?quarter=2024Q4" in _links(response)  # its figures as of then
    current = _links(bureau.get("/funds/?q=LPF"))
    assert f"/funds/{fund_id}" in current  # the dashboard's own default: no query


def test_the_audit_trail_keeps_its_filters_and_stays_closed_to_bureaus(app, db, seeded, admin):
    response = admin.get("/audit/?actor=tests&per_page=25")
    assert response.status_code == 200 and _showing(response) == 25
    following = _links(response, "next")[0]
    assert _args(following)["actor"] == "tests"
    older = admin.get(following)
    assert older.status_code == 200 and _showing(older) >= 1
    bureau = client_of(app, make_user(db, Role.FINANCE_BUREAU, "441600"))
    assert bureau.get("/audit/").status_code == 404


def _queries(connection, client, path: str) -> int:
    return statements_of_get(connection, client, path)


def _grow(db, prefix: str, n: int) -> None:
    codes = [make_project(db, f"{prefix}{i:02d}").code for i in range(n)]
    make_agreement(db, f"{prefix}AG", codes, [half_and_half()])
    for quarter in ("2024Q1", "2024Q2", "2024Q3"):
        observe(db, quarter, {(c, i): "1.00" for c in codes for i in ("TAX_LOCAL", "REVENUE")})
    for i in range(n):
        make_fund(db, f"{prefix}F{i:02d}")
    db.commit()


@pytest.mark.parametrize("path", [*PAGES, "/observations/?project=QC&region=440000",
                                  "/projects/?q=QC&sort=-destination"])
def test_a_list_page_runs_no_more_queries_with_ten_times_the_rows(app, db, connection, path):
    client = client_of(app, make_user(db, Role.ADMIN))
    _grow(db, "QCA", 3)
    client.get(path)  # warm: caches filled, sessions loaded
    small = _queries(connection, client, path)
    _grow(db, "QCB", 30)
    client.get(path)
    grown = _queries(connection, client, path)
    if path.startswith("/observations/"):
        # read a quarter at a time: a short quarter costs a query more, never a larger table
        assert grown <= small <= grown + 2 * MAX_GROUPS
    else:
        assert grown == small
