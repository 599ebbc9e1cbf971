"""The catalogue on the web and in the API: the project page's flag, the list filter, the counts
on the fund and region pages, the import page, the changes page, decisions, the API and exports
(catalogue.md)."""

from __future__ import annotations

import csv
import io

from app.domain.codes import Role
from app.services.access.scopes import SYSTEM
from app.services.exchange import exports
from tests.factories import invest, make_fund, make_project, make_user
from tests.integration.catalogue_helpers import load_edition
from tests.web.api_helpers import bearer, token_for
from tests.web.helpers import client_of, form_alerts, text_of

EDITION = ("441600,NO_LONGER,建材,水泥熟料,30,,FALSE\n"
           "441600,PRIORITY,电子信息,电子元器件,39,,FALSE\n"
           "441600,ADJUST_EXIT,纺织服装,服装加工,18,智能制造除外,FALSE\n")


def _world(db):
    fund = make_fund(db)
    red = make_project(db, code="W-RED", destination="441623", industry="30", is_two_high=True,
                       capacity_replacement_ref="粤工信产能置换〔2024〕12号")
    green = make_project(db, code="W-GREEN", destination="441602", industry="39")
    review = make_project(db, code="W-REVIEW", destination="441602", industry="18")
    grey = make_project(db, code="W-GREY", destination="441602", industry="65")
    for project in (red, green, review, grey):
        invest(db, fund, project)
    assert load_edition(db, EDITION, "web edition").ok
    return fund, red, green, review, grey


def test_the_project_page_shows_the_flag_in_colour_and_words_with_the_entry_and_edition(app, db):
    _fund, red, *_ = _world(db)
    admin = client_of(app, make_user(db, Role.ADMIN))
    page = text_of(admin.get(f"/projects/{red.id}"))
    assert 'class="flag flag-NO_LONGER">No longer to take on</span>' in page
    assert "水泥熟料" in page and "建材" in page and "web edition" in page
    assert "Two-high</span>" in page  # the two-high flag, beside
    chinese = client_of(app, make_user(db, Role.ADMIN, locale="zh"))
    page = text_of(chinese.get(f"/projects/{red.id}"))
    assert 'class="flag flag-NO_LONGER">引导不再承接</span>' in page
    assert "产业转移指导目录" in page and "目录条目" in page


def test_the_project_list_filters_and_shows_the_flag(app, db):
    _world(db)
    admin = client_of(app, make_user(db, Role.ADMIN))
    page = text_of(admin.get("/projects/?catalogue=NO_LONGER"))
    assert "W-RED" in page and "W-GREEN" not in page
    page = text_of(admin.get("/projects/?catalogue=NONE&q=W-"))
    assert "W-GREY" in page and "W-RED" not in page and "W-GREEN" not in page
    page = text_of(admin.get("/projects/?q=W-"))
    assert page.count("flag flag-PRIORITY") == 1 and page.count("flag flag-REVIEW") == 1
    refused = admin.get("/projects/?catalogue=PINK")
    assert "is not one of the choices" in text_of(refused)


def test_the_fund_dashboard_and_the_region_page_count_the_flags(app, db):
    fund, *_ = _world(db)
    admin = client_of(app, make_user(db, Role.ADMIN))
    page = text_of(admin.get(f"/funds/{fund.id}"))
    table = page[page.index('class="flag-counts"'):]
    table = table[:table.index("</table>")]
    for flag, number in (("PRIORITY", 1), ("ADJUST_EXIT", 0), ("NO_LONGER", 1), ("REVIEW", 1),
                         ("NONE", 1)):
        row = table[table.index(f"flag-{flag}"):]
        assert f'<td class="num">{number}</td>' in row[:row.index("</tr>")], flag
    region = text_of(admin.get("/regions/441600"))
    assert 'class="flag-counts"' in region and "flag flag-NO_LONGER" in region


