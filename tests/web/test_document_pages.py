"""Attached documents on the web: a bureau attaches the signed statement to a quarter and
downloads it; the type comes from the content; spoofed, empty, missing, too large files are
refused beside the field with nothing stored; superseding keeps both; scope on upload and
download (404); uploads and downloads are in the audit trail."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from app.domain.codes import QuarterState, ReviewKind, Role
from app.domain.quarter import Quarter
from app.models import AgreementQuarter, Attachment, AttachmentContent, AuditEntry
from app.services.access.scopes import SYSTEM
from app.services.sharing import workflow
from tests import documents_files as files
from tests.factories import actor_of, invest, make_fund, make_project, make_user
from tests.integration.sharing_factories import DESTINATION, SOURCE, half_and_half, make_agreement
from tests.web.helpers import client_of, count, errors_beside, text_of


@pytest.fixture
def docs(db, app):
    """Agreement DOC (Heyuan ← Shenzhen) from 2026Q1 with an auditor's query on 2026Q1; its two
    bureaus, an outside bureau (Guangzhou), the auditor; a fund with an investment, its manager
    and another fund's manager; each with a signed-in client."""
    class Docs:
        pass
    d = Docs()
    make_project(db, "DOC-1")
    d.agreement = make_agreement(db, "DOC", ["DOC-1"], [half_and_half(first="2026Q1")])
    d.dest_user = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    d.src_user = make_user(db, Role.FINANCE_BUREAU, SOURCE)
    d.outsider_user = make_user(db, Role.FINANCE_BUREAU, "440100")
    d.auditor_user = make_user(db, Role.AUDITOR)
    fund = make_fund(db)
    other = make_fund(db)
    d.investment = invest(db, fund, make_project(db))
    d.manager_user = make_user(db, Role.FUND_MANAGER, fund.code)
    d.other_manager_user = make_user(db, Role.FUND_MANAGER, other.code)
    d.query = workflow.review(db, actor_of(db, d.auditor_user), d.agreement.id,
                              Quarter(2026, 1), ReviewKind.QUERY,
                              "Please attach the original statistics report.")
    db.commit()
    for name in ("dest", "src", "outsider", "auditor", "manager", "other_manager"):
        setattr(d, name, client_of(app, getattr(d, f"{name}_user")))
    d.page = f"/agreements/{d.agreement.id}/quarters/2026Q1/"
    d.upload = f"/documents/quarter/{d.agreement.id}/2026Q1"  # the attach form's address
    return d


def post_file(client, url, data: bytes | None, name: str = "scan.pdf", note: str = "",
              content_type: str | None = None):
    """POST the attach form with one file (None: no file chosen)."""
    form = {"note": note}
    if data is not None:
        import io
        form["file"] = (io.BytesIO(data), name, content_type) if content_type else \
            (io.BytesIO(data), name)
    return client.post(url, data=form, content_type="multipart/form-data")


def test_a_bureau_attaches_the_signed_statement_and_downloads_it_as_stored(db, docs):
    scan = files.pdf()
    response = post_file(docs.dest, docs.upload, scan, "签署版 2026Q1.pdf", "盖章扫描件")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(docs.page + "#attachments")
    page = text_of(docs.dest.get(docs.page))
    digest = hashlib.sha256(scan).hexdigest()
    assert "签署版 2026Q1.pdf" in page and "盖章扫描件" in page
    assert f"{len(scan):,} bytes" in page  # the size with thousands separators
    assert f'data-sha256="{digest}"' in page and f"{digest[:12]}…" in page
    attachment = db.scalars(select(Attachment)).one()
    assert (attachment.object_kind, attachment.quarter, attachment.file_type) == \
        ("quarter", Quarter(2026, 1), "pdf")
    assert attachment.sha256 == digest and attachment.size == len(scan)

    download = docs.src.get(f"/documents/{attachment.id}/download")
    assert download.status_code == 200 and download.data == scan
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"2026Q1.pdf\"; "
        "filename*=UTF-8''%E7%AD%BE%E7%BD%B2%E7%89%88%202026Q1.pdf")
    trail = db.scalars(select(AuditEntry).where(AuditEntry.entity == "attachments")
                       .order_by(AuditEntry.seq)).all()
    assert [(e.action, e.actor) for e in trail] == [
        ("INSERT", docs.dest_user.email), ("DOWNLOAD", docs.src_user.email)]
    assert trail[1].changed_fields["sha256"] == [None, digest]


