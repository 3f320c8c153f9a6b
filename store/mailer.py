"""Sending mail through the SMTP server in the config (section [mail]).

STARTTLS on 587 or implicit TLS on 465, with the certificate checked against
the system's CAs, and login when a username is set (the password is read from
`mail.password_file`, never from the config itself).  `security = "none"` is
for a relay on the same machine (and the tests' aiosmtpd sink).

Nothing here logs or raises an address: failures name the SMTP step and code
only, because an error message may end up in a log (issue 13, STYLE.md).
"""
from __future__ import annotations

import contextlib
import functools
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from pathlib import Path

from .errors import ConfigError, StoreError


class MailError(StoreError):
    """The SMTP server refused or could not be reached; the text names no address."""


def _settings():
    from .runtime import current

    return current().config


def configured() -> bool:
    config = _settings()
    return bool(config["mail.host"] and config["mail.from_address"])


def helo_name(config) -> str:
    """The name given in EHLO: `mail.helo_name`, else the sender's domain.  Never left to
    smtplib, which asks DNS for this machine's fully qualified name on every connection
    (socket.getfqdn): with no answer from the resolver, each mail waited for its timeout."""
    return config["mail.helo_name"] or _sender_domain(config) or "localhost"


def _sender_domain(config) -> str:
    return config["mail.from_address"].rpartition("@")[2]


def _password(config) -> str | None:
    path: Path | None = config.mail_password_path
    if not config["mail.username"]:
        return None
    if path is None:
        raise ConfigError(f"{config.source}: mail.username is set but mail.password_file is not")
    try:
        if path.stat().st_mode & 0o077:
            raise ConfigError(f"{path}: the SMTP password file must be readable by its owner only (chmod 600)")
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the SMTP password file ({exc.strerror})") from None


def message(to: str, subject: str, body: str, *, headers: dict[str, str] | None = None) -> EmailMessage:
    """A plain-text UTF-8 message; header values with line breaks are refused by the policy."""
    config = _settings()
    msg = EmailMessage(policy=SMTP)
    msg["From"] = config["mail.from_address"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=_sender_domain(config) or None)
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body, cte="quoted-printable")
    return msg


@functools.cache
def _tls() -> ssl.SSLContext:
    """Certificates checked against the system's CAs; built once (loading them costs ~20 ms)."""
    return ssl.create_default_context()


class Connection:
    """One SMTP session for many messages (a campaign); `send()` for a single one."""

    def __init__(self) -> None:
        self.config = _settings()
        if not configured():
            raise ConfigError(f"{self.config.source}: mail.host and mail.from_address must be set to send mail")
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        c = self.config
        host, port, timeout = c["mail.host"], c["mail.port"], c["mail.timeout_seconds"]
        name = helo_name(c)
        try:
            if c["mail.security"] == "tls":
                self.smtp = smtplib.SMTP_SSL(host, port, name, timeout=timeout, context=_tls())
            else:
                self.smtp = smtplib.SMTP(host, port, name, timeout=timeout)
                if c["mail.security"] == "starttls":
                    self.smtp.starttls(context=_tls())
            password = _password(c)
            if password is not None:
                self.smtp.login(c["mail.username"], password)
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise MailError(f"the SMTP server refused the login ({exc.smtp_code})") from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise MailError(f"cannot reach the SMTP server {host}:{port} ({type(exc).__name__})") from None
        return self

    def send(self, msg: EmailMessage) -> None:
        assert self.smtp is not None
        try:
            refused = self.smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused:
            raise MailError("the SMTP server refused the recipient") from None
        except smtplib.SMTPResponseException as exc:
            raise MailError(f"the SMTP server refused the message ({exc.smtp_code})") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"the SMTP connection failed ({type(exc).__name__})") from None
        if refused:
            raise MailError("the SMTP server refused the recipient")

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None

    def __exit__(self, *exc) -> None:
        self.close()


def send(msg: EmailMessage) -> None:
    with Connection() as connection:
        connection.send(msg)
