"""A project named in several scripts prints in all three reports: no NUL, no empty box, the
emoji, Hebrew and Arabic extractable (or a visible "[?]"), the same bytes twice."""

from __future__ import annotations

import unicodedata

import pytest

from app.services.access.scopes import SYSTEM
from app.services.reporting import issuing
from tests.integration import report_helpers
from tests.integration.report_helpers import Q, pdf_text

NAME = "Café 😀 שלום مرحبا"
REPORTS = (("fund", "RF-1"), ("statement", "RA-1"), ("region", "441600"))


@pytest.fixture
def world(db, monkeypatch):
    # named before the quarter closes: the statement prints the names its parties confirmed
    monkeypatch.setattr(report_helpers, "CHINESE_PROJECT", NAME)
    return report_helpers.build_world(db)


@pytest.mark.parametrize(("kind", "code"), REPORTS)
def test_a_name_in_several_scripts_prints_in_each_report(db, world, kind, code):
    pdf = issuing.draft(db, SYSTEM, kind, code, Q).pdf
    text = unicodedata.normalize("NFKC", pdf_text(pdf))
    assert "\x00" not in text and "\ufffd" not in text
    for word in ("Café", "😀", "שלום", "مرحبا"):
        assert word in text
    assert issuing.draft(db, SYSTEM, kind, code, Q).pdf == pdf
