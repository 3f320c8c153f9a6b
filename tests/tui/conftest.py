"""Fixtures for the terminal app: a real encrypted demo store per test.

The store (users of every role with known passwords and TOTP secrets, and
Danish sample data) is built once per test worker and copied for each test,
so a test may change anything.  bcrypt runs at cost 4 here (production: 12):
the login code path is the same, only the cost factor differs, and 5 users x
2 hashes at cost 12 would cost seconds per test.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

os.environ["TZ"] = "Europe/Copenhagen"
time.tzset()

FAST_COST = 4
ROLES = ("admin", "manager", "sales", "finance", "privacy")
FROZEN = "2026-03-02 09:30:00"


def _freeze_dates() -> None:
    """Sample data carries 'now' in its dates; fix them so screenshots are stable.  The demo's
    follow-ups and recent invoices are dated around today: moved back to around FROZEN, keeping
    their spread (so every one of them is overdue or paid from the test's real today)."""
    import datetime as dt

    from store.db import database

    shift = f"-{(dt.date.today() - dt.date.fromisoformat(FROZEN[:10])).days} days"
    recent = (dt.date.today() - dt.timedelta(days=80)).isoformat()

    with database.atomic():
        database.execute_sql("UPDATE contact SET created_at=?, updated_at=?, last_activity_at=?",
                             (FROZEN, FROZEN, FROZEN))
        database.execute_sql("UPDATE note SET created_at=?", (FROZEN,))
        database.execute_sql("UPDATE deal SET created_at=?, updated_at=?", (FROZEN, FROZEN))
        database.execute_sql("UPDATE consent SET given_at=CASE WHEN given_at IS NULL THEN NULL "
                             "ELSE '2025-06-01 12:00:00' END, withdrawn_at=CASE WHEN withdrawn_at IS NULL "
                             "THEN NULL ELSE '2025-09-01 12:00:00' END, updated_at=?", (FROZEN,))
        database.execute_sql("UPDATE consent_event SET at=CASE event WHEN 'withdrawn' THEN "
                             "'2025-09-01 12:00:00' ELSE '2025-06-01 12:00:00' END")
        database.execute_sql("UPDATE follow_up SET due_on=date(due_on, ?), created_at=?, "
                             "done_at=CASE WHEN done_at IS NULL THEN NULL ELSE ? END", (shift, FROZEN, FROZEN))
        database.execute_sql("UPDATE invoice SET issued_on=date(issued_on, ?1), due_on=date(due_on, ?1), "
                             "paid_on=CASE WHEN paid_on IS NULL THEN NULL ELSE date(paid_on, ?1) END "
                             "WHERE issued_on >= ?2", (shift, recent))


@pytest.fixture(scope="session")
def template_store(tmp_path_factory) -> Path:
    from store import passwords
    from store.runtime import close_store, open_store
    from tui import demo

    folder = tmp_path_factory.mktemp("template") / "crm"
    saved = passwords.MIN_COST
    passwords.MIN_COST = FAST_COST
    try:
        config_path = demo.build(folder, contacts=60, bcrypt_cost=FAST_COST)
        open_store(config_path)
        _freeze_dates()
        from store.db import checkpoint

        checkpoint()
        close_store()
    finally:
        passwords.MIN_COST = saved
    return folder


class Crm:
    """One test's store: config, login helpers and the app."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.config_path = folder / "config.toml"

    def config(self, **ui):
        from store.config import load_config

        config = load_config(self.config_path)
        config.values["auth"]["bcrypt_cost"] = FAST_COST
        config.values["ui"].update(ui)
        return config

    def open(self):
        from store.runtime import open_store

        return open_store(self.config())

    @staticmethod
    def code(username: str, at: float | None = None) -> str:
        import pyotp

        from tui.demo import totp_secret

        return pyotp.TOTP(totp_secret(username)).at(at if at is not None else time.time())

    def session(self, username: str, *, at: float | None = None):
        """A real Session for `username` (logs in through store.auth, in this thread)."""
        from store import auth
        from tui.demo import PASSWORD

        when = at if at is not None else time.time()
        return auth.login(username, PASSWORD, self.code(username, when), now=when)

    def app(self, *, language: str = "en", demo: bool = False, **kwargs):
        from tui.app import MiniCRMApp

        kwargs.setdefault("poll_interval", 0.2)
        kwargs.setdefault("check_interval", 0.5)
        app = MiniCRMApp(self.config(demo=demo), language=language, **kwargs)
        if not demo:
            app.demo_accounts = None
        return app


@pytest.fixture
def crm(template_store, tmp_path, monkeypatch) -> Crm:
    from store import audit, passwords
    from store.runtime import close_store

    monkeypatch.setattr(passwords, "MIN_COST", FAST_COST)
    folder = tmp_path / "crm"
    shutil.copytree(template_store, folder)
    os.chmod(folder / "minicrm-demo.key", 0o600)
    crm = Crm(folder)
    crm.open()
    yield crm
    audit._pending_searches.clear()
    close_store()
