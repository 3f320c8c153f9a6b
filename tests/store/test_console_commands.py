"""The `minicrm` console commands, run as real processes with no terminal."""
from __future__ import annotations

import re

import pytest

from store import contacts, validate
from store.config import load_config
from store.models import Company, Consent, Contact, Deal, Invoice, Note, User
from store.scope import Scope


def one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def initialised(store):
    """A store with one administrator, closed here (`init` itself is tested elsewhere)."""
    from store import runtime
    from store.db import database

    with database.atomic():
        User.create(username="chefen", role="admin", must_change_password=False)
    runtime.close_store()
    return store


def test_commands_before_init_say_so_in_one_line(config_path, run_cli):
    for command in (["user", "list"], ["audit", "verify"], ["demo-data", "--contacts", "3"]):
        proc = run_cli(config_path, *command)
        assert proc.returncode != 0
        assert "minicrm init" in one_line(proc.stderr)
    assert not load_config(config_path).db_path.exists()


@pytest.mark.parametrize("argv, problem", [
    (["user", "add", "ole", "--role", "bad"], "unknown role"),
    (["user", "add", "ole", "--role", "Admin"], "unknown role"),
    (["user", "add", "Ole Hansen", "--role", "sales"], "username"),
    (["user", "add", "ø", "--role", "sales"], "username"),
    (["user", "add", "chefen", "--role", "sales"], "already exists"),
])
def test_user_add_mistakes_are_one_line_and_non_zero(initialised, run_cli, argv, problem):
    proc = run_cli(initialised, *argv)
    assert proc.returncode != 0
    assert problem in one_line(proc.stderr)
    assert "One-time password" not in proc.stdout


def test_user_add_then_list_prints_a_table(initialised, run_cli):
    added = run_cli(initialised, "user", "add", "sofie", "--role", "sales")
    assert added.returncode == 0, added.stderr
    assert "sofie" in added.stdout and re.search(r"One-time password.*: \S{12,}", added.stdout)
    assert run_cli(initialised, "user", "add", "frede", "--role", "finance").returncode == 0

    proc = run_cli(initialised, "user", "list")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["user", "name", "role", "last", "login", "2FA", "state", "sessions"]
    assert set(lines[1]) <= {"-", " "}
    rows = {ln.split()[0]: ln.split() for ln in lines[2:]}
    assert set(rows) == {"chefen", "sofie", "frede"}
    assert rows["sofie"][1:] == ["sales", "never", "no", "active", "0"]
    assert rows["frede"][1] == "finance" and rows["chefen"][1] == "admin"
    assert "$2" not in proc.stdout                       # no hashes


def test_demo_data_is_danish_and_complete(initialised, run_cli):
    assert run_cli(initialised, "user", "add", "sofie", "--role", "sales").returncode == 0
    proc = run_cli(initialised, "demo-data", "--contacts", "200")
    assert proc.returncode == 0, proc.stderr
    counts = dict((k, int(v)) for v, k in re.findall(r"(\d+) (\w+)", proc.stdout))
    assert counts["contacts"] == 200

    from store import runtime

    runtime.open_store(initialised)
    try:
        people = list(Contact.select())
        assert len(people) == 200
        names = " ".join(f"{c.first_name} {c.last_name}" for c in people)
        for letter in "æøå":
            assert letter in names.lower(), letter
        for company in Company.select():
            assert validate.cvr_ok(company.cvr), company.id
        for person in people:
            assert re.fullmatch(r"\+45[2-9]\d{7}", person.phone), person.id
            assert validate.phone(person.phone) == person.phone
            assert validate.email(person.email) == person.email
        assert Deal.select().count() > 0
        assert Invoice.select().count() > 0
        assert Consent.select().count() > 0
        assert Note.select().count() > 0
        assert Note.select().where(Note.visibility == "private").count() > 0
        owners = {c.owner_id for c in people}
        assert owners == {User.get(User.username == "sofie").id}   # sales/manager own the demo contacts
        manager = Scope(User.get(User.username == "chefen"))
        a_dane = next(c for c in people if "ø" in c.first_name.lower() or "ø" in c.last_name.lower())
        folded = a_dane.last_name.lower().replace("ø", "o") if "ø" in a_dane.last_name.lower() \
            else a_dane.first_name.lower().replace("ø", "o")
        assert a_dane.id in {r.id for r in contacts.search_contacts(manager, folded, limit=500)}
    finally:
        runtime.close_store()

    verify = run_cli(initialised, "audit", "verify")
    assert verify.returncode == 0 and "intact" in verify.stdout


def test_help_needs_no_config(run_cli, tmp_path):
    proc = run_cli(tmp_path / "none.toml", "--help")
    assert proc.returncode == 0
    for command in ("init", "user", "demo-data", "audit"):
        assert command in proc.stdout
