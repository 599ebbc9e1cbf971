"""Backups and restores of the app's database: SQLite through its online backup API, PostgreSQL
through ``pg_dump --format=custom`` and ``pg_restore``."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from app.models.database import make_engine
from app.services.errors import ServiceError

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"


class BackupError(ServiceError):
    """A backup or a restore could not be made; nothing was changed."""


def backup(url: str, target: Path) -> str:
    """Write a consistent copy of the database at ``url`` to ``target`` (a new file); a summary."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name")
    if not target.parent.is_dir():
        raise BackupError(f"the directory {target.parent} does not exist")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    parsed = make_url(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            _sqlite_backup(_sqlite_path(parsed, must_exist=True), partial)
        elif parsed.get_backend_name() == "postgresql":
            _run("pg_dump", ["--format=custom", f"--file={partial}"], parsed)
        else:
            raise BackupError(f"no backup method for {parsed.get_backend_name()} databases")
        os.replace(partial, target)  # a file under the final name is always a complete backup
    finally:
        partial.unlink(missing_ok=True)
    return f"Backed up {parsed.render_as_string()} to {target} ({target.stat().st_size:,} bytes)."


def restore(url: str, source: Path, *, replace: bool = False) -> str:
    """Replace the database at ``url`` by the backup ``source``; refuse to overwrite a database
    that has tables unless ``replace``. A summary."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"no restore method for {backend} databases")
    header = _head(source)
    if backend == "sqlite" and not header.startswith(SQLITE_HEADER):
        raise BackupError(f"{source} is not a SQLite database file")
    if backend == "postgresql" and not header.startswith(PG_CUSTOM_HEADER):
        raise BackupError(f"{source} is not a pg_dump archive (--format=custom)")
    tables = table_count(url)
    if tables and not replace:
        raise BackupError(f"the database has {tables} tables; restoring replaces its contents. "
                          "Pass --yes to confirm, or restore into an empty database")
    if backend == "sqlite":
        _sqlite_restore(source, _sqlite_path(parsed, must_exist=False))
    else:
        _run("pg_restore", ["--clean", "--if-exists", "--single-transaction",
                            "--exit-on-error", "--no-owner", str(source)], parsed)
    return f"Restored {parsed.render_as_string()} from {source}."


def table_count(url: str) -> int:
    """How many tables the database at ``url`` has (0 for a missing SQLite file)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not _sqlite_path(parsed, False).exists():
        return 0
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return len(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(16)


def _sqlite_path(url: URL, must_exist: bool) -> Path:
    if url.database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    path = Path(url.database)
    if must_exist and not path.is_file():
        raise BackupError(f"no database file at {path}")
    return path


def _sqlite_backup(database: Path, partial: Path) -> None:
    """Copy page by page with SQLite's online backup API (safe while app servers write)."""
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    destination = sqlite3.connect(partial)
    try:
        source.backup(destination)
        check = destination.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy failed its integrity check: {check}")
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not copy {database}: {exc}") from exc
    finally:
        destination.close()
        source.close()


def _sqlite_restore(source: Path, database: Path) -> None:
    """Copy the backup over the database with the backup API (other connections wait)."""
    backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(database, timeout=30)
    try:
        check = backup_db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"{source} failed its integrity check: {check}")
        backup_db.backup(target)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not restore from {source}: {exc}") from exc
    finally:
        target.close()
        backup_db.close()


def _run(program: str, arguments: list[str], url: URL) -> None:
    """Run a PostgreSQL client program against ``url``; the password travels in PGPASSWORD."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"{program} is not installed or not on PATH (Debian and Ubuntu: "
                          "apt install postgresql-client, of the server's major version)")
    connection = url.set(drivername="postgresql", password=None)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    command = [executable, *arguments,
               f"--dbname={connection.render_as_string(hide_password=False)}"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{program} failed (exit {result.returncode}): "
                          f"{result.stderr.strip() or result.stdout.strip()}")
