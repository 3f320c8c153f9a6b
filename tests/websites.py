"""The real `minicrm web` process on a free port, on a store whose mail goes to an aiosmtpd sink.

Fixtures for tests/web (its conftest imports them) and the web fuzz suite (tests/suites):
a module that imports `site` and `config_path` from here serves its tests from a real process.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass

import pytest
from mailsink import MailSink, free_port
from webclient import Client
from webserver import start_web, stop_web

from store.config import write_config


@dataclass
class Site:
    port: int
    sink: MailSink
    config: object
    proc: subprocess.Popen

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> Client:
        return Client("127.0.0.1", self.port)


@pytest.fixture
def sink():
    s = MailSink().start()
    yield s
    s.stop()


@pytest.fixture
def web_port():
    return free_port()


@pytest.fixture
def web_settings():
    """Overridden by a test module to trust a proxy or change the limits."""
    return {}


@pytest.fixture
def config_path(tmp_path, sink, web_port, web_settings):
    path = tmp_path / "minicrm.toml"
    write_config(path, "crm.db", "crm.key",
                 company={"name": "Smedjen ApS"},
                 ui={"language": "da"},
                 mail={"host": "127.0.0.1", "port": sink.port, "security": "none",
                       "from_address": "nyhed@smedjen.dk", "campaign_per_minute": 6000},
                 web={"base_url": f"http://127.0.0.1:{web_port}", "privacy_url": "https://smedjen.dk/privatliv",
                      **web_settings})
    return path


@pytest.fixture
def site(store, sink, web_port):
    from store import consent_texts
    from store.scope import Scope

    consent_texts.seed_defaults(Scope.console(), "Smedjen ApS")
    proc = start_web(store, web_port)
    s = Site(web_port, sink, store, proc)
    yield s
    err = stop_web(proc)
    s.stderr = err  # type: ignore[attr-defined]
    assert "Traceback" not in err, err
