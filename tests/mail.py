"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1 at a free port, keeping what it
receives (parsed), and refusing the recipients it is told to refuse."""

from __future__ import annotations

import email
import socket
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nothing listens on at the moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Catcher:
    """The server's handler: parsed messages in ``messages``; ``refuse`` holds addresses
    answered "550 no such mailbox"."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages received for ``address``."""
        return [m for m in self.messages if address in m["To"]]


class SmtpServer:
    """An aiosmtpd server started on 127.0.0.1; ``url`` is its MAIL_URL."""

    def __init__(self, port: int | None = None, catcher: Catcher | None = None):
        self.catcher = catcher or Catcher()
        self.port = port or free_port()
        self.controller = Controller(self.catcher, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
