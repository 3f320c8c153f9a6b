"""The person's own copy: everything about them, nothing about anyone else, safe files."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import stat
import time
import zipfile
from pathlib import Path

import pytest


def _open_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        root = names[0].split("/")[0]
        assert all(n.startswith(root + "/") for n in names)
        return {n.split("/", 1)[1]: zf.read(n) for n in names}


def _csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_bundle_holds_everything_about_the_person(store, scopes, make_person, handled_by):
    from store.rights import export_person

    p = make_person()
    handled_by("privacy", p.id, "access")
    path = export_person(scopes["privacy"], p.id, language="en")
    files = _open_zip(path)
    assert {"data.json", "report.txt", "report.html", "contact.csv", "notes.csv", "invoices.csv",
            "consents.csv", "consent_events.csv", "tags.csv", "deals.csv", "company.csv",
            "import_sources.csv", "import_changes.csv", "requests.csv", "record_history.csv"} <= set(files)
    data = json.loads(files["data.json"])
    assert data["person_id"] == p.id
    c = data["contact"]
    assert (c["first_name"], c["last_name"], c["email"], c["phone"]) == (p.first_name, p.last_name,
                                                                         p.email, p.phone)
    assert data["company"]["id"] == p.company_id
    assert sorted(t["tag"] for t in data["tags"]) == ["messe-2026", "vip"]
    assert [d["id"] for d in data["deals"]] == [p.deal_id]
    assert sorted(i["id"] for i in data["invoices"]) == sorted([p.invoice_kept, p.invoice_expired])
    bodies = " ".join(n["body"] for n in data["notes"])
    assert p.note_token in bodies and p.private_token in bodies  # private notes by others too
    assert [e["event"] for e in data["consent_events"]] == ["given"]
    assert p.evidence_token in data["consent_events"][0]["evidence"]
    assert [s["id"] for s in data["import_sources"]] == [p.batch_id]
    assert p.old_email in data["import_changes"][0]["old_values"]
    assert [r["kind"] for r in data["requests"]] == ["access"]
    # who viewed or changed the record and when, staff by role
    history = data["record_history"]
    assert {"contact.create", "request.add"} <= {h["action"] for h in history}
    assert all(h["at"] and h["by_role"] for h in history)
    assert data["field_metadata"]["contact.email"]["category"] == "contact_details"
    # the readable report carries the Art. 15 information
    report = files["report.txt"].decode()
    for needle in ("Purposes and legal bases", "Recipients", "How long we keep the data", "Datatilsynet",
                   "Your rights", "Where the data came from", "imported from a contact list",
                   p.private_token, "Art. 6(1)(c)", "bogføringsloven"):
        assert needle in report, needle


def test_schema_coverage_every_personal_field_is_exported(store, scopes, make_person, handled_by):
    """Fails when a model gains a personal-data field (or a new model) the export does not cover."""
    from store.models import personal_fields
    from store.rights import export_person
    from store.rights.export import SECTIONS, STAFF_MODELS

    p = make_person()
    handled_by("admin", p.id)
    data = json.loads(_open_zip(export_person(scopes["admin"], p.id))["data.json"])
    by_model = {s.model: s for s in SECTIONS}
    missing = []
    for model, field in personal_fields():
        if model in STAFF_MODELS:
            continue
        section = by_model.get(model)
        if section is None:
            missing.append(f"{model.__name__} (no export section, not a staff model)")
            continue
        rows = data[section.name]
        rows = [rows] if isinstance(rows, dict) else rows
        if not rows:
            missing.append(f"{model.__name__}: the test person has no {section.name}")
        elif any(field.name not in row for row in rows):
            missing.append(f"{model.__name__}.{field.name}")
        elif f"{section.name}.{field.name}" not in data["field_metadata"]:
            missing.append(f"{model.__name__}.{field.name} (metadata)")
    assert missing == []


def test_nothing_about_other_people(store, users, scopes, make_person, handled_by):
    from store.db import database
    from store.models import Contact, Note
    from store.rights import export_person

    p = make_person()
    other = make_person(phone="+4571234567")
    with database.atomic():  # same company, and a note on the other person by the same user
        Contact.update(company=p.company_id).where(Contact.id == other.id).execute()
        Note.create(contact=other.id, author=users["sales"].id, body="Note about the other one")
    handled_by("privacy", p.id)
    handled_by("privacy", other.id)  # the handler may see both; the bundle is still about one
    files = _open_zip(export_person(scopes["privacy"], p.id))
    blob = b"".join(files.values())
    for value in (other.first_name, other.last_name, other.email, other.phone, other.note_token,
                  other.private_token, other.evidence_token, other.old_email, "Note about the other one",
                  other.phone[3:], users["sales"].username, users["sales2"].username):
        assert value.encode() not in blob, value
    assert p.email.encode() in blob


def test_csv_neutralises_formulas_and_phones_still_read(store, users, scopes, make_person, handled_by):
    from store.db import database
    from store.models import Contact, Note
    from store.rights import export_person
    from store.rights.export import neutralise

    p = make_person()
    payloads = ["=HYPERLINK(\"http://x.example\",\"klik\")", "+1+1", "-2+3", "@SUM(A1:A2)",
                "\tTAB", "\rCR", "\x00NUL", "=cmd|' /C calc'!A0"]
    with database.atomic():
        Contact.update(title="=1+1").where(Contact.id == p.id).execute()
        for body in payloads:
            Note.create(contact=p.id, author=users["sales"].id, body=body)
    handled_by("admin", p.id)
    files = _open_zip(export_person(scopes["admin"], p.id))
    notes = _csv_rows(files["notes.csv"])
    bodies = [n["body"] for n in notes]
    for payload in payloads:
        assert "'" + payload in bodies
    for row in notes:
        for value in row.values():
            assert value[:1] not in ("=", "+", "-", "@", "\t", "\r", "\0"), value
    [contact] = _csv_rows(files["contact.csv"])
    assert contact["title"] == "'=1+1"
    assert contact["phone"] == "'" + p.phone and contact["phone"].lstrip("'") == p.phone
    # numbers stay numbers: a negative amount is not a formula
    invoices = {int(i["id"]): i for i in _csv_rows(files["invoices.csv"])}
    assert invoices[p.invoice_expired]["amount_minor"] == "-20000"
    # data.json keeps every value as it is
    data = json.loads(files["data.json"])
    assert data["contact"]["phone"] == p.phone and data["contact"]["title"] == "=1+1"
    assert neutralise("Søren") == "Søren" and neutralise(None) == "" and neutralise(-5) == -5


def test_html_report_escapes_and_text_report_is_not_markup(store, users, scopes, make_person, handled_by):
    from store.db import database
    from store.models import Note
    from store.rights import export_person

    p = make_person()
    with database.atomic():
        Note.create(contact=p.id, author=users["sales"].id,
                    body="<script>alert(1)</script> [b]fed[/b] **fed** | pipe")
    handled_by("admin", p.id)
    files = _open_zip(export_person(scopes["admin"], p.id, language="da"))
    page = files["report.html"].decode()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "default-src 'none'" in page
    assert "Dine rettigheder" in page and "Datatilsynet" in page
    text = files["report.txt"].decode()
    assert "<script>alert(1)</script> [b]fed[/b]" in text and "**fed** | pipe" in text  # as typed
    assert "Formål og retsgrundlag" in text and "Klage" in text


def test_files_and_folder_are_private_and_named_by_us(store, scopes, make_person, handled_by):
    from store.rights import export_person

    p = make_person()
    handled_by("admin", p.id)
    path = export_person(scopes["admin"], p.id)
    assert path.parent == store.export_dir
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.export_dir.stat().st_mode) == 0o700
    assert path.name.startswith(f"person-{p.id}-") and path.suffix == ".zip"
    assert p.first_name.lower() not in path.name.lower()
    with zipfile.ZipFile(path) as zf:
        assert all((i.external_attr >> 16) & 0o777 == 0o600 for i in zf.infolist())
    folder = export_person(scopes["admin"], p.id, as_zip=False)
    assert folder.is_dir() and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {f.name for f in folder.iterdir()} >= {"data.json", "report.html"}
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in folder.iterdir())
    # a loose configured folder is tightened
    store.export_dir.chmod(0o755)
    export_person(scopes["admin"], p.id)
    assert stat.S_IMODE(store.export_dir.stat().st_mode) == 0o700


def test_zip_to_a_stream(store, scopes, make_person, handled_by):
    from store.rights import write_export_zip

    class OneWay(io.RawIOBase):  # like a pipe: no seeking, no telling
        def __init__(self):
            self.chunks = []

        def writable(self):
            return True

        def write(self, b):
            self.chunks.append(bytes(b))
            return len(b)

    p = make_person()
    handled_by("admin", p.id)
    sink = OneWay()
    name = write_export_zip(scopes["admin"], p.id, sink)
    zf = zipfile.ZipFile(io.BytesIO(b"".join(sink.chunks)))
    assert f"{name}/data.json" in zf.namelist()
    assert json.loads(zf.read(f"{name}/data.json"))["contact"]["email"] == p.email


def test_every_export_is_audited_by_id(store, users, scopes, make_person, handled_by):
    from store import audit
    from store.rights import export_person

    p = make_person()
    handled_by("privacy", p.id)
    export_person(scopes["privacy"], p.id)
    [event] = [e for e in audit.history("contact", p.id) if e.action == "person.export"]
    assert event.actor_id == users["privacy"].id and event.at is not None
    assert p.first_name not in event.detail and p.email not in event.detail
    assert json.loads(event.detail)["counts"]["notes"] == 2
    assert audit.verify().ok


@pytest.mark.parametrize("role", ["sales", "manager", "finance"])
def test_roles_without_person_export_are_forbidden(store, scopes, make_person, role):
    from store.rights import export_person
    from store.scope import Forbidden

    p = make_person()
    with pytest.raises(Forbidden):
        export_person(scopes[role], p.id)


def test_privacy_needs_an_open_request_and_unknown_ids_are_not_found(store, scopes, make_person):
    from store.rights import NoOpenRequest, export_person
    from store.scope import NotFound

    p = make_person()
    with pytest.raises(NoOpenRequest, match=f"contact {p.id}"):
        export_person(scopes["privacy"], p.id)  # would be silently incomplete otherwise
    with pytest.raises(NotFound, match="contact 424242 not found"):
        export_person(scopes["admin"], 424242)
    assert not store.export_dir.exists() or list(store.export_dir.iterdir()) == []


def test_old_bundles_are_purged_and_nothing_else(store, scopes, make_person, handled_by):
    from store.rights import export_person, purge_exports

    p = make_person()
    handled_by("admin", p.id)
    zipped = export_person(scopes["admin"], p.id)
    folder = export_person(scopes["admin"], p.id, as_zip=False)
    mine = store.export_dir / "notes-from-staff.txt"
    mine.write_text("not ours to delete")
    assert purge_exports(now=time.time()) == 0  # younger than a week
    assert purge_exports(dt.timedelta(seconds=0), now=time.time() + 5) == 2
    assert not zipped.exists() and not folder.exists() and mine.exists()
