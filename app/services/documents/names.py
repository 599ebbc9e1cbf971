"""An uploaded file's name made safe to show and to send back (RFC 6266 ``Content-Disposition``
with an ASCII ``filename`` and the exact name in ``filename*``, RFC 8187, for Chinese names)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath
from urllib.parse import quote

from app.services.documents.content import FileType

MAX_NAME = 200
_UNSAFE = re.compile(r'[<>:"/\\|?*]')
_SPACES = re.compile(r"\s+")


def clean_name(filename: str, file_type: FileType) -> str:
    """The name to store and show: the last part of the path the browser sent, NFC, without
    control or format characters (line breaks, bidirectional overrides), without the
    characters file systems refuse, at most 200 characters, ending in the type's extension
    (added when the name has none of its own); ``attachment.pdf`` when nothing is left."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = _SPACES.sub(" ", _UNSAFE.sub("_", name)).strip(" .")
    suffix = PurePath(name).suffix.lower()
    if suffix not in _extensions(file_type):
        name = f"{name}{file_type.extension}" if name else ""
    if not name or name == file_type.extension:
        name = "attachment" + file_type.extension
    if len(name) > MAX_NAME:
        stem, ext = name[:-len(PurePath(name).suffix)], PurePath(name).suffix
        name = stem[:MAX_NAME - len(ext)].rstrip(" .") + ext
    return name


def _extensions(file_type: FileType) -> tuple[str, ...]:
    return (".jpg", ".jpeg") if file_type.code == "jpeg" else (file_type.extension,)


def ascii_name(name: str) -> str:
    """An ASCII stand-in for ``name`` (for clients that ignore ``filename*``): accents dropped,
    other characters as ``_``; ``attachment`` plus the extension when no letter is left."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    folded = re.sub(r"[^A-Za-z0-9._ ()-]", "_", folded).strip(" ")
    stem = folded.rsplit(".", 1)[0] if "." in folded else folded
    if not stem.strip("_ ."):
        return "attachment" + PurePath(name).suffix.lower()
    return folded


def content_disposition(name: str, *, inline: bool = False) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…`` (or ``inline``) for a stored name."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
