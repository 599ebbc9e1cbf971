"""The API of attached documents: list, upload (multipart), supersede and fetch, with the web's
scopes (404 outside them) and the same refusals (422 naming ``file``, nothing stored)."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import select

from app.domain.codes import ReviewKind, Role
from app.domain.quarter import Quarter
from app.models import Attachment, AuditEntry
from app.services.sharing import workflow
from tests import documents_files as files
from tests.factories import actor_of, invest, make_fund, make_project, make_user
from tests.integration.sharing_factories import DESTINATION, half_and_half, make_agreement
from tests.web.api_helpers import bearer, fields_in_error, problem_of, token_for
from tests.web.helpers import count


@pytest.fixture
def api(db):
    class Api:
        pass
    a = Api()
    make_project(db, "API-1")
    a.agreement = make_agreement(db, "APIDOC", ["API-1"], [half_and_half(first="2026Q1")])
    a.bureau = token_for(db, make_user(db, Role.FINANCE_BUREAU, DESTINATION))
    a.outsider = token_for(db, make_user(db, Role.FINANCE_BUREAU, "440100"))
    auditor = make_user(db, Role.AUDITOR)
    a.auditor = token_for(db, auditor)
    a.query = workflow.review(db, actor_of(db, auditor), a.agreement.id, Quarter(2026, 1),
                              ReviewKind.QUERY, "original report?")
    fund = make_fund(db)
    a.investment = invest(db, fund, make_project(db))
    a.manager = token_for(db, make_user(db, Role.FUND_MANAGER, fund.code))
    db.commit()
    a.quarter = f"/api/v1/agreements/{a.agreement.id}/quarters/2026Q1/attachments"
    return a


def upload(client, url, token, data: bytes | None, name="scan.pdf", note=""):
    form = {"note": note}
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    return client.post(url, data=form, headers=bearer(token), content_type="multipart/form-data")


def test_upload_list_fetch_and_supersede_through_the_api(db, client, api):
    scan = files.pdf()
    created = upload(client, api.quarter, api.bureau, scan, "签署版.pdf", "scan")
    assert created.status_code == 201, created.get_data(as_text=True)
    record = created.get_json()
    assert record["sha256"] == hashlib.sha256(scan).hexdigest()
    assert (record["file_type"], record["size"], record["quarter"], record["filename"]) == \
        ("pdf", len(scan), "2026Q1", "签署版.pdf")
    assert created.headers["Location"] == f"/api/v1/attachments/{record['id']}"
    listed = client.get(api.quarter, headers=bearer(api.auditor)).get_json()["items"]
    assert [i["id"] for i in listed] == [record["id"]]
    content = client.get(record["content"], headers=bearer(api.auditor))
    assert content.data == scan and content.headers["Content-Type"] == "application/pdf"
    assert content.headers["X-Content-Type-Options"] == "nosniff"
    newer = upload(client, f"/api/v1/attachments/{record['id']}/supersede", api.bureau,
                   files.png(), "photo.png")
    assert newer.status_code == 201
    old = client.get(f"/api/v1/attachments/{record['id']}", headers=bearer(api.bureau))
    assert old.get_json()["superseded_by"] == newer.get_json()["id"]
    again = upload(client, f"/api/v1/attachments/{record['id']}/supersede", api.bureau,
                   files.png(), "photo.png")
    assert again.status_code == 409 and problem_of(again)
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.entity == "attachments")
                         .order_by(AuditEntry.seq)).all()
    assert actions == ["INSERT", "DOWNLOAD", "INSERT", "UPDATE"]


@pytest.mark.parametrize(("data", "name"), [
    (None, ""), (b"", "empty.pdf"), (b"not a pdf at all", "statement.pdf"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "statement.pdf")])
def test_refused_uploads_are_422_naming_the_file_and_store_nothing(db, client, api, data, name):
    response = upload(client, api.quarter, api.bureau, data, name)
    assert fields_in_error(response) == {"file"}
    assert count(db, Attachment) == 0


def test_out_of_scope_lists_uploads_and_downloads_are_404(db, client, api):
    record = upload(client, api.quarter, api.bureau, files.pdf()).get_json()
    for url in (api.quarter, f"/api/v1/attachments/{record['id']}", record["content"]):
        assert client.get(url, headers=bearer(api.outsider)).status_code == 404
    assert upload(client, api.quarter, api.outsider, files.pdf()).status_code == 404
    assert upload(client, api.quarter, api.auditor, files.pdf()).status_code == 404
    investment = f"/api/v1/investments/{api.investment.id}/attachments"
    assert upload(client, investment, api.bureau, files.pdf()).status_code == 404
    assert upload(client, investment, api.manager, files.pdf(), "合同.pdf").status_code == 201
    query = f"/api/v1/queries/{api.query.id}/attachments"
    answer = f"/api/v1/queries/{api.query.id}/answer/attachments"
    assert upload(client, query, api.bureau, files.pdf()).status_code == 404
    assert upload(client, query, api.auditor, files.pdf()).status_code == 201
    assert upload(client, answer, api.bureau, files.xlsx(), "原表.xlsx").status_code == 201
    assert count(db, Attachment) == 4
