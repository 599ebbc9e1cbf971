"""Each accepted type is told from its content, whatever the file is called; a name or declared
type that claims another type, a zip bomb, an empty or unknown file are refused."""

from __future__ import annotations

import pytest

from app.services.documents.content import RefusedFile, detect
from app.services.documents.names import ascii_name, clean_name, content_disposition
from app.services.limits import Limits
from tests import documents_files as files


@pytest.mark.parametrize(("code", "build"), [
    *files.ALL.items(), ("csv", files.csv_gb18030)])
def test_each_type_is_detected_from_its_content_even_without_a_name(code, build):
    assert detect(build(), "").code == code
    assert detect(build(), "scan-without-extension").code == code


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused_naming_what_it_is():
    with pytest.raises(RefusedFile) as refused:
        detect(files.png(), "签署版.pdf")
    assert str(refused.value.args[0]) == ("the file is named .pdf but its content is PNG, not "
                                          "PDF: nothing was stored")
    with pytest.raises(RefusedFile, match=r"named \.pdf but its content is CSV"):
        detect(b"<script>alert(1)</script>", "statement.pdf")


def test_a_file_sent_as_application_pdf_that_is_not_a_pdf_is_refused():
    with pytest.raises(RefusedFile, match="sent as a PDF but its content is XLSX"):
        detect(files.xlsx(), "statement", "application/pdf")
    assert detect(files.pdf(), "x", "application/pdf").code == "pdf"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "the file is empty"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "GIF (image/gif), which is not accepted"),
    (b"\x00\x01\x02binary\xff\xfe", "the type of the file is not recognised"),
    (b"MZ\x90\x00" + bytes(range(256)) * 4, "is not accepted"),
])
def test_empty_unknown_and_other_types_are_refused(data, message):
    with pytest.raises(RefusedFile, match=message.replace("(", r"\(").replace(")", r"\)")):
        detect(data, "file.bin")


def test_a_zip_that_is_neither_ofd_nor_xlsx_and_a_workbook_with_macros_are_refused():
    import io
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(RefusedFile, match="neither an OFD document"):
        detect(out.getvalue(), "a.docx")
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"macro")
    with pytest.raises(RefusedFile, match="holds macros"):
        detect(out.getvalue(), "a.xlsx")


def test_a_zip_bomb_is_refused_from_its_declared_sizes_before_anything_is_unpacked():
    """The archive limits read the sizes the ZIP declares: the 200 MB member is never inflated
    (the refusal names the member and its ratio, known only from the directory)."""
    bomb = files.zip_bomb(200 << 20)
    assert len(bomb) < 1 << 20  # 200 MB of content packed into well under 1 MB
    with pytest.raises(RefusedFile, match=r"compressed suspiciously tightly.*zip bomb"):
        detect(bomb, "contract.ofd", limits=Limits())
    small = Limits(max_unpacked=100 << 20)
    with pytest.raises(RefusedFile, match="archive is too large once unpacked"):
        detect(bomb, "contract.ofd", limits=small)


def test_names_are_cleaned_for_display_and_content_disposition():
    pdf_type = detect(files.pdf())
    assert clean_name("C:\\scans\\签署版 2026Q1.pdf", pdf_type) == "签署版 2026Q1.pdf"
    assert clean_name("../../etc/passwd", pdf_type) == "passwd.pdf"
    assert clean_name("a\u202eFDP.exe\r\n", pdf_type) == "aFDP.exe.pdf"
    assert clean_name('<b>"x"<i>.pdf', pdf_type) == "_b__x__i_.pdf"
    assert clean_name("", pdf_type) == "attachment.pdf"
    assert len(clean_name("长" * 300 + ".pdf", pdf_type)) == 200
    assert ascii_name("签署版.pdf") == "attachment.pdf"
    assert content_disposition("签署版 2026Q1.pdf") == (
        "attachment; filename=\"2026Q1.pdf\"; "
        "filename*=UTF-8''%E7%AD%BE%E7%BD%B2%E7%89%88%202026Q1.pdf")
