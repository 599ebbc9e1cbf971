"""The import pages: upload → dry-run preview listing every error → confirm; size and type
limits; XLSX templates with drop-down lists; exports of what the user can see; and the same bad
row gives the same message on the web as on the command line."""

from __future__ import annotations

import html
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.domain.codes import Role
from app.models import Fund, Upload
from tests.cli.running import run_command
from tests.factories import make_fund, make_user
from tests.integration.test_import_support import FUND_HEADER, csv_bytes
from tests.web.helpers import client_of, count, text_of

FUND = ["WEB-F", "网页基金", "440300", "粤财资本", "INDUSTRIAL", "2024", "1000000000", "", ""]
BAD = ["WEB-G", "坏基金", "440300", "粤财资本", "INDUSTRIAL", "2024", "12,3a", "", ""]


def _upload(client, data: bytes, name: str = "funds.csv", kind: str = "funds"):
    return client.post("/exchange/preview", data={"kind": kind, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


@pytest.fixture
def manager(app, db):
    """A fund manager (of a fund of their own) signed in."""
    user = make_user(db, Role.FUND_MANAGER, make_fund(db, "OWN-F").code)
    db.commit()
    return client_of(app, user)


def test_the_preview_counts_the_rows_and_nothing_is_written_until_confirmed(db, manager):
    response = _upload(manager, csv_bytes(FUND_HEADER, [FUND]))
    assert response.status_code == 200
    page = text_of(response)
    assert "funds.csv" in page and 'action="/exchange/confirm"' in page
    assert db.scalar(select(Fund.id).where(Fund.code == "WEB-F")) is None
    upload_id = db.scalar(select(Upload.id))
    done = manager.post("/exchange/confirm", data={"upload_id": str(upload_id)})
    assert (done.status_code, done.headers["Location"]) == (302, "/exchange/")
    assert db.scalar(select(Fund.id).where(Fund.code == "WEB-F")) is not None
    assert count(db, Upload) == 0  # imported: forgotten
    assert "funds.csv imported: 1 added, 0 updated, 0 unchanged." in text_of(
        manager.get("/exchange/"))


def test_every_error_is_listed_by_row_and_nothing_can_be_confirmed(db, manager):
    response = _upload(manager, csv_bytes(FUND_HEADER, [FUND, BAD, [*BAD[:6], "x", *BAD[7:]]]))
    assert response.status_code == 422
    page = text_of(response)
    assert "row 3, target_size: &#34;12,3a&#34; is not a number" in page
    assert "row 4, target_size: &#34;x&#34; is not a number" in page
    assert "/exchange/confirm" not in page
    assert (count(db, Fund), count(db, Upload)) == (1, 0)  # only OWN-F


def test_the_same_bad_row_gets_the_same_message_on_the_web_and_the_command_line(
        app, runner, db, manager, tmp_path):
    data = csv_bytes(FUND_HEADER, [BAD])
    path = tmp_path / "funds.csv"
    path.write_bytes(data)
    cli = run_command(app, runner, "import", "funds", str(path))
    message = 'row 2, target_size: "12,3a" is not a number'
    assert message in cli.stderr
    web = text_of(_upload(manager, data))
    assert message.replace('"', "&#34;") in web


def test_an_upload_over_the_limit_is_refused_with_413_and_nothing_is_written(db, manager):
    big = csv_bytes(FUND_HEADER, [FUND]) + b"#" * (50 * 1024 * 1024)
    response = _upload(manager, big)
    assert response.status_code == 413
    assert (count(db, Upload), db.scalar(select(func.count()).select_from(Fund))) == (0, 1)


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "old.xls", "old-format Excel file"),
    (b"code,name\r\n", "fake.xlsx", "is named .xlsx but is not an Excel workbook"),
    (b"MZ\x90\x00", "tool.exe", "is neither a .csv nor an .xlsx file"),
], ids=["xls", "csv-named-xlsx", "exe"])
def test_files_of_the_wrong_type_are_refused_beside_the_file_field(db, manager, data, name,
                                                                   message):
    response = _upload(manager, data, name)
    assert response.status_code == 422
    assert message in text_of(response)
    assert count(db, Upload) == 0


def test_a_gbk_file_is_previewed_saying_how_it_was_read(manager):
    response = _upload(manager, csv_bytes(FUND_HEADER, [FUND], "gbk"))
    assert response.status_code == 200
    assert "gb18030" in text_of(response)


def test_an_upload_can_be_confirmed_only_by_its_uploader(app, db, manager):
    _upload(manager, csv_bytes(FUND_HEADER, [FUND]))
    upload_id = db.scalar(select(Upload.id))
    other = client_of(app, make_user(db, Role.ADMIN))
    assert other.post("/exchange/confirm", data={"upload_id": str(upload_id)}).status_code == 404
    assert manager.post("/exchange/confirm", data={"upload_id": "x"}).status_code == 404


