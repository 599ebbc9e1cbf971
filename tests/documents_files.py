"""Small real files of every accepted type, built on the fly for the documents tests: a PDF by
ReportLab, a PNG and a JPEG by Pillow, an OFD-like ZIP (OFD.xml at its root), an XLSX by
openpyxl, CSV in UTF-8 and GB18030; and hostile ones (a zip bomb, a fake PDF)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook
from PIL import Image
from reportlab.pdfgen import canvas


def pdf() -> bytes:
    """A one-page PDF saying what it is."""
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Signed statement 2026Q1")
    page.save()
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (180, 35, 42)).save(out, "PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (30, 80, 140)).save(out, "JPEG")
    return out.getvalue()


def ofd() -> bytes:
    """A ZIP container shaped like an OFD document (GB/T 33190): OFD.xml at its root."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", '<?xml version="1.0" encoding="UTF-8"?>'
                         '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0">'
                         '<ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
                         '</ofd:DocBody></ofd:OFD>')
        archive.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return out.getvalue()


def xlsx() -> bytes:
    book = Workbook()
    book.active.append(["项目", "税收"])
    book.active.append(["WEB-1", 1234.5])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_utf8() -> bytes:
    return "项目,税收\nWEB-1,1234.50\n".encode()


def csv_gb18030() -> bytes:
    return "项目,税收\n河源市,1234.50\n".encode("gb18030")


def zip_bomb(unpacked: int = 200 << 20) -> bytes:
    """An OFD-like ZIP whose one member unpacks to ``unpacked`` bytes of zeros (about 1000:1);
    written in blocks, so building it costs little memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("OFD.xml", "<ofd:OFD/>")
        with archive.open("Doc_0/Pages/Page_0/Content.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(unpacked >> 20):
                member.write(block)
    return out.getvalue()


ALL = {"pdf": pdf, "ofd": ofd, "png": png, "jpeg": jpeg, "xlsx": xlsx, "csv": csv_utf8}
