"""What an uploaded file is, from its content: PDF, OFD, PNG, JPEG, XLSX or CSV, else refused.

The bytes decide, never the name: ``filetype`` reads the signatures of PDF and images; a ZIP
container is opened under the archive limits (a zip bomb is refused from the sizes it declares,
before anything is unpacked) and is an OFD document when ``OFD.xml`` sits at its root, an XLSX
workbook when it holds ``[Content_Types].xml`` and ``xl/`` (without macros); text with no NUL
byte that is valid UTF-8 or GB18030 is CSV. A name or declared type that claims another type
than the content is refused, so a page that says "PDF" never serves something else.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import PurePath

import filetype

from app.domain.messages import N_, Message
from app.services.limits import Budget, Limits, UnreadableFile, check_archive


@dataclass(frozen=True)
class FileType:
    """An accepted type: its code, its MIME type, its usual extension and its name."""

    code: str
    content_type: str
    extension: str
    name: str
    inline: bool  # may be shown in the browser (PDF and images); the rest is downloaded


TYPES = {t.code: t for t in (
    FileType("pdf", "application/pdf", ".pdf", "PDF", True),
    FileType("ofd", "application/ofd", ".ofd", "OFD", False),
    FileType("png", "image/png", ".png", "PNG", True),
    FileType("jpeg", "image/jpeg", ".jpg", "JPEG", True),
    FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             ".xlsx", "XLSX", False),
    FileType("csv", "text/csv", ".csv", "CSV", False),
)}
"""The accepted types by code."""

_EXTENSIONS = {".pdf": "pdf", ".ofd": "ofd", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg",
               ".xlsx": "xlsx", ".csv": "csv"}
_DECLARED = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpeg",
             "application/ofd": "ofd", "text/csv": "csv",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}
_FILETYPE = {"pdf": "pdf", "png": "png", "jpg": "jpeg"}
ACCEPTED = "PDF, OFD, PNG, JPEG, XLSX, CSV"


class RefusedFile(ValueError):
    """The file is not accepted; ``args[0]`` is a Message saying why."""


def detect(data: bytes, filename: str = "", declared: str = "", *,
           limits: Limits | None = None) -> FileType:
    """The type of ``data`` from its content; RefusedFile if it is none of the accepted types,
    breaks the archive limits, or its name or declared type claims another type."""
    found = _from_content(data, limits or Limits())
    claimed = _EXTENSIONS.get(PurePath(filename or "").suffix.lower())
    if claimed and claimed != found.code:
        raise RefusedFile(N_("the file is named %(suffix)s but its content is %(found)s, not "
                             "%(claimed)s: nothing was stored",
                             suffix=PurePath(filename).suffix.lower(), found=found.name,
                             claimed=TYPES[claimed].name))
    declared_code = _DECLARED.get((declared or "").split(";")[0].strip().lower())
    if declared_code and declared_code != found.code and declared_code == "pdf":
        raise RefusedFile(N_("the file was sent as a PDF but its content is %(found)s: nothing "
                             "was stored", found=found.name))
    return found


def _from_content(data: bytes, limits: Limits) -> FileType:
    if not data:
        raise RefusedFile(N_("the file is empty"))
    kind = filetype.guess(data[:8192])
    if kind is not None and kind.extension in _FILETYPE:
        return TYPES[_FILETYPE[kind.extension]]
    if data.startswith(b"PK\x03\x04"):
        return _container(data, limits)
    if kind is not None:
        raise RefusedFile(N_("the file is %(what)s (%(mime)s), which is not accepted: attach "
                             "%(accepted)s", what=kind.extension.upper(), mime=kind.mime,
                             accepted=ACCEPTED))
    if _is_text(data):
        return TYPES["csv"]
    raise RefusedFile(N_("the type of the file is not recognised: attach %(accepted)s",
                         accepted=ACCEPTED))


def content_type_of(file_type: FileType, data: bytes) -> str:
    """The Content-Type a document is served with: the type's, and for CSV its encoding
    (``text/csv; charset=utf-8`` or ``charset=gb18030``)."""
    if file_type.code != "csv":
        return file_type.content_type
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "text/csv; charset=gb18030"
    return "text/csv; charset=utf-8"


def _container(data: bytes, limits: Limits) -> FileType:
    """An OFD document or an XLSX workbook, told apart by the members at their root."""
    try:
        members = check_archive(io.BytesIO(data), Budget(limits), workbook=False)
    except UnreadableFile as exc:
        raise RefusedFile(_message(exc)) from None
    names = {m.filename for m in members}
    if "OFD.xml" in names:
        return TYPES["ofd"]
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise RefusedFile(N_("the workbook holds macros, which are not accepted: save it "
                                 "as .xlsx (Excel workbook) and attach it again"))
        return TYPES["xlsx"]
    raise RefusedFile(N_("the file is a ZIP archive but neither an OFD document (OFD.xml at "
                         "its root) nor an XLSX workbook: attach %(accepted)s",
                         accepted=ACCEPTED))


def _message(exc: Exception) -> Message | str:
    return exc.args[0] if exc.args else str(exc)


def _is_text(data: bytes) -> bool:
    """Text a CSV may be: no NUL byte, the whole of it valid UTF-8 (a BOM allowed) or GB18030."""
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False