@pytest.mark.parametrize(("build", "name", "content_type", "message"), [
    (files.png, "signed.pdf", None, "the file is named .pdf but its content is PNG, not PDF"),
    (files.csv_utf8, "signed", "application/pdf", "the file was sent as a PDF but its content"),
    (lambda: b"", "empty.pdf", None, "the file is empty"),
    (lambda: None, "", None, "choose a file to attach"),
    (lambda: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "a.gif", None, "is not accepted"),
    (lambda: files.zip_bomb(200 << 20), "contract.ofd", None, "it looks like a zip bomb"),
])
def test_refused_files_are_named_beside_the_field_and_nothing_is_stored(db, docs, build, name,
                                                                         content_type, message):
    response = post_file(docs.dest, docs.upload, build(), name, content_type=content_type)
    assert response.status_code == 422
    assert any(message in e for e in errors_beside(response, "file")), \
        errors_beside(response, "file")
    assert count(db, Attachment) == 0 and count(db, AttachmentContent) == 0


def test_the_refusal_is_in_chinese_for_a_chinese_user(db, app, docs):
    zh = client_of(app, make_user(db, Role.FINANCE_BUREAU, DESTINATION, locale="zh"))
    response = post_file(zh, docs.upload, files.png(), "signed.pdf")
    assert response.status_code == 422
    [error] = errors_beside(response, "file")
    assert "PDF" in error and "PNG" in error and re.search(r"[\u4e00-\u9fff]", error)
    assert "附件" in text_of(zh.get(docs.page))


def test_a_file_over_the_upload_limit_is_refused_and_nothing_is_stored(db, app, docs):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = post_file(docs.dest, docs.upload, files.pdf() + b"%" * 5000)
    assert response.status_code == 413
    assert "larger than allowed" in text_of(response)
    assert "The limit is 4,096 bytes; nothing was stored." in text_of(response)
    assert count(db, Attachment) == 0 and count(db, AttachmentContent) == 0


@pytest.mark.parametrize("build", [files.ofd, files.png, files.jpeg, files.xlsx,
                                   files.csv_utf8, files.csv_gb18030])
def test_every_accepted_type_is_stored_with_the_type_its_content_shows(db, docs, build):
    data = build()
    assert post_file(docs.dest, docs.upload, data, "document").status_code == 302
    stored = db.scalars(select(Attachment)).one()
    download = docs.dest.get(f"/documents/{stored.id}/download")
    assert download.data == data and download.headers["Content-Type"] == stored.content_type
    assert stored.filename.startswith("document.")
    if build is files.csv_gb18030:
        assert stored.content_type == "text/csv; charset=gb18030"


def test_superseding_keeps_both_files_and_marks_the_old_one(db, docs):
    first, second = files.pdf(), files.pdf() + b"\n% countersigned\n"
    post_file(docs.dest, docs.upload, first, "draft.pdf")
    old = db.scalars(select(Attachment)).one()
    form = docs.dest.get(f"/documents/{old.id}/supersede")
    assert form.status_code == 200 and "draft.pdf" in text_of(form)
    response = docs.dest.post(f"/documents/{old.id}/supersede", data={
        "file": (__import__("io").BytesIO(second), "signed.pdf"), "version": str(old.version)},
        content_type="multipart/form-data")
    assert response.status_code == 302
    db.expire_all()
    old, new = db.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert old.superseded_by_id == new.id and old.superseded_at == new.uploaded_at
    assert docs.src.get(f"/documents/{old.id}/download").data == first
    assert docs.src.get(f"/documents/{new.id}/download").data == second
    page = text_of(docs.src.get(docs.page))
    assert "superseded by signed.pdf" in page
    again = docs.dest.post(f"/documents/{old.id}/supersede", data={
        "file": (__import__("io").BytesIO(files.png()), "x.png")},
        content_type="multipart/form-data")
    assert again.status_code == 422 and "superseded by someone else" in text_of(again)
    assert count(db, Attachment) == 2


def test_identical_content_is_stored_once(db, docs):
    scan = files.pdf()
    post_file(docs.dest, docs.upload, scan, "a.pdf")
    post_file(docs.src, docs.upload, scan, "b.pdf")
    assert count(db, Attachment) == 2 and count(db, AttachmentContent) == 1


