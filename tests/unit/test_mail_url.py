"""MAIL_URL: the three forms are read; anything else stops the app (web and command line) with a
message naming the variable, never echoing the password."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from app.config import ConfigError
from app.domain.mail import MailServer, MailUrlError, parse_mail_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("url", "server"), [
    ("smtp://mail.example.cn:2525", MailServer("mail.example.cn", 2525, "plain")),
    ("smtp://127.0.0.1", MailServer("127.0.0.1", 25, "plain")),
    ("smtp+starttls://ledger:p%40ss%3Aword@mail.example.cn:587",
     MailServer("mail.example.cn", 587, "starttls", "ledger", "p@ss:word")),
    ("smtps://ledger:secret@mail.example.cn", MailServer("mail.example.cn", 465, "tls",
                                                         "ledger", "secret")),
])
def test_the_three_forms_are_read(url, server):
    assert parse_mail_url(url) == server


@pytest.mark.parametrize("url", [
    "mail.example.cn:25", "http://mail.example.cn", "smtp://", "smtp://host:notaport",
    "smtp://host:99999", "smtps://user@host:465", "smtp://host:25/path", "smtp://host?x=1",
])
def test_anything_else_is_refused(url):
    with pytest.raises(MailUrlError):
        parse_mail_url(url)


def test_the_app_refuses_to_start_naming_mail_url_without_echoing_the_password():
    with pytest.raises(ConfigError, match="MAIL_URL") as refused:
        create_app({"APP_ENV": "testing", "MAIL_URL": "smtps://u:hunter2@host:notaport"})
    assert "hunter2" not in str(refused.value)


def test_the_command_line_refuses_to_start_with_one_line_naming_mail_url(tmp_path):
    env = {**os.environ, "APP_ENV": "testing", "MAIL_URL": "imap://mail.example.cn",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "notify", "send"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode != 0
    assert "MAIL_URL" in done.stderr and "Traceback" not in done.stderr


def test_the_digest_is_due_from_the_hour_local_time():
    import datetime as dt

    from app.services.notifications.delivery import digest_cutoff

    # 2026-12-04 23:30 UTC is 07:30 on the 5th in Shanghai: before 8, so the day's digest
    # period still began at 8:00 on the 4th (00:00 UTC); at 00:30 UTC (08:30) a new one begins.
    before = dt.datetime(2026, 12, 4, 23, 30, tzinfo=dt.UTC)
    after = dt.datetime(2026, 12, 5, 0, 30, tzinfo=dt.UTC)
    assert digest_cutoff(before, 8, "Asia/Shanghai") == dt.datetime(2026, 12, 4, 0, 0,
                                                                   tzinfo=dt.UTC)
    assert digest_cutoff(after, 8, "Asia/Shanghai") == dt.datetime(2026, 12, 5, 0, 0,
                                                                  tzinfo=dt.UTC)