def test_templates_have_the_headers_an_example_and_drop_down_lists(manager):
    response = manager.get("/exchange/template?kind=transactions")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["transactions"]
    assert [c.value for c in sheet[1]] == ["reference", "fund_code", "project_code",
                                           "instrument", "type", "date", "amount", "reverses",
                                           "note"]
    assert sheet["D2"].value == "EQUITY"
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert set(lists) == {"D2:D1001", "E2:E1001"}
    codes = [c.value for c in book["_lists"]["A"][1:]]
    assert {"EQUITY", "LOAN", "GRANT", "股权"} <= set(codes)
    assert book["_lists"].sheet_state == "hidden"


def test_who_may_import_what(app, db, manager):
    auditor = client_of(app, make_user(db, Role.AUDITOR))
    bureau = client_of(app, make_user(db, Role.FINANCE_BUREAU, "441600"))
    assert _upload(auditor, csv_bytes(FUND_HEADER, [FUND])).status_code == 404
    assert auditor.get("/exchange/template?kind=funds").status_code == 404
    assert _upload(bureau, csv_bytes(FUND_HEADER, [FUND])).status_code == 422  # not offered
    assert bureau.get("/exchange/template?kind=observations").status_code == 200
    assert bureau.get("/exchange/template?kind=funds").status_code == 404
    assert "Check the file" not in text_of(auditor.get("/exchange/"))


def test_exports_hold_what_the_user_can_see(db, manager):
    make_fund(db, "NOT-MINE")
    db.commit()
    response = manager.get("/exchange/export?kind=funds&format=csv")
    assert response.status_code == 200
    lines = response.data.decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines] == ["code", "OWN-F"]
    xlsx = manager.get("/exchange/export?kind=funds&format=xlsx")
    assert load_workbook(io.BytesIO(xlsx.data))["funds"]["A2"].value == "OWN-F"
    assert manager.get("/exchange/export?kind=users&format=csv").status_code == 404


def test_the_navigation_links_to_import_and_export(manager):
    assert 'href="/exchange/"' in text_of(manager.get("/"))


def test_a_bureau_imports_settlement_notices_from_the_import_page(app, db):
    from app.models import SettlementNotice
    from tests.integration.settlement_helpers import Example
    from tests.integration.test_settlement_notice_import import HEADER, row

    world = Example(db, years=1)
    run, _ = world.compute(db, world.first)
    world.confirm(db, run)
    db.commit()
    client = client_of(app, world.dest_user)
    page = text_of(client.get("/exchange/"))
    assert 'value="notices"' in page and "/exchange/template?kind=notices" in page
    assert "/exchange/export?kind=notices" not in page  # notices are imported, not exported
    template = client.get("/exchange/template?kind=notices")
    assert template.status_code == 200
    assert [c.value for c in load_workbook(io.BytesIO(template.data))["notices"][1]] == HEADER
    refused = _upload(client, csv_bytes(HEADER, [row(world.first, payer_region="440300",
                                                     payee_region="441600")]),
                      "notices.csv", "notices")
    assert refused.status_code == 422
    assert "row 2, payee_region:" in text_of(refused)
    preview = _upload(client, csv_bytes(HEADER, [row(world.first)]), "notices.csv", "notices")
    assert preview.status_code == 200 and count(db, SettlementNotice) == 0
    done = client.post("/exchange/confirm", data={"upload_id": str(db.scalar(select(Upload.id)))})
    assert done.status_code == 302 and count(db, SettlementNotice) == 1
def test_parks_are_imported_by_an_administrator_and_park_membership_by_a_fund_manager(
        app, db, manager):
    from app.models import Park
    from tests.integration.test_import_parks import PARK_HEADER, park_row
    admin = client_of(app, make_user(db, Role.ADMIN))
    page = text_of(admin.get("/exchange/"))
    assert "kind=parks" in page and "kind=park_members" in page  # templates and exports
    preview = _upload(admin, csv_bytes(PARK_HEADER, [park_row("WEB-ZONE", cycle_end="2023-01-01")]),
                      "parks.csv", "parks")
    assert preview.status_code == 422
    assert 'row 2, cycle_end: "2023-01-01": the cycle must end after it starts (2024-01-01)' \
        in html.unescape(text_of(preview))
    assert _upload(admin, csv_bytes(PARK_HEADER, [park_row("WEB-ZONE")]), "parks.csv",
                   "parks").status_code == 200
    assert db.scalar(select(Park.id).where(Park.code == "WEB-ZONE")) is None  # until confirmed
    mine = text_of(manager.get("/exchange/"))
    assert "template?kind=park_members" in mine and "template?kind=parks" not in mine
    assert manager.get("/exchange/template?kind=parks").status_code == 404
    assert _upload(manager, csv_bytes(PARK_HEADER, [park_row()]), "parks.csv",
                   "parks").status_code == 422  # not offered
    exported = admin.get("/exchange/export?kind=parks&format=csv")
    assert exported.status_code == 200
    assert exported.data.decode("utf-8-sig").splitlines()[0] == ",".join(PARK_HEADER)
