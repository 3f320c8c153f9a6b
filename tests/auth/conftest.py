"""A fresh encrypted store per test and ready-made users with known credentials.

bcrypt runs at the production cost (12, about 0.3 s).  To keep the suite fast,
users are written with one password hash computed once per worker; each test
then pays only for the logins it makes.  Nothing here mocks the store.
"""
from __future__ import annotations

import queue
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest

from store.config import load_config, write_config

PASSWORD = "Grøn hest på taget 7"  # passes the policy
COMPANY = "Nordlys ApS"


@dataclass
class Person:
    id: int
    username: str
    role: str
    password: str
    secret: str | None

    def code(self, at: float | None = None) -> str:
        return pyotp.TOTP(self.secret).at(time.time() if at is None else at)

    def wrong_code(self, at: float | None = None) -> str:
        """Six digits that are no valid code within the accepted clock skew."""
        at = time.time() if at is None else at
        valid = {self.code(at + offset) for offset in (-30, 0, 30)}
        return next(c for c in ("123456", "654321", "000000", "999999") if c not in valid)

    def __repr__(self) -> str:  # keep the credentials out of pytest's failure output
        return f"Person({self.id}, {self.username!r})"


@pytest.fixture(scope="session")
def password_hash() -> str:
    from store import passwords

    return passwords.hash_password(PASSWORD, cost=12)


def _make_config(folder: Path, **auth) -> Path:
    path = folder / "minicrm.toml"
    write_config(path, "crm.db", "crm.key", company={"name": COMPANY}, auth=auth, ui={"demo": True})
    return path


@pytest.fixture
def auth_settings() -> dict:
    """Override in a test module (or parametrize) to change [auth] settings."""
    return {}


@pytest.fixture
def crm(tmp_path, auth_settings):
    """A new encrypted store, open in this process; yields its Config."""
    from store import runtime

    config = load_config(_make_config(tmp_path, **auth_settings))
    runtime.create_store(config)
    try:
        yield config
    finally:
        runtime.close_store()


@pytest.fixture
def make_user(crm, password_hash):
    """make_user(name, role="sales", enrolled=True) -> Person with PASSWORD and a TOTP secret."""
    from store import secretbox, totp
    from store.db import database
    from store.models import User
    from store.runtime import derived_key

    def make(username: str, role: str = "sales", *, enrolled: bool = True) -> Person:
        secret = totp.new_secret() if enrolled else None
        with database.atomic():
            user = User.create(username=username, role=role, password_hash=password_hash,
                               must_change_password=False)
            if enrolled:
                sealed = secretbox.seal(derived_key("totp"), secret.encode(), aad=f"user:{user.id}".encode())
                User.update(totp_secret=sealed, totp_enrolled=True).where(User.id == user.id).execute()
        return Person(user.id, username, role, PASSWORD, secret)

    return make


def audit_rows(action: str | None = None) -> list:
    from store.models import AuditEvent

    q = AuditEvent.select().order_by(AuditEvent.id)
    if action:
        q = q.where(AuditEvent.action == action)
    return list(q)


class Child:
    """A child process whose stdout lines are collected by a thread (no blocking reads)."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)

    def line(self, timeout: float = 30) -> str:
        """The next line, or fail after `timeout` seconds."""
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.proc.kill()
            raise AssertionError(f"no output from the child within {timeout} s") from None
        if line is None:
            raise AssertionError(f"the child exited ({self.proc.wait()}): {self.proc.stderr.read()}")
        return line

    def finish(self, timeout: float = 30) -> None:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise


@pytest.fixture
def spawn_child(spawn_python):
    """spawn_child(config, code, *args) -> Child; killed at the end of the test."""
    children: list[Child] = []

    def spawn(config, code: str, *args) -> Child:
        child = Child(spawn_python(config, code, *args))
        children.append(child)
        return child

    yield spawn
    for child in children:
        if child.proc.poll() is None:
            child.proc.kill()
            child.proc.wait()
