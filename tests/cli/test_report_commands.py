"""``flask report …``: drafts and issued reports written to a file, nothing written on failure,
and ``report verify`` with its exit status and sentences."""

from __future__ import annotations

import datetime as dt

from app.domain.codes import Role
from app.models import IssuedReport
from app.services.access.scopes import SYSTEM
from app.services.funds import investments
from tests.factories import make_user
from tests.integration.report_helpers import Q, build_world
from tests.web.helpers import count


def test_report_fund_writes_a_draft_and_with_issue_stores_it(db, runner, tmp_path):
    build_world(db)
    db.commit()
    draft, issued = tmp_path / "draft.pdf", tmp_path / "issued.pdf"
    result = runner.invoke(args=["report", "fund", "RF-1", str(Q), "-o", str(draft)])
    assert result.exit_code == 0 and "Draft (not issued)" in result.output
    result = runner.invoke(args=["report", "fund", "RF-1", str(Q), "-o", str(issued), "--issue"])
    assert result.exit_code == 1 and "--by EMAIL" in result.output and not issued.exists()
    make_user(db, Role.ADMIN, email="issuer@example.cn")
    db.commit()
    result = runner.invoke(args=["report", "fund", "RF-1", str(Q), "-o", str(issued), "--issue",
                                 "--by", "issuer@example.cn"])
    assert result.exit_code == 0, result.output
    assert "version 1" in result.output and "issuer@example.cn" in result.output
    stored = db.query(IssuedReport).one()
    assert stored.content.pdf == issued.read_bytes() != draft.read_bytes()


def test_a_failed_command_writes_no_file_and_issues_nothing(db, runner, tmp_path):
    build_world(db, close=False)
    make_user(db, Role.FINANCE_BUREAU, "441600", email="issuer@example.cn")
    db.commit()
    target = tmp_path / "statement.pdf"
    result = runner.invoke(args=["report", "statement", "RA-1", str(Q), "-o", str(target),
                                 "--issue", "--by", "issuer@example.cn"])
    assert result.exit_code == 1 and "only a closed quarter" in result.output
    assert not target.exists() and list(tmp_path.iterdir()) == []
    assert count(db, IssuedReport) == 0
    result = runner.invoke(args=["report", "region", "441600", "2025Q9", "-o", str(target)])
    assert result.exit_code == 1 and not target.exists()
    result = runner.invoke(args=["report", "fund", "NO-SUCH", str(Q), "-o", str(target)])
    assert result.exit_code == 1 and not target.exists()


def test_report_verify_exit_status_and_sentences(db, runner, tmp_path):
    world = build_world(db)
    db.commit()
    issued, draft = tmp_path / "issued.pdf", tmp_path / "draft.pdf"
    make_user(db, Role.FINANCE_BUREAU, "441600", email="issuer@example.cn")
    db.commit()
    runner.invoke(args=["report", "region", "441600", str(Q), "-o", str(issued), "--issue",
                        "--by", "issuer@example.cn"])
    runner.invoke(args=["report", "region", "441600", str(Q), "-o", str(draft)])
    fund = tmp_path / "fund.pdf"
    make_user(db, Role.ADMIN, email="admin@example.cn")
    db.commit()
    runner.invoke(args=["report", "fund", "RF-1", str(Q), "-o", str(fund), "--issue",
                        "--by", "admin@example.cn"])
    result = runner.invoke(args=["report", "verify", str(issued)])
    assert result.exit_code == 0, result.output
    assert "Unchanged: this file is" in result.output and "version 1" in result.output

    result = runner.invoke(args=["report", "verify", str(draft)])
    assert result.exit_code == 1 and "data fingerprint matches" in result.output

    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(issued.read_bytes() + b"\n% an incremental update would go here\n")
    result = runner.invoke(args=["report", "verify", str(tampered)])
    assert result.exit_code == 1 and "Not the issued file" in result.output

    investments.reverse_transaction(db, SYSTEM, world.rp3_disbursement.id, dt.date(2025, 9, 15),
                                    "录入错误")
    db.commit()
    result = runner.invoke(args=["report", "verify", str(tmp_path / "missing.pdf")])
    assert result.exit_code == 1 and "cannot read" in result.output
    result = runner.invoke(args=["report", "verify", str(issued)])
    assert result.exit_code == 0, result.output  # the region report does not show the fund ledger
    result = runner.invoke(args=["report", "verify", str(fund)])
    assert result.exit_code == 1 and "Unchanged: this file is" in result.output
    assert "The data behind it has changed since it was issued" in result.output
    assert "251,234,567.11 → 173,456,789.34" in result.output

    stranger = tmp_path / "stranger.pdf"
    stranger.write_bytes(b"%PDF-1.4 nothing issued here")
    result = runner.invoke(args=["report", "verify", str(stranger)])
    assert result.exit_code == 1 and "Not an issued report" in result.output
