"""Sending e-mail through the ``MAIL_URL`` server with the standard library (smtplib).

One connection per run of ``notify send``, opened at the first message. A server that cannot be
reached, or that drops the connection, is :class:`MailDown` (nothing is counted against the
messages: they stay queued); a message the server refuses (a recipient or the content) is a
:class:`MessageRefused`, counted as a failed attempt of that message."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from app.domain.mail import MailServer

TIMEOUT_SECONDS = 30


class MailDown(Exception):
    """The mail server cannot be reached (or dropped the connection)."""


class MessageRefused(Exception):
    """The server refused this message (its error says why)."""


class Mailer:
    """A connection to the mail server, opened on first use; use as a context manager."""

    def __init__(self, server: MailServer):
        self.server = server
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *_exc) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        try:
            if server.security == "tls":
                smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_SECONDS,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
                if server.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if server.user is not None:
                smtp.login(server.user, server.password or "")
        except (smtplib.SMTPException, OSError) as exc:
            raise MailDown(f"{server.host}:{server.port}: {exc}") from exc
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send one message (MailDown, or MessageRefused for this message alone)."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                smtplib.SMTPDataError) as exc:
            raise MessageRefused(str(exc)[:900]) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._smtp = None
            raise MailDown(f"{self.server.host}:{self.server.port}: {exc}") from exc