def test_outside_the_scope_upload_and_download_are_404_and_nothing_is_stored(db, docs):
    post_file(docs.dest, docs.upload, files.pdf())
    attachment = db.scalars(select(Attachment)).one()
    assert post_file(docs.outsider, docs.upload, files.pdf()).status_code == 404
    assert docs.outsider.get(f"/documents/{attachment.id}/download").status_code == 404
    assert docs.outsider.get(docs.page).status_code == 404
    # The auditor reads the quarter's documents but does not attach to the quarter.
    assert docs.auditor.get(f"/documents/{attachment.id}/download").status_code == 200
    assert post_file(docs.auditor, docs.upload, files.pdf()).status_code == 404
    assert "<form" not in text_of(docs.auditor.get(docs.page)).split('id="attachments"')[1]
    # Fund managers: their fund's investment only.
    investment = f"/documents/investment/{docs.investment.id}"
    assert post_file(docs.other_manager, investment, files.pdf()).status_code == 404
    assert post_file(docs.manager, investment, files.pdf(), "合同.pdf").status_code == 302
    contract = db.scalars(select(Attachment).where(Attachment.object_kind == "investment")).one()
    assert docs.other_manager.get(f"/documents/{contract.id}/download").status_code == 404
    assert docs.dest.get(f"/documents/{contract.id}/download").status_code == 404
    assert "合同.pdf" in text_of(docs.manager.get(f"/investments/{docs.investment.id}"))
    assert count(db, Attachment) == 2
    denied = db.scalars(select(AuditEntry).where(AuditEntry.action == "ACCESS_DENIED")).all()
    assert denied  # refusals are logged as they are for every other page


def test_the_auditor_attaches_to_the_query_and_the_bureau_to_the_answer(db, docs):
    query = f"/documents/query/{docs.query.id}"
    answer = f"/documents/answer/{docs.query.id}"
    assert post_file(docs.dest, query, files.pdf()).status_code == 404
    assert post_file(docs.auditor, query, files.pdf(), "request.pdf").status_code == 302
    assert post_file(docs.auditor, answer, files.pdf()).status_code == 404
    assert post_file(docs.dest, answer, files.xlsx(), "统计原表.xlsx").status_code == 302
    page = text_of(docs.src.get(docs.page))
    row = page.split(f'id="review-{docs.query.id}"')[1].split("</tr>")[0]
    assert "request.pdf" in row and "统计原表.xlsx" in row


def test_a_closed_quarter_and_an_agreement_still_take_documents(db, docs):
    quarter = db.scalars(select(AgreementQuarter)).one()  # opened by the auditor's query
    quarter.state = QuarterState.CLOSED
    db.commit()
    assert post_file(docs.dest, docs.upload, files.pdf()).status_code == 302
    agreement = f"/documents/agreement/{docs.agreement.id}"
    assert post_file(docs.src, agreement, files.pdf(), "协议签署版.pdf").status_code == 302
    assert post_file(docs.auditor, agreement, files.pdf()).status_code == 404
    assert "协议签署版.pdf" in text_of(docs.auditor.get(f"/agreements/{docs.agreement.id}"))
    assert workflow.statement_for(db, SYSTEM, docs.agreement.id, Quarter(2026, 1))[1].state \
        is QuarterState.CLOSED


def test_the_audit_trail_tells_uploads_and_downloads_in_words(db, app, docs):
    post_file(docs.dest, docs.upload, files.pdf(), "签署版.pdf")
    attachment = db.scalars(select(Attachment)).one()
    docs.auditor.get(f"/documents/{attachment.id}/download")
    admin = client_of(app, make_user(db, Role.ADMIN))
    trail = text_of(admin.get("/audit/?entity=attachments"))
    assert "attached the document 签署版.pdf" in trail
    assert "downloaded the document 签署版.pdf" in trail


def test_the_app_refuses_to_start_when_files_url_is_set(monkeypatch, tmp_path):
    from app.config import ConfigError, load_config
    monkeypatch.setenv("FILES_URL", "s3://documents.example/ledger")
    with pytest.raises(ConfigError, match="FILES_URL"):
        load_config(str(tmp_path), {"APP_ENV": "testing"})
