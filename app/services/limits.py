"""Bounds on what reading one file may cost: a hostile upload (a zip bomb, a CSV of one endless
line) is refused in seconds and in little memory, with a message that names the problem.

The defaults suit the command line's largest imports (a million rows); ``app/config.py`` reads
them from the environment (``IMPORT_*``), and the web gives uploads a shorter time limit. Shared
by the spreadsheet imports (``exchange/imports``) and the attached documents' content checks
(``documents``), which open ZIP containers (XLSX, OFD) under the same archive limits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from zipfile import BadZipFile, ZipFile, ZipInfo

from app.domain.messages import N_

MB = 1 << 20


class UnreadableFile(ValueError):
    """The file cannot be read as a spreadsheet of the expected type; the message (``args[0]``,
    a Message the web translates) says why."""


class LimitExceeded(UnreadableFile):
    """Reading went past one of the :class:`Limits`."""


@dataclass(frozen=True)
class Limits:
    """What one import may read. Sizes in bytes (unpacked: after unzipping), time in seconds
    of wall clock from the start of the import."""

    max_rows: int = 1_000_000  # rows of the file, all sheets together, header rows included
    max_seconds: float = 600.0
    max_unpacked: int = 512 * MB  # an XLSX's members together, as the archive declares them
    max_ratio: int = 100  # unpacked : packed, for any member over RATIO_FROM bytes unpacked
    max_members: int = 1000  # files inside an XLSX
    max_line: int = 1 * MB  # characters of one CSV line

    @classmethod
    def from_config(cls, config: dict, *, seconds_key: str = "IMPORT_MAX_SECONDS") -> Limits:
        """The limits set in the app's configuration (see ``app/config.py``)."""
        return cls(max_rows=config["IMPORT_MAX_ROWS"], max_seconds=config[seconds_key],
                   max_unpacked=config["IMPORT_MAX_UNPACKED_MB"] * MB,
                   max_ratio=config["IMPORT_MAX_RATIO"],
                   max_members=config["IMPORT_MAX_MEMBERS"],
                   max_line=config["IMPORT_MAX_LINE_KB"] * 1024)


RATIO_FROM = 1 * MB  # small members compress oddly and cost nothing


@dataclass
class Budget:
    """The running count of one import against its limits."""

    limits: Limits = field(default_factory=Limits)
    rows: int = 0
    started: float = field(default_factory=time.monotonic)

    def row(self) -> None:
        """Count one row read; LimitExceeded past the row limit or (checked every 1000 rows)
        the time limit."""
        self.rows += 1
        if self.rows > self.limits.max_rows:
            raise LimitExceeded(N_("the file has more than %(n)s rows: split it into smaller "
                                   "files", n=self.limits.max_rows))
        if not self.rows % 1000:
            self.clock()

    def clock(self) -> None:
        """LimitExceeded once the import has taken longer than the time limit."""
        if time.monotonic() - self.started > self.limits.max_seconds:
            raise LimitExceeded(N_("reading the file took longer than %(n)s seconds (after "
                                   "%(rows)s rows): split it into smaller files",
                                   n=f"{self.limits.max_seconds:g}", rows=self.rows))


def check_archive(stream, budget: Budget, *, workbook: bool = True) -> list[ZipInfo]:
    """Refuse a zip bomb before unpacking anything, from the sizes the archive declares (Python's
    zipfile never unpacks more than a member declares: the rest fails its CRC): too many
    members, too much unpacked in all, or a member packed suspiciously tightly. Returns the
    members. The messages speak of a workbook (XLSX), or with ``workbook=False`` of an archive
    (an OFD document, another ZIP container)."""
    limits = budget.limits
    try:
        with ZipFile(stream) as archive:
            members = archive.infolist()
    except (BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(
            N_("the file is not a readable XLSX workbook (%(error)s)", error=str(exc))
            if workbook else N_("the file is not a readable ZIP archive (%(error)s)",
                                error=str(exc))) from None
    finally:
        stream.seek(0)
    if len(members) > limits.max_members:
        raise LimitExceeded(
            N_("the workbook holds %(n)s files inside; the limit is %(limit)s",
               n=len(members), limit=limits.max_members) if workbook else
            N_("the archive holds %(n)s files inside; the limit is %(limit)s",
               n=len(members), limit=limits.max_members))
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.max_unpacked:
        size, limit = unpacked >> 20, limits.max_unpacked >> 20
        raise LimitExceeded(
            N_("the workbook is too large once unpacked (%(size)s MB; the limit is %(limit)s "
               "MB)", size=size, limit=limit) if workbook else
            N_("the archive is too large once unpacked (%(size)s MB; the limit is %(limit)s "
               "MB)", size=size, limit=limit))
    for member in members:
        if member.file_size > RATIO_FROM and \
                member.file_size > limits.max_ratio * max(member.compress_size, 1):
            ratio = member.file_size // max(member.compress_size, 1)
            raise LimitExceeded(
                N_("the workbook is compressed suspiciously tightly (%(member)s unpacks "
                   "%(ratio)s times larger; the limit is %(limit)s): it looks like a zip bomb",
                   member=member.filename, ratio=ratio, limit=limits.max_ratio) if workbook
                else N_("the archive is compressed suspiciously tightly (%(member)s unpacks "
                        "%(ratio)s times larger; the limit is %(limit)s): it looks like a zip "
                        "bomb", member=member.filename, ratio=ratio, limit=limits.max_ratio))
    return members