def test_an_administrator_imports_an_edition_and_bad_rows_are_named(app, db):
    _world(db)
    admin = client_of(app, make_user(db, Role.ADMIN))
    bad = admin.post("/catalogue/import", data={
        "name": "broken", "file": (io.BytesIO(
            "region,list,heading,text,codes\n441600,PRIORITY,建材,x,99999\n".encode()),
            "bad.csv")}, content_type="multipart/form-data")
    assert bad.status_code == 422
    assert any('row 2, codes: "99999"' in a for a in form_alerts(bad))
    good = admin.post("/catalogue/import", data={
        "name": "second", "make_current": "y", "file": (io.BytesIO(
            "region,list,heading,text,codes\n441600,PRIORITY,建材,绿色建材,30\n".encode()),
            "second.csv")}, content_type="multipart/form-data")
    assert good.status_code == 302 and "/changes" in good.headers["Location"]
    changes = text_of(admin.get(good.headers["Location"]))
    assert "W-RED" in changes and "W-GREEN" in changes  # 39 is no longer listed: NONE
    assert "W-GREY" not in changes
    template = admin.get("/catalogue/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"


def test_only_administrators_import_or_choose_the_current_edition(app, db):
    _world(db)
    bureau = client_of(app, make_user(db, Role.FINANCE_BUREAU, "441600"))
    assert "Import an edition" not in text_of(bureau.get("/catalogue/"))
    assert bureau.post("/catalogue/import", data={}).status_code == 404
    assert bureau.post("/catalogue/1/current").status_code == 404


def test_a_person_decides_a_review_and_the_page_shows_who_and_why(app, db):
    _fund, _red, _green, review, _grey = _world(db)
    admin = client_of(app, make_user(db, Role.ADMIN))
    page = text_of(admin.get(f"/projects/{review.id}"))
    assert "flag flag-REVIEW" in page and "智能制造除外" in page
    link = page[page.index("/catalogue/results/"):]
    link = link[:link.index('"')]
    form = text_of(admin.get(link))
    version = form[form.index('name="version"'):].split('value="')[1].split('"')[0]
    missing = admin.post(link, data={"list": "ADJUST_EXIT", "reason": "", "version": version})
    assert missing.status_code == 422
    done = admin.post(link, data={"list": "ADJUST_EXIT", "reason": "服装加工，非智能制造",
                                  "version": version})
    assert done.status_code == 302
    page = text_of(admin.get(f"/projects/{review.id}"))
    assert "flag flag-ADJUST_EXIT" in page and "服装加工，非智能制造" in page
    bureau = client_of(app, make_user(db, Role.FINANCE_BUREAU, "441600"))
    assert bureau.get(link).status_code == 404  # reads the project, may not decide


def test_the_api_gives_a_project_its_catalogue_object_and_reads_editions(app, db, client):
    _fund, red, green, _review, grey = _world(db)
    token = token_for(db, make_user(db, Role.ADMIN))
    body = client.get(f"/api/v1/projects/{red.id}", headers=bearer(token)).get_json()
    assert body["catalogue"]["list"] == "NO_LONGER"
    assert body["catalogue"]["edition"] == "web edition"
    assert body["catalogue"]["entry"]["text"] == "水泥熟料"
    assert body["catalogue"]["entry"]["codes"] == ["30"]
    assert body["is_two_high"] is True
    grey_body = client.get(f"/api/v1/projects/{grey.id}", headers=bearer(token)).get_json()
    assert grey_body["catalogue"]["list"] == "NONE" and grey_body["catalogue"]["entry"] is None
    page = client.get("/api/v1/projects?catalogue=PRIORITY", headers=bearer(token)).get_json()
    assert [p["code"] for p in page["items"]] == [green.code]
    editions = client.get("/api/v1/catalogue/editions", headers=bearer(token)).get_json()
    current = [e for e in editions if e["is_current"]]
    assert [e["name"] for e in current] == ["web edition"]
    entries = client.get(f"/api/v1/catalogue/editions/{current[0]['id']}/entries",
                         headers=bearer(token)).get_json()
    assert [(e["region"], e["list"], e["codes"]) for e in entries] == [
        ("441600", "NO_LONGER", ["30"]), ("441600", "PRIORITY", ["39"]),
        ("441600", "ADJUST_EXIT", ["18"])]
    assert client.get("/api/v1/catalogue/editions/999999/entries",
                      headers=bearer(token)).status_code == 404


def test_an_export_of_projects_carries_the_flag_and_imports_back(db):
    _world(db)
    out = io.BytesIO()
    exports.export(db, SYSTEM, "projects", "csv", out)
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig")))}
    assert rows["W-RED"]["catalogue_flag"] == "NO_LONGER"
    assert rows["W-RED"]["catalogue_edition"] == "web edition"
    assert rows["W-GREY"]["catalogue_flag"] == "NONE"


def test_the_api_lists_a_projects_results_under_every_edition_within_its_scope(app, db, client):
    _fund, red, *_rest = _world(db)
    second = load_edition(db, EDITION.replace("441600,NO_LONGER,建材,水泥熟料,30",
                                              "441600,PRIORITY,建材,绿色建材,30"),
                          "second edition", current=True)
    assert second.ok
    token = token_for(db, make_user(db, Role.ADMIN))
    results = client.get(f"/api/v1/projects/{red.id}/screening",
                         headers=bearer(token)).get_json()
    assert [(r["edition"], r["is_current"], r["list"], r["entry"]["text"]) for r in results] == [
        ("second edition", True, "PRIORITY", "绿色建材"),
        ("web edition", False, "NO_LONGER", "水泥熟料")]
    heyuan = token_for(db, make_user(db, Role.FINANCE_BUREAU, "441600"))
    assert client.get(f"/api/v1/projects/{red.id}/screening",
                      headers=bearer(heyuan)).status_code == 200
    outside = token_for(db, make_user(db, Role.FINANCE_BUREAU, "340100"))  # 合肥
    assert client.get(f"/api/v1/projects/{red.id}/screening",
                      headers=bearer(outside)).status_code == 404
    assert client.get(f"/api/v1/projects/{red.id}", headers=bearer(outside)).status_code == 404
