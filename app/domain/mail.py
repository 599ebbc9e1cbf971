"""The outgoing mail server as a URL (the ``MAIL_URL`` setting), read once at start.

``smtp://host:port`` (plain, no sign-in), ``smtp+starttls://user:password@host:port`` (upgraded
with STARTTLS) and ``smtps://user:password@host:port`` (TLS from the first byte). The user and
password are percent-decoded, so a password with ``@`` or ``:`` is written ``%40`` / ``%3A``."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

SCHEMES = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}
DEFAULT_PORTS = {"plain": 25, "starttls": 587, "tls": 465}


class MailUrlError(ValueError):
    """A MAIL_URL that cannot be used (the message says why)."""


@dataclass(frozen=True)
class MailServer:
    """Where and how e-mail is sent; ``security`` is plain, starttls or tls."""

    host: str
    port: int
    security: str = "plain"
    user: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_mail_url(text: str) -> MailServer:
    """The server a MAIL_URL names; MailUrlError (without echoing a password) if it is not one."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError as exc:
        raise MailUrlError("it is not a URL with a valid port") from exc
    security = SCHEMES.get(parts.scheme.lower())
    if security is None:
        raise MailUrlError(f'the scheme must be smtp, smtp+starttls or smtps, not '
                           f'"{parts.scheme[:20]}"')
    if not parts.hostname:
        raise MailUrlError("it names no host")
    if (parts.path not in ("", "/")) or parts.query or parts.fragment:
        raise MailUrlError("it must be scheme://[user:password@]host[:port] and nothing more")
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if (user is None) != (password is None):
        raise MailUrlError("give both a user and a password, or neither")
    return MailServer(parts.hostname, port or DEFAULT_PORTS[security], security, user, password)
