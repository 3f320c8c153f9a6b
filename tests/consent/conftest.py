"""A store whose config sends mail to a real SMTP sink (aiosmtpd on 127.0.0.1), with
consent texts published, for the consent, opt-in and campaign tests."""
from __future__ import annotations

import pytest
from mailsink import MailSink

from store.config import write_config

BASE_URL = "http://crm.test"


@pytest.fixture
def sink():
    s = MailSink().start()
    yield s
    s.stop()


def mail_config(sink: MailSink, **web) -> dict:
    return {"company": {"name": "Smedjen ApS"},
            "mail": {"host": "127.0.0.1", "port": sink.port, "security": "none",
                     "from_address": "nyhed@smedjen.dk", "campaign_per_minute": 6000},
            "web": {"base_url": BASE_URL, **web}}


@pytest.fixture
def config_path(tmp_path, sink):
    path = tmp_path / "minicrm.toml"
    write_config(path, "crm.db", "crm.key", **mail_config(sink))
    return path


@pytest.fixture
def texts(store):
    """A first Danish and English text for every purpose, published by the console."""
    from store import consent_texts
    from store.scope import Scope

    consent_texts.seed_defaults(Scope.console(), "Smedjen ApS")
    return {(t.purpose, t.language): t for t in consent_texts.published(Scope.console())}
