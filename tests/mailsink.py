"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd): it keeps every message it receives.

`MailSink.start()` listens on a free port; `messages` are parsed EmailMessages,
`wait_for_mail(to=...)` waits for one to arrive (tests/waiting.py, never a sleep).
Optionally it asks for a login (`auth=(user, password)`), over plain SMTP as a
local relay would, so the client's login path is exercised too.
"""
from __future__ import annotations

import socket
import threading
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from waiting import wait_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, sink: MailSink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=default)
        with self.sink.lock:
            self.sink.messages.append((tuple(envelope.rcpt_tos), msg))
            self.sink.greetings.append(session.host_name)  # the name the client gave in EHLO
        if self.sink.fail_for and any(r in self.sink.fail_for for r in envelope.rcpt_tos):
            return "550 mailbox unavailable"
        return "250 OK"


class MailSink:
    def __init__(self, auth: tuple[str, str] | None = None):
        self.messages: list[tuple[tuple[str, ...], EmailMessage]] = []
        self.greetings: list[str] = []  # per message, the client's EHLO name
        self.lock = threading.Lock()
        self.fail_for: set[str] = set()
        self.port = free_port()
        kwargs = {}
        if auth:
            def check(server, session, envelope, mechanism, auth_data):
                ok = isinstance(auth_data, LoginPassword) and (auth_data.login.decode(),
                                                               auth_data.password.decode()) == auth
                return AuthResult(success=ok)
            kwargs = {"authenticator": check, "auth_required": True, "auth_require_tls": False}
        # server_hostname: named, not looked up (aiosmtpd asks DNS for this machine's full name
        # on every connection otherwise; a resolver that does not answer stalls each mail)
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                     server_hostname="mailsink.test", **kwargs)

    def start(self) -> MailSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for rcpts, m in self.messages if address in rcpts]

    def wait_for_mail(self, to: str, count: int = 1) -> EmailMessage:
        return wait_for(lambda: len(self.to(to)) >= count and self.to(to)[count - 1], what=f"mail {count} to {to}")

    def bodies(self, address: str) -> list[str]:
        return [m.get_content() for m in self.to(address)]
