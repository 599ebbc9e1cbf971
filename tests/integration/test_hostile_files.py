"""Hostile files cost little: a zip bomb, an XML bomb, an external entity, an endless CSV line, a
NUL byte, too many rows or too much time are refused with a message naming the problem — through
the service, the CLI and the web upload — in seconds, and nothing is written."""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest

from app.domain.codes import Role
from app.models import Fund
from app.services.access.scopes import SYSTEM
from app.services.exchange.imports import import_file
from app.services.exchange.imports.limits import MB, Limits
from tests.cli.running import run_command
from tests.factories import make_fund, make_user
from tests.hostile import SHEET, billion_laughs, external_entity, small_xlsx, with_member, zip_bomb
from tests.integration.test_import_support import FUND_HEADER, csv_bytes
from tests.web.helpers import client_of, count, text_of

FUND = ["HF-1", "基金", "440300", "粤财资本", "INDUSTRIAL", "2024", "1000000000", "", ""]


def _import(db, data: bytes, name: str, limits: Limits | None = None):
    started = time.monotonic()
    result = import_file(db, SYSTEM, "funds", io.BytesIO(data), name, dry_run=False,
                         limits=limits)
    return result, time.monotonic() - started


def _bomb(unpacked: int) -> bytes:
    out = io.BytesIO()
    zip_bomb(out, unpacked, header=FUND_HEADER)
    return out.getvalue()


def test_a_zip_bomb_is_refused_from_its_declared_sizes_before_anything_is_unpacked(db):
    data = _bomb(300 * MB)  # ~300 KB packed: about 1000:1
    result, seconds = _import(db, data, "funds.xlsx")
    assert "looks like a zip bomb" in result.errors[0]
    assert seconds < 2 and count_funds(db) == 0


def test_an_archive_too_large_once_unpacked_or_of_too_many_members_is_refused(db):
    data = _bomb(12 * MB)
    too_large, _ = _import(db, data, "funds.xlsx", Limits(max_unpacked=8 * MB, max_ratio=10**6))
    assert too_large.errors[0].startswith("the workbook is too large once unpacked (12 MB")
    many, _ = _import(db, data, "funds.xlsx", Limits(max_members=3, max_ratio=10**6))
    assert "files inside; the limit is 3" in many.errors[0]


def test_rows_and_time_are_limited(db):
    rows = [[f"HF-{n}", *FUND[1:]] for n in range(2500)]
    data = csv_bytes(FUND_HEADER, rows)
    too_many, _ = _import(db, data, "funds.csv", Limits(max_rows=100))
    assert too_many.errors == ["the file has more than 100 rows: split it into smaller files"]
    too_slow, _ = _import(db, data, "funds.csv", Limits(max_seconds=0))
    assert too_slow.errors[0].startswith("reading the file took longer than 0 seconds (after ")
    assert count_funds(db) == 0


@pytest.mark.parametrize(("tail", "message"), [
    (b"x" * (3 * MB), "a line is longer than 1048576 characters"),
    (b"," * (3 * MB), "a line is longer than 1048576 characters"),
    (b"HF-2,\x00,440300\r\n", "the text holds a NUL character"),
    (b"HF-2,\xff\xfe,440300\r\n", "the text is not valid UTF-8 from here on"),
], ids=["long-line", "endless-commas", "nul", "invalid-utf8"])
def test_a_csv_that_is_not_a_table_of_text_is_refused_naming_the_row(db, tail, message):
    head = csv_bytes(FUND_HEADER, [FUND] * 3000)  # past the first 64 KB that are sniffed
    result, seconds = _import(db, head + tail, "funds.csv")
    assert message in result.errors[0] and result.errors[0].startswith("row 3002")
    assert seconds < 10 and count_funds(db) == 0


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


HOSTILE_XML = {"billion-laughs-sheet": (SHEET, billion_laughs()),
               "billion-laughs-workbook": ("xl/workbook.xml", billion_laughs()),
               "external-entity-sheet": (SHEET, external_entity()),
               "external-entity-manifest": ("[Content_Types].xml", external_entity())}


@pytest.mark.parametrize("attack", list(HOSTILE_XML))
def test_hostile_xml_is_an_unreadable_workbook_on_the_cli_and_the_web(app, db, runner, tmp_path,
                                                                       attack):
    member, xml = HOSTILE_XML[attack]
    data = with_member(small_xlsx(header=FUND_HEADER), member, xml)
    path = tmp_path / "funds.xlsx"
    path.write_bytes(data)
    cli = run_command(app, runner, "import", "funds", str(path))
    assert cli.exit_code == 1 and "not a readable XLSX workbook" in cli.output
    assert "root:" not in cli.output  # /etc/passwd never read into a message
    admin = client_of(app, make_user(db, Role.ADMIN))
    response = admin.post("/exchange/preview", data={"kind": "funds", "file": (
        io.BytesIO(data), "funds.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "not a readable XLSX workbook" in text_of(response)


def test_a_zip_bomb_uploaded_on_the_web_is_refused_in_seconds_and_nothing_is_written(app, db):
    make_fund(db, "OWN-F")
    admin = client_of(app, make_user(db, Role.ADMIN))
    db.commit()
    data = _bomb(300 * MB)
    started = time.monotonic()
    response = admin.post("/exchange/preview", data={"kind": "funds", "file": (
        io.BytesIO(data), "funds.xlsx")}, content_type="multipart/form-data")
    assert time.monotonic() - started < 3
    assert response.status_code == 422 and "looks like a zip bomb" in text_of(response)
    assert count(db, Fund) == 1


def test_the_cli_and_the_web_apply_the_configured_limits(app, db, runner, tmp_path):
    app.config["IMPORT_MAX_ROWS"] = 2
    data = csv_bytes(FUND_HEADER, [FUND, ["HF-2", *FUND[1:]]])
    path = tmp_path / "funds.csv"
    path.write_bytes(data)
    cli = run_command(app, runner, "import", "funds", str(path))
    assert cli.exit_code == 1 and "the file has more than 2 rows" in cli.output
    admin = client_of(app, make_user(db, Role.ADMIN))
    db.commit()
    response = admin.post("/exchange/preview", data={"kind": "funds", "file": (
        io.BytesIO(data), "funds.csv")}, content_type="multipart/form-data")
    assert "the file has more than 2 rows" in text_of(response)


def count_funds(db) -> int:
    return count(db, Fund)


def test_the_bomb_generator_makes_what_it_says():
    out = io.BytesIO()
    zip_bomb(out, 20 * MB)
    with zipfile.ZipFile(out) as archive:
        assert archive.getinfo(SHEET).file_size >= 20 * MB
        assert archive.getinfo(SHEET).compress_size < 100_000
