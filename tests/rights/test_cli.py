"""`minicrm requests|export|erase|restrict`: real processes, one-line errors, confirmation on a TTY."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path

import pytest


def _one_line_error(proc, text: str) -> None:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.strip() == f"minicrm: {text}", proc.stderr
    assert "Traceback" not in proc.stderr


def test_requests_add_list_extend_close(store, make_person, run_cli):
    from store.models import AuditEvent

    p = make_person()
    added = run_cli(store, "requests", "add", str(p.id), "access", "--received", "2026-01-31")
    assert added.returncode == 0, added.stderr
    assert f"Registered request 1 (access) for contact {p.id}; answer by 2026-02-28." in added.stdout
    listing = run_cli(store, "requests", "list")
    assert listing.returncode == 0, listing.stderr
    line = next(ln for ln in listing.stdout.splitlines() if ln.startswith("1 "))
    assert "access" in line and "2026-02-28" in line and str(p.id) in line
    assert p.first_name not in listing.stdout and p.email not in listing.stdout  # ids only
    late = run_cli(store, "requests", "extend", "1", "--reason", "arkivgennemgang")
    _one_line_error(late, "request 1: an extension must be decided and told to the person within "
                          "the first month (by 2026-02-28)")
    closed = run_cli(store, "requests", "close", "1", "--outcome", "refused")
    assert closed.returncode == 0 and "Closed request 1 (refused)." in closed.stdout
    assert "refused" in run_cli(store, "requests", "list", "--all").stdout
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.actor_id.is_null())]
    assert {"request.add", "request.list", "request.close"} <= set(actions)
    _one_line_error(run_cli(store, "requests", "add", "4040", "access"), "contact 4040 not found")
    _one_line_error(run_cli(store, "requests", "close", "99"), "request 99 not found")


def _verified_request(run_cli, store, contact_id: int, by: str) -> None:
    assert run_cli(store, "requests", "add", str(contact_id), "access", "--channel", "letter").returncode == 0
    done = run_cli(store, "requests", "verify", "1", "--method", "id_document", "--by", by)
    assert done.returncode == 0 and "Recorded the identity check of request 1" in done.stdout, done.stderr


def test_export_person_needs_a_verified_request_and_prints_the_bundle_path(store, users, make_person,
                                                                          run_cli, tmp_path):
    from store.models import AuditEvent, DataSubjectRequest

    p = make_person()
    _one_line_error(run_cli(store, "export", "person", str(p.id)),
                    f"contact {p.id}: register the person's request first; every export answers an open request")
    assert run_cli(store, "requests", "add", str(p.id), "access").returncode == 0
    _one_line_error(run_cli(store, "export", "person", str(p.id)),
                    "request 1: record how the person's identity was verified first (Art. 12(6))")
    done = run_cli(store, "requests", "verify", "1", "--method", "id_document", "--by",
                   users["privacy"].username)
    assert done.returncode == 0, done.stderr
    proc = run_cli(store, "export", "person", str(p.id), "--language", "en")
    assert proc.returncode == 0, proc.stderr
    request = DataSubjectRequest.get_by_id(1)
    assert request.identity_method == "id_document" and request.identity_verified_by_id == users["privacy"].id
    assert request.bundle_name == Path(proc.stdout.strip()).name and request.exported_at is not None
    path = Path(proc.stdout.strip())
    assert path.parent == store.export_dir and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert any(n.endswith("/report.html") for n in zipfile.ZipFile(path).namelist())
    event = AuditEvent.select().where(AuditEvent.action == "person.export").get()
    assert event.entity_id == p.id and event.actor_id is None  # the console
    out = tmp_path / "elsewhere"
    out.mkdir()
    proc = run_cli(store, "export", "person", str(p.id), "--out", str(out))
    assert Path(proc.stdout.strip()).parent == out
    _one_line_error(run_cli(store, "export", "person", "8888"), "contact 8888 not found")
    purged = run_cli(store, "export", "purge", "--days", "0")
    assert purged.returncode == 0 and "Deleted 1 export bundles" in purged.stdout  # not the --out one
    assert not path.exists()


def test_export_person_to_stdout_is_a_zip(store, users, make_person, run_cli):
    p = make_person()
    _verified_request(run_cli, store, p.id, users["admin"].username)
    env = dict(os.environ, MINICRM_CONFIG=str(store.source))
    proc = subprocess.run([sys.executable, "-m", "console", "export", "person", str(p.id), "--stdout"],
                          env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=120)
    assert proc.returncode == 0, proc.stderr
    names = zipfile.ZipFile(BytesIO(proc.stdout)).namelist()
    assert any(n.endswith("/data.json") for n in names)


def test_erase_refuses_without_yes_when_not_on_a_terminal(store, make_person, run_cli, handled_by):
    from store.models import Contact, Invoice
    from store.rights import requests

    p = make_person()
    _one_line_error(run_cli(store, "erase", "person", str(p.id), "--yes"),
                    f"contact {p.id} has no open request: register it (`minicrm requests add`) and record the "
                    "identity check (`minicrm requests verify`) first; nothing was erased")  # as in the app
    rid = handled_by("privacy", p.id, "erasure", verified=False)
    _one_line_error(run_cli(store, "erase", "person", str(p.id), "--yes"),
                    f"request {rid}: record how the person's identity was verified first (Art. 12(6))")
    from store.models import User
    from store.scope import Scope

    requests.verify_identity(Scope(User.get(User.role == "privacy")), rid, "known_email")
    _one_line_error(run_cli(store, "erase", "person", str(p.id)),
                    "refusing to erase without --yes when standard input is not a terminal")
    assert Contact.select().where(Contact.id == p.id).exists()
    proc = run_cli(store, "erase", "person", str(p.id), "--yes", "--basis", "art17_1c")
    assert proc.returncode == 0, proc.stderr
    assert f"Erased contact {p.id}" in proc.stdout and "1 invoices kept" in proc.stdout
    assert f"request {rid} closed" in proc.stdout
    assert requests.get_request(Scope.console(), rid).status != "open"
    assert p.first_name not in proc.stdout
    assert not Contact.select().where(Contact.id == p.id).exists()
    assert Invoice.get_by_id(p.invoice_kept).retained_after_erasure
    _one_line_error(run_cli(store, "erase", "person", str(p.id), "--yes"), f"contact {p.id} not found")


def test_erase_asks_on_a_terminal(store, make_person, handled_by):
    pexpect = pytest.importorskip("pexpect")
    from store.models import Contact

    p = make_person()
    handled_by("privacy", p.id, "erasure")
    env = dict(os.environ, MINICRM_CONFIG=str(store.source))
    argv = ["-m", "console", "erase", "person", str(p.id)]

    child = pexpect.spawn(sys.executable, argv, env=env, encoding="utf-8", timeout=60)
    child.expect("removes: 1 contact, 2 notes")
    child.expect("stays: 1 invoices")
    child.expect(rf"Type the contact id \({p.id}\) to erase")
    child.sendline("ja")
    child.expect("Cancelled; nothing was erased.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert Contact.select().where(Contact.id == p.id).exists()

    child = pexpect.spawn(sys.executable, argv, env=env, encoding="utf-8", timeout=60)
    child.expect(r"Type the contact id")
    child.sendline(str(p.id))
    child.expect(f"Erased contact {p.id}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert not Contact.select().where(Contact.id == p.id).exists()


def test_restrict_and_lift_from_the_console(store, make_person, run_cli):
    from store.models import AuditEvent, Contact

    p = make_person()
    proc = run_cli(store, "restrict", "person", str(p.id), "--ground", "legal_claims")
    assert proc.returncode == 0 and f"Restricted processing of contact {p.id}" in proc.stdout
    assert Contact.get_by_id(p.id).restricted_at is not None
    proc = run_cli(store, "restrict", "person", str(p.id), "--lift")
    assert proc.returncode == 0 and f"Lifted the restriction on contact {p.id}." in proc.stdout
    assert Contact.get_by_id(p.id).restricted_at is None
    assert [e.action for e in AuditEvent.select().where(AuditEvent.entity_id == p.id)
            .where(AuditEvent.action.startswith("person."))] == ["person.restrict", "person.restrict_lift"]
    _one_line_error(run_cli(store, "restrict", "person", "5150"), "contact 5150 not found")


def test_reapply_ledger_and_purge_from_the_console(store, make_person, console, run_cli):
    from store.rights import erase_person

    p = make_person()
    erase_person(console, p.id, legal_basis="art17_1a")
    proc = run_cli(store, "erase", "reapply-ledger")
    assert proc.returncode == 0 and "erased 0 contacts." in proc.stdout
    proc = run_cli(store, "erase", "purge-invoices")
    assert proc.returncode == 0 and "Deleted 0 invoices" in proc.stdout
