"""reports.verify: fingerprints computed from data and read back from PDF bytes."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas

from reports import Document, Paragraph, fingerprint_of, read_fingerprint, render

FINGERPRINT = fingerprint_of({"fund": "F-001", "quarter": "2025Q1"})


def report() -> bytes:
    """A one-page report carrying FINGERPRINT."""
    return render(Document("t", "s", "a", "", "", "", FINGERPRINT, (Paragraph("x"),)))


def test_fingerprint_of_ignores_key_order_and_sequence_type():
    one = {"b": [Decimal("1.10"), dt.date(2025, 3, 31)], "a": "宿迁"}
    two = {"a": "宿迁", "b": (Decimal("1.10"), dt.date(2025, 3, 31))}
    assert fingerprint_of(one) == fingerprint_of(two)
    assert len(fingerprint_of(one)) == 64


def test_fingerprint_of_sees_every_printed_digit():
    assert fingerprint_of({"v": Decimal("1.10")}) != fingerprint_of({"v": Decimal("1.11")})


def test_fingerprint_of_refuses_floats_and_unknown_types():
    with pytest.raises(TypeError):
        fingerprint_of({"v": 1.5})
    with pytest.raises(TypeError):
        fingerprint_of(object())


def test_read_fingerprint_reads_a_rendered_report():
    assert read_fingerprint(report()) == FINGERPRINT


def test_read_fingerprint_survives_a_rewrite_by_another_tool():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(report())))
    out = io.BytesIO()
    writer.write(out)
    assert read_fingerprint(out.getvalue()) == FINGERPRINT


def test_read_fingerprint_follows_the_last_trailer_of_an_incremental_update():
    other = "f" * 64
    writer = PdfWriter(io.BytesIO(report()), incremental=True)
    writer.add_metadata({"/Fingerprint": other, "/Keywords": ""})
    out = io.BytesIO()
    writer.write(out)
    assert read_fingerprint(out.getvalue()) == other


def test_read_fingerprint_is_none_without_one():
    plain = io.BytesIO()
    canvas = Canvas(plain, invariant=1)
    canvas.drawString(72, 72, "no fingerprint")
    canvas.save()
    assert read_fingerprint(plain.getvalue()) is None
    assert read_fingerprint(b"") is None
    assert read_fingerprint(b"not a pdf /Info 9 0 R") is None
