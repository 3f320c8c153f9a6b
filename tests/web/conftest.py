"""The real `minicrm web` process on a free port, on a store whose mail goes to an aiosmtpd sink."""
from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from mailsink import MailSink, free_port
from waiting import wait_for
from webclient import Client

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


def start_web(config, port: int) -> subprocess.Popen:
    script = Path(sys.executable).with_name("minicrm")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "console"]
    env = {**os.environ, "MINICRM_CONFIG": str(config.source), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([*command, "--config", str(config.source), "web", "--bind",
                             f"127.0.0.1:{port}"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def up():
        if proc.poll() is not None:
            raise AssertionError(f"minicrm web exited: {proc.stderr.read()}")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return r.status == 200
    try:
        wait_for(up, what="minicrm web to answer")
    except AssertionError:
        proc.kill()
        raise
    return proc


def stop_web(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        _out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
    return err


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
