"""Files through the SSH channel: `import` reads stdin, `export person` writes a zip
to stdout; each needs a fresh TOTP code and is audited."""
from __future__ import annotations

import io
import json
import zipfile

from sshd_harness import audit_rows, last_audit_id

CSV = ("Fornavn;Efternavn;E-mail;Telefon\r\n"
       "Bjørn;Ærøsen;bjorn@aeroe-el.dk;+4523456789\r\n"
       "Kirsten;Fjeldsø;kirsten@fjeldsoe.dk;+4531234567\r\n").encode("cp1252")


def _count(server, email: str) -> int:
    out = server.python_code("""
        from store.models import Contact
        print(Contact.select().where(Contact.email == sys.argv[1]).count())
        """, email)
    return int(out.stdout)


def test_import_dry_run_then_for_real_through_the_channel(server):
    erin = server.staff["erin"]
    before = last_audit_id(server)
    dry = server.ssh(erin.key, f"import --dry-run --name kunder.csv --otp {erin.code()}", input=CSV)
    assert dry.returncode == 0, dry.stderr
    assert b"dry run, nothing saved: 2 rows: 2 new" in dry.stdout
    assert _count(server, "bjorn@aeroe-el.dk") == 0

    real = server.ssh(erin.key, f"import --name kunder.csv --otp {erin.code()}", input=CSV)
    assert real.returncode == 0, real.stderr
    assert b"imported: 2 rows: 2 new" in real.stdout
    assert _count(server, "bjorn@aeroe-el.dk") == 1

    batch = audit_rows(server, "ssh.batch", since=before)
    assert [(r["detail"]["command"], r["detail"]["ok"], r["detail"]["dry_run"]) for r in batch] == [
        ("import", True, True), ("import", True, False)]
    assert {r["actor"] for r in batch} == {batch[0]["actor"]}
    assert audit_rows(server, "import.run", since=before)
    assert "Ærøsen" not in json.dumps(audit_rows(server, since=before), ensure_ascii=False)


def test_export_person_writes_the_bundle_to_stdout(server):
    contact_id = server.contacts["Åse Østergaard"]
    lis = server.staff["lis"]
    server.python_code("""
        from store import rights
        from store.models import User
        from store.scope import Scope
        lis = Scope(User.get(User.username == "lis"))
        rights.verify_identity(lis, rights.add_request(lis, int(sys.argv[1]), "access"), "known_email")
        """, str(contact_id))  # every export answers a request whose identity check is recorded
    before = last_audit_id(server)
    res = server.ssh(lis.key, f"export person {contact_id} --otp {lis.code()}")
    assert res.returncode == 0, res.stderr
    with zipfile.ZipFile(io.BytesIO(res.stdout)) as bundle:
        names = bundle.namelist()
        data_json = next(n for n in names if n.endswith("/data.json"))
        assert "Østergaard" in bundle.read(data_json).decode("utf-8")
    rows = audit_rows(server, "ssh.batch", since=before)
    assert len(rows) == 1 and rows[0]["detail"]["command"] == "export person"
    assert rows[0]["detail"]["contact"] == contact_id and rows[0]["detail"]["ok"] is True


def test_export_person_needs_a_verified_request_even_for_admin(server):
    fred = server.staff["fred"]
    contact_id = server.contacts["Søren Kjærgaard"]
    res = server.ssh(fred.key, f"export person {contact_id} --otp {fred.code()}")
    assert res.returncode == 1 and res.stdout == b""
    assert b"register the person's request first" in res.stderr


def test_a_code_works_once(server):
    fred = server.staff["fred"]
    code = fred.code()
    contact_id = server.contacts["Mette Brøndum"]
    server.python_code("""
        from store import rights
        from store.models import User
        from store.scope import Scope
        fred = Scope(User.get(User.username == "fred"))
        rights.verify_identity(fred, rights.add_request(fred, int(sys.argv[1]), "access"), "mitid")
        """, str(contact_id))
    first = server.ssh(fred.key, f"export person {contact_id} --otp {code}")
    assert first.returncode == 0, first.stderr
    again = server.ssh(fred.key, f"export person {contact_id} --otp {code}")
    assert again.returncode == 2 and again.stdout == b""
    assert b"wrong or already used code" in again.stderr


def test_unknown_person_is_one_line(server):
    fred = server.staff["fred"]
    res = server.ssh(fred.key, f"export person 999999 --otp {fred.code()}")
    assert res.returncode == 1 and res.stdout == b""
    assert res.stderr == b"minicrm: contact 999999 not found\n"


def test_mailing_export_streams_only_consenting_people(server):
    kim = server.staff["kim"]
    server.python_code("""
        from store.db import database
        from store.models import Consent, Contact, utcnow
        with database.atomic():
            for first, email, status in (("Ida", "ida@nyhed.dk", "given"), ("Bo", "bo@nyhed.dk", "withdrawn")):
                c = Contact.create(first_name=first, email=email, lifecycle="customer")
                Consent.create(contact=c.id, purpose="newsletter", channel="email", status=status,
                               given_at=utcnow(), method="paper", text_version="v1")
        """)
    before = last_audit_id(server)
    res = server.ssh(kim.key, f"mailing export newsletter --otp {kim.code()}")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.decode("utf-8").splitlines()
    assert lines[0] == "email,first_name,last_name,consent_given_at,unsubscribe_url"
    assert any(line.startswith("ida@nyhed.dk,Ida,") for line in lines)
    assert not any("bo@nyhed.dk" in line for line in lines)
    assert audit_rows(server, "mailing.export", since=before)


def test_export_fetch_hands_out_the_bundle_attached_to_the_request(server):
    contact_id = server.contacts["Åse Østergaard"]
    lis, gina = server.staff["lis"], server.staff["gina"]
    out = server.python_code("""
        from store import rights
        from store.models import User
        from store.scope import Scope
        lis = Scope(User.get(User.username == "lis"))
        rid = rights.add_request(lis, int(sys.argv[1]), "portability", channel="letter")
        rights.verify_identity(lis, rid, "id_document")
        print(rid, rights.export_for_request(lis, rid).name)
        """, str(contact_id))
    request_id, bundle = out.stdout.split()
    res = server.ssh(lis.key, f"export fetch {request_id} --otp {lis.code()}")
    assert res.returncode == 0, res.stderr
    with zipfile.ZipFile(io.BytesIO(res.stdout)) as zipped:
        assert all(n.startswith(bundle.removesuffix(".zip") + "/") for n in zipped.namelist())
        assert "Østergaard" in zipped.read(next(n for n in zipped.namelist() if n.endswith("/data.json"))
                                           ).decode("utf-8")
    refused = server.ssh(gina.key, f"export fetch {request_id} --otp {gina.code()}")
    assert refused.returncode == 2 and refused.stdout == b""
    none = server.ssh(lis.key, f"export fetch 99999 --otp {lis.code()}")
    assert none.returncode == 1 and none.stdout == b"" and b"request 99999 not found" in none.stderr
