"""The SMTP client against a real aiosmtpd server that asks for a login: the password comes
from its own 0600 file, and no failure names an address."""
from __future__ import annotations

import os

import pytest
from mailsink import MailSink

from store.config import write_config


@pytest.fixture
def auth_sink():
    s = MailSink(auth=("crm", "hemmelig-kode")).start()
    yield s
    s.stop()


def _store_with(tmp_path, sink, password: str, mode: int = 0o600):
    secret = tmp_path / "smtp.password"
    secret.write_text(password + "\n", encoding="utf-8")
    os.chmod(secret, mode)
    return _store_mailing_to(tmp_path, sink, username="crm", password_file="smtp.password")


def _store_mailing_to(tmp_path, sink, **mail):
    """The store (created the first time) with its mail going to `sink`, plus `mail` settings."""
    from store import runtime
    from store.config import load_config

    path = tmp_path / "m.toml"
    write_config(path, "crm.db", "crm.key", mail={"host": "127.0.0.1", "port": sink.port, "security": "none",
                                                   "from_address": "nyhed@smedjen.dk", "timeout_seconds": 5,
                                                   **mail})
    runtime.close_store()
    config = load_config(path)
    if not config.db_path.exists():
        runtime.create_store(config)
    else:
        runtime.open_store(config)
    return config


def test_login_with_the_password_file_and_failures_that_name_no_address(tmp_path, auth_sink):
    from store import mailer, runtime
    from store.errors import ConfigError

    try:
        _store_with(tmp_path, auth_sink, "hemmelig-kode")
        mailer.send(mailer.message("karen@firma.dk", "Hej", "Tekst æøå"))
        assert auth_sink.wait_for_mail("karen@firma.dk").get_content().strip() == "Tekst æøå"

        _store_with(tmp_path, auth_sink, "forkert")
        with pytest.raises(mailer.MailError) as caught:
            mailer.send(mailer.message("karen@firma.dk", "Hej", "x"))
        # aiosmtpd hangs up after refused logins: either way the error names no address
        assert "karen" not in str(caught.value) and "@" not in str(caught.value)
        assert "forkert" not in str(caught.value)

        _store_with(tmp_path, auth_sink, "hemmelig-kode", mode=0o644)
        with pytest.raises(ConfigError, match="chmod 600"):
            mailer.send(mailer.message("karen@firma.dk", "Hej", "x"))
        with pytest.raises(ValueError):  # a header with a line break is refused before anything is sent
            mailer.message("karen@firma.dk", "Hej\r\nBcc: alle@firma.dk", "x")
        assert len(auth_sink.messages) == 1
    finally:
        runtime.close_store()


def test_a_mail_greets_with_the_senders_domain_and_never_asks_dns_for_this_machine(tmp_path, monkeypatch):
    """smtplib names the client in EHLO by asking DNS for this machine's full name on every
    connection (socket.getfqdn); with a resolver that does not answer, each mail waited for it."""
    import socket

    from store import mailer, runtime

    def no_dns(*_args):
        raise AssertionError("asked DNS for this machine's name")

    monkeypatch.setattr(socket, "getfqdn", no_dns)
    sink = MailSink().start()
    try:
        for helo, expected in (("", "smedjen.dk"), ("mail.smedjen.dk", "mail.smedjen.dk")):
            _store_mailing_to(tmp_path, sink, helo_name=helo)
            mailer.send(mailer.message("karen@firma.dk", "Hej", "Tekst"))
            sink.wait_for_mail("karen@firma.dk", count=len(sink.greetings))
            assert sink.greetings[-1] == expected
    finally:
        sink.stop()
        runtime.close_store()
