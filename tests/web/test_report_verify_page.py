"""Verifying a PDF on the issued-reports page: a real issued file, one altered byte, the same file
after its data changed, garbage and an empty upload; the page is in the navigation."""

from __future__ import annotations

import datetime as dt
import io

from app.domain.codes import Role, TransactionType
from app.services.access.scopes import SYSTEM
from app.services.reporting import issuing
from app.web.reports import views as report_views
from tests.factories import make_user
from tests.integration.report_helpers import Q, build_world, entry
from tests.web.helpers import client_of, text_of


def _check(client, data: bytes, name: str = "report.pdf"):
    return client.post("/reports/verify", data={"pdf": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _issued(db):
    world = build_world(db)
    report = issuing.issue(db, SYSTEM, "fund", "RF-1", Q)
    _report, pdf = issuing.fetch(db, SYSTEM, report.id)
    manager = make_user(db, Role.FUND_MANAGER, world.fund.code)
    db.commit()
    return world, report, pdf, manager


def test_the_issued_reports_page_is_in_the_navigation_with_an_upload_form(app, db):
    _world, _report, _pdf, manager = _issued(db)
    page = text_of(client_of(app, manager).get("/"))
    assert 'href="/reports/"' in page
    listing = text_of(client_of(app, manager).get("/reports/"))
    assert 'action="/reports/verify"' in listing and 'type="file"' in listing
    assert "flask --app wsgi report verify" not in listing


def test_an_issued_pdf_is_unchanged_and_one_altered_byte_is_not(app, db):
    _world, report, pdf, manager = _issued(db)
    client = client_of(app, manager)
    good = _check(client, pdf)
    assert good.status_code == 200
    text = text_of(good)
    assert "Issued, unchanged:" in text and "RF-1" in text and f"version {report.version}" in text
    assert "The data behind it is unchanged since it was issued." in text
    altered = bytearray(pdf)
    altered[len(altered) // 2] ^= 0x01
    other = text_of(_check(client, bytes(altered)))
    assert "Issued, unchanged:" not in other
    assert "Not the issued file:" in other or "Not an issued report." in other


def test_a_report_whose_data_changed_since_says_so(app, db):
    world, _report, pdf, manager = _issued(db)
    entry(db, world.investments["RP-1"], TransactionType.DISBURSEMENT, dt.date(2025, 9, 2),
          "1000.00")
    db.commit()
    text = text_of(_check(client_of(app, manager), pdf))
    assert "Issued, unchanged:" in text and "Data changed since:" in text


def test_garbage_an_empty_file_and_a_too_large_one_get_a_clear_message(app, db, monkeypatch):
    _world, _report, _pdf, manager = _issued(db)
    client = client_of(app, manager)
    garbage = _check(client, b"\x00\x01 not a pdf at all", "x.pdf")
    assert garbage.status_code == 422 and "This file is not a PDF." in text_of(garbage)
    damaged = _check(client, b"%PDF-1.4\n/Info 1 0 R\n1 0 obj << /Keywords <abc> >> endobj")
    assert damaged.status_code in (200, 422) and "Issued, unchanged:" not in text_of(damaged)
    fake = _check(client, b"%PDF-1.4\nnothing here")
    assert fake.status_code == 200 and "Not an issued report." in text_of(fake)
    empty = client.post("/reports/verify", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "Choose a PDF file to check." in text_of(empty)
    monkeypatch.setattr(report_views, "VERIFY_MAX_BYTES", 10)
    big = _check(client, b"%PDF-1.4 " + b"x" * 20)
    assert big.status_code == 422 and "is larger than" in text_of(big)


def test_the_answer_is_in_chinese_for_a_chinese_user(app, db):
    _world, _report, pdf, manager = _issued(db)
    client = client_of(app, manager)
    client.post("/language", data={"locale": "zh"})
    text = text_of(_check(client, pdf))
    assert "已签发，未改动" in text
