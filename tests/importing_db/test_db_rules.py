"""The import's rules, through a real encrypted store: duplicates, merging, suppression,
provenance, lawful basis, owner, roles, dropped columns, mappings, dry runs, undo, bad files."""
from __future__ import annotations

import re

import pytest
from importing_db_helpers import contacts_of, stored_anywhere, table_counts, write

DANISH = (
    "Navn;Firma;Telefon;E-mail;CVR;Postnr;By;Stilling;Noter\n"
    "Jørgen Ærø Sørensen;Østergaard & Søn ApS;45 20 12 34 56;JS@Ostergaard.dk;24256790;8000;Århus C;"
    "Indkøber;Ring efter kl. 16\n"
    "MARIE BLÅBÆR;Østergaard & Søn ApS;30 12 34 56;marie@ostergaard.dk;;;;Bogholder;\n"
)


def danish_sheet(folder, text=DANISH, name="kunder.csv"):
    return write(folder, name, text, encoding="cp1252", newline="\r\n")


def test_danish_excel_sheet_cp1252_semicolons(store, scopes, tmp_path):
    from store.importing.batch import import_file

    report = import_file(scopes["manager"], danish_sheet(tmp_path))
    assert (report.fmt, report.encoding, report.delimiter) == ("csv", "cp1252", ";")
    assert (report.new, report.invalid, report.flagged) == (2, 0, 0)
    got = contacts_of(report.batch_id)
    js = got["js@ostergaard.dk"]
    assert (js["first_name"], js["last_name"], js["phone"], js["title"]) == (
        "Jørgen Ærø", "Sørensen", "+4520123456", "Indkøber")
    assert (js["company"], js["cvr"], js["postcode"], js["city"]) == (
        "Østergaard & Søn ApS", "24256790", "8000", "Århus C")
    assert js["notes"] == ["Ring efter kl. 16"]
    marie = got["marie@ostergaard.dk"]
    assert (marie["first_name"], marie["last_name"], marie["phone"]) == ("Marie", "Blåbær", "+4530123456")
    assert marie["company"] == js["company"]  # one company, found again by name


def test_special_category_and_cpr_are_flagged_and_never_stored(store, scopes, tmp_path):
    from store.importing.batch import import_file

    path = write(tmp_path, "f.csv", (
        "Navn;E-mail;Stilling;Noter;CPR-nr\n"
        "Anne Berg;anne@berg.dk;Ejer;Har diabetes og nøddeallergi;\n"
        "Ole Lund;ole@lund.dk;010190-1234;Medlem af 3F;\n"
        "Per Holm;per@holm.dk;;Husk cpr 0101901234 ved fakturering;\n"
        "Eva Dahl;eva@dahl.dk;;Ring i morgen;150585-4321\n"
    ), encoding="cp1252")
    report = import_file(scopes["admin"], path)
    assert report.new == 4 and report.flagged == 4, report.summary()
    assert [n.line for n in report.reasons("flagged")] == [2, 3, 3, 4, 5]
    assert ("CPR-nr", "cpr") in report.sensitive_columns and "CPR-nr" in report.dropped_columns
    for value in ("diabetes", "nøddeallergi", "010190", "0101901234", "150585", "Medlem af"):
        assert stored_anywhere(value) == [], value
    got = contacts_of(report.batch_id)
    assert got["ole@lund.dk"]["title"] == "" and got["anne@berg.dk"]["title"] == "Ejer"
    assert got["eva@dahl.dk"]["notes"] == ["Ring i morgen"]


def test_a_cpr_number_in_a_phone_column_is_flagged_and_never_shown(store, scopes, tmp_path):
    """Phone values skip the CPR check on the way in (every number is a digit run); one that
    is no phone number is checked before it could be quoted in a reason."""
    from store.importing.batch import import_file

    path = write(tmp_path, "p.csv", "Navn,E-mail,Telefon\nAnne Berg,anne@berg.dk,150585-4321\n"
                                    "Ole Lund,ole@lund.dk,20 12 34 56\n")
    report = import_file(scopes["admin"], path)
    assert (report.new, report.flagged, report.warnings) == (2, 1, 0), report.summary()
    assert [str(n) for n in report.reasons("flagged")] == [
        "line 2: column 'Telefon': special-category data (cpr) found; the value was not imported"]
    assert stored_anywhere("150585") == [] and "150585" not in " ".join(str(n) for n in report.notes)
    assert contacts_of(report.batch_id)["ole@lund.dk"]["phone"] == "+4520123456"


def _existing(scope):
    from store import contacts

    cid = contacts.create_contact(scope, first_name="Jens", last_name="Hansen", email="jens@firma.dk",
                                  title="Sælger")
    pid = contacts.create_contact(scope, first_name="Pia", last_name="Kjær", phone="+4540404040")
    return cid, pid


def test_duplicates_by_email_phone_and_name_with_company_are_skipped(store, scopes, tmp_path):
    from store.importing.batch import import_file

    scope = scopes["manager"]
    cid, pid = _existing(scope)
    first = import_file(scope, write(tmp_path, "a.csv", "Navn,Firma\nBo Ek,Ek ApS\n"))
    (bo,) = contacts_of(first.batch_id).values()
    path = write(tmp_path, "b.csv", (
        "Navn,E-mail,Telefon,Firma,Stilling\n"
        "J. Hansen,JENS@FIRMA.DK,,,Direktør\n"  # e-mail, whatever its case
        "Pia K,,40 40 40 40,,\n"                # phone, whatever its format
        "Bo Ek,,,Ek ApS,Ejer\n"                 # name plus company
        "Bo Ek,,,Andet ApS,\n"                  # same name, another company: someone else
    ))
    before = table_counts()
    report = import_file(scope, path)
    assert (report.new, report.duplicates, report.updated) == (1, 3, 0), report.summary()
    assert [str(n) for n in report.reasons("duplicate")] == [
        f"line 2: already in MiniCRM as contact {cid} (same e-mail): skipped",
        f"line 3: already in MiniCRM as contact {pid} (same phone): skipped",
        f"line 4: already in MiniCRM as contact {bo['id']} (same name and company): skipped",
    ]
    from store.models import Contact

    assert Contact.get_by_id(cid).title == "Sælger"  # skip: nothing overwritten
    assert table_counts()["contact"] == before["contact"] + 1


def test_update_policy_shows_each_field_change_then_applies_it_and_undo_restores(store, scopes, tmp_path):
    from store.importing.batch import import_file, undo_import
    from store.models import Contact

    scope = scopes["manager"]
    cid, _pid = _existing(scope)
    path = write(tmp_path, "b.csv", "Navn,E-mail,Telefon,Stilling,Firma\n"
                                    "Jens Hansen,jens@firma.dk,20 11 22 33,Direktør,Hansen VVS\n"
                                    "Pia Kjær,,40 40 40 40,,\n")
    preview = import_file(scope, path, policy="update", dry_run=True)
    assert (preview.updated, preview.duplicates, preview.batch_id) == (1, 1, None)
    assert [(c.contact_id, c.line, c.field, c.old, c.new) for c in preview.changes] == [
        (cid, 2, "title", "Sælger", "Direktør"), (cid, 2, "phone", "", "+4520112233"),
        (cid, 2, "company", "", "Hansen VVS")]
    jens = Contact.get_by_id(cid)
    assert (jens.title, jens.phone, jens.company_id, jens.version) == ("Sælger", None, None, 1)

    report = import_file(scope, path, policy="update")
    assert report.changes == preview.changes and report.batch_id is not None
    jens = Contact.get_by_id(cid)
    assert (jens.title, jens.phone, jens.company.name, jens.version) == ("Direktør", "+4520112233",
                                                                         "Hansen VVS", 2)
    result = undo_import(scope, report.batch_id)
    assert (result.removed, result.restored, result.companies) == (0, 1, 1)
    jens = Contact.get_by_id(cid)
    assert (jens.title, jens.phone, jens.company_id) == ("Sælger", None, None)


def test_repeats_inside_one_file_are_merged_also_across_chunks(store, scopes, tmp_path, monkeypatch):
    from store.importing import batch

    monkeypatch.setattr(batch, "CHUNK", 2)
    path = write(tmp_path, "r.csv", "Navn,E-mail,Telefon,Stilling\n"
                                    "Eva Dahl,eva@dahl.dk,,\n"
                                    "Eva Dahl,EVA@dahl.dk,,Ejer\n"         # same chunk
                                    "Max Lund,,30303030,\n"
                                    "Eva D.,eva@dahl.dk,20202020,Sælger\n"  # a later chunk
                                    "Max Lund,max@lund.dk,+45 30 30 30 30,\n")
    report = batch.import_file(scopes["admin"], path)
    assert (report.new, report.duplicates, report.merged) == (2, 3, 3), report.summary()
    got = contacts_of(report.batch_id)
    # blanks are filled from later repeats; a value already there is never overwritten
    assert (got["eva@dahl.dk"]["title"], got["eva@dahl.dk"]["phone"]) == ("Ejer", "+4520202020")
    assert (got["max@lund.dk"]["first_name"], got["max@lund.dk"]["phone"]) == ("Max", "+4530303030")
    assert [n.line for n in report.reasons("duplicate")] == [3, 5, 6]


def test_erased_people_are_suppressed_never_reimported(store, scopes, tmp_path):
    from store.importing.batch import import_file
    from store.rights import erase_person

    scope = scopes["admin"]
    path = write(tmp_path, "p.csv", "Navn,E-mail,Telefon\nLone Bak,lone@bak.dk,20304050\nIb Ny,ib@ny.dk,\n")
    first = import_file(scope, path)
    lone = contacts_of(first.batch_id)["lone@bak.dk"]
    erase_person(scope, lone["id"], legal_basis="art17_1a")
    again = write(tmp_path, "q.csv", "Navn,E-mail,Telefon\nLone Bak,LONE@bak.dk,\n"
                                     "L. Bak,lone.ny@bak.dk,+45 20 30 40 50\n"   # same phone
                                     "Kaj Ny,kaj@ny.dk,\n")
    report = import_file(scope, again)
    assert (report.new, report.suppressed) == (1, 2), report.summary()
    assert [str(n) for n in report.reasons("suppressed")] == [
        "line 2: erased earlier (erasure ledger): not imported",
        "line 3: erased earlier (erasure ledger): not imported"]
    assert stored_anywhere("lone") == [] and stored_anywhere("20304050") == []


def test_provenance_and_lawful_basis_on_every_contact(store, scopes, users, tmp_path):
    from store.importing.batch import import_file
    from store.models import AuditEvent, ImportBatch

    report = import_file(scopes["sales"], danish_sheet(tmp_path), lawful_basis="contract")
    batch = ImportBatch.get_by_id(report.batch_id)
    assert (batch.file_name, batch.imported_by_id, batch.lawful_basis) == (
        "kunder.csv", users["sales"].id, "contract")
    assert batch.imported_at is not None
    for contact in contacts_of(report.batch_id).values():
        assert (contact["source"], contact["lawful_basis"], contact["owner_id"]) == (
            "import:kunder.csv", "contract", users["sales"].id)
    event = AuditEvent.get(AuditEvent.action == "import.run")
    assert (event.entity, event.entity_id, event.actor_id) == ("import_batch", report.batch_id, users["sales"].id)
    assert "ostergaard" not in event.detail.lower() and '"new":2' in event.detail


def test_consent_basis_only_with_consent_evidence(store, scopes, samples, tmp_path):
    from importing_db_helpers import from_header

    from store.importing.batch import ImportRefused, import_file

    with pytest.raises(ImportRefused, match="needs consent evidence"):
        import_file(scopes["admin"], danish_sheet(tmp_path), lawful_basis="consent")
    path = from_header(samples, tmp_path, "mailchimp_subscribed.csv", [
        {"Email Address": "a@firma.dk", "OPTIN_TIME": "2021-03-04 10:20:30", "CONFIRM_TIME": "2021-03-04 10:25:00"},
        {"Email Address": "b@firma.dk"}])
    report = import_file(scopes["admin"], path, lawful_basis="consent")
    assert (report.new, report.invalid) == (1, 1)
    assert [str(n) for n in report.reasons("invalid")] == [
        "line 3: lawful basis 'consent' but the row carries no consent evidence"]
    assert contacts_of(report.batch_id)["a@firma.dk"]["lawful_basis"] == "consent"


def test_owner_from_a_column_or_the_owner_option(store, scopes, users, tmp_path):
    from store.importing.batch import ImportRefused, import_file

    path = write(tmp_path, "o.csv", f"Navn,E-mail,Ansvarlig\nA A,a@x.dk,{users['sales2'].username}\n"
                                    "B B,b@x.dk,nobody\nC C,c@x.dk,\n")
    mapping = {"Navn": "name", "E-mail": "email", "Ansvarlig": "owner"}
    report = import_file(scopes["manager"], path, mapping=mapping, owner=users["sales"].username)
    got = contacts_of(report.batch_id)
    assert [got[e]["owner_id"] for e in ("a@x.dk", "b@x.dk", "c@x.dk")] == [
        users["sales2"].id, users["sales"].id, users["sales"].id]
    assert [str(n) for n in report.reasons("warning")] == [
        "line 3: the owner column names no active user; the import's owner was used"]
    with pytest.raises(ImportRefused, match="not an active user"):
        import_file(scopes["manager"], path, owner="ghost")


def test_roles_finance_cannot_import_and_sales_own_what_they_import(store, scopes, users, tmp_path):
    from store.importing.batch import ImportRefused, import_file
    from store.scope import Forbidden

    path = write(tmp_path, "o.csv", f"Navn,E-mail,Ansvarlig\nA A,a@x.dk,{users['manager'].username}\n")
    before = table_counts()
    for role in ("finance", "privacy"):
        with pytest.raises(Forbidden):
            import_file(scopes[role], path)
    after = table_counts()
    assert after.pop("audit_event") == before.pop("audit_event") + 2  # the refusals are audited
    assert after == before
    report = import_file(scopes["sales"], path, mapping={"Navn": "name", "E-mail": "email", "Ansvarlig": "owner"})
    assert contacts_of(report.batch_id)["a@x.dk"]["owner_id"] == users["sales"].id
    with pytest.raises(ImportRefused, match="own what they import"):
        import_file(scopes["sales"], path, owner=users["manager"].username)
    # another seller cannot change (or even learn of) sales' contact, nor undo the batch
    other = import_file(scopes["sales2"], write(tmp_path, "u.csv", "Navn,E-mail,Stilling\nA A,a@x.dk,Chef\n"),
                        policy="update")
    assert (other.updated, other.duplicates, other.review) == (0, 0, 1)
    assert [str(n) for n in other.notes] == ["line 2: not imported: a manager must review this row"]
    from store.db import StoreError
    from store.importing.batch import undo_import

    with pytest.raises(StoreError, match="not found"):
        undo_import(scopes["sales2"], report.batch_id)


def test_unmapped_columns_are_not_stored_and_are_listed(store, scopes, tmp_path):
    from store.importing import Mapping
    from store.importing.batch import import_file

    path = write(tmp_path, "u.csv", "Navn,E-mail,Hemmelig kode,Fax\nA A,a@x.dk,zebra42unmapped,33333333\n")
    report = import_file(scopes["admin"], path)
    assert report.dropped_columns == ["Hemmelig kode", "Fax"]
    assert stored_anywhere("zebra42unmapped") == [] and stored_anywhere("33333333") == []
    # a saved mapping is reused, and can drop a column the layout would have kept
    saved = tmp_path / "mapping.json"
    report.mapping.with_target("E-mail", "drop").save(saved)
    assert Mapping.load(saved).target_for("E-mail") == "drop"
    again = import_file(scopes["admin"], write(tmp_path, "v.csv", "Navn,E-mail\nB B,bee@x.dk\n"), mapping=saved)
    assert again.dropped_columns == ["E-mail"] and stored_anywhere("bee@x.dk") == []


def test_a_broken_mapping_file_is_a_clear_error(store, scopes, tmp_path):
    from store.importing import ImportFileError
    from store.importing.batch import import_file

    bad = write(tmp_path, "m.json", '{"columns": {"Navn": "shoe_size"}}')
    with pytest.raises(ImportFileError, match="the mapping cannot be used"):
        import_file(scopes["admin"], danish_sheet(tmp_path), mapping=bad)


def test_dry_run_writes_nothing(store, scopes, tmp_path):
    from store.importing.batch import import_file

    scope = scopes["manager"]
    _existing(scope)
    path = write(tmp_path, "d.csv", "Navn,E-mail,Stilling,Firma,Tags,Noter\n"
                                    "Jens Hansen,jens@firma.dk,Direktør,Ny ApS,vip,Hej\n"
                                    "Ny Person,ny@x.dk,,Ny ApS,vip,En note\n")
    before = table_counts()
    report = import_file(scope, path, policy="update", dry_run=True)
    assert (report.new, report.updated, report.batch_id) == (1, 1, None)
    after = table_counts()
    assert after.pop("audit_event") == before.pop("audit_event") + 1  # only its audit row
    assert after == before
    from store.models import AuditEvent

    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (event.action, event.actor_id) == ("import.dry_run", scope.user_id)
    assert '"new":1' in event.detail and '"updated":1' in event.detail and "jens" not in event.detail


def test_undo_removes_the_batch_and_is_refused_after_an_edit(store, scopes, tmp_path):
    from store import contacts
    from store.db import StoreError
    from store.importing.batch import import_file, undo_import

    scope = scopes["manager"]
    before = table_counts()
    one = import_file(scope, danish_sheet(tmp_path))
    two = import_file(scope, write(tmp_path, "t.csv", "Navn,E-mail,Tags\nTo To,to@x.dk,a;b\n"))
    (to,) = contacts_of(two.batch_id).values()
    contacts.update_contact(scope, to["id"], 1, title="Chef")
    with pytest.raises(StoreError, match=r"cannot be undone: 1 of its contacts were changed or used since"):
        undo_import(scope, two.batch_id)
    assert contacts_of(two.batch_id)
    result = undo_import(scope, one.batch_id)
    assert (result.removed, result.companies) == (2, 1)
    with pytest.raises(StoreError, match="already undone"):
        undo_import(scope, one.batch_id)
    after = table_counts()
    assert after["contact"] == before["contact"] + 1 and after["company"] == before["company"]


def test_undo_is_refused_once_a_contact_got_a_note(store, scopes, tmp_path):
    from store import notes
    from store.db import StoreError
    from store.importing.batch import import_file, undo_import

    scope = scopes["manager"]
    report = import_file(scope, danish_sheet(tmp_path))
    (first, *_) = contacts_of(report.batch_id).values()
    notes.add_note(scope, first["id"], body="Ringede i dag", category="call")
    with pytest.raises(StoreError, match="changed or used since"):
        undo_import(scope, report.batch_id)


BAD_FILES = {
    "empty": (b"", None, "the file is empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, None,
               "not a contact list: this is a PNG image"),
    "binary, no signature": (b"Navn,E-mail\n" + bytes(range(256)) * 8, None, "not a text file"),
    "truncated": (b'Navn,E-mail,Noter\nA A,a@x.dk,"ok"\nB B,b@x.dk,"cut off here', None,
                  "line 3, column 'Noter': the file ends inside a quoted field"),
    "wrong encoding": ("Navn;E-mail\nA A;a@x.dk\nSøren Ø;s@x.dk\n".encode("cp1252"), "utf-8",
                       "line 3, column 'Navn': not valid utf-8 text"),
    "missing header": (b"Jens Hansen,jens@firma.dk,20123456\nAnne Berg,anne@berg.dk,30123456\n", None,
                       "line 1, column 2: missing header row"),
    "10 MB field": (b'Navn,E-mail,Noter\nA A,a@x.dk,"' + b"x" * (10 * 2**20) + b'"\n', None,
                    "line 2, column 'Noter': a "),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_files_fail_whole_with_file_line_and_column(store, scopes, tmp_path, kind):
    from store.importing import ImportFileError
    from store.importing.batch import import_file

    data, encoding, message = BAD_FILES[kind]
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    before = table_counts()
    with pytest.raises(ImportFileError) as err:
        import_file(scopes["admin"], path, encoding=encoding)
    assert str(err.value).startswith("bad.csv")
    assert message in str(err.value)
    assert table_counts() == before


def test_a_file_broken_after_many_good_rows_leaves_nothing(store, scopes, tmp_path, monkeypatch):
    from store.importing import ImportFileError, batch
    from store.models import AuditEvent

    monkeypatch.setattr(batch, "CHUNK", 50)
    good = "".join(f"P{i} Q,p{i}@x.dk,Firma {i % 7}\n" for i in range(500))
    path = tmp_path / "late.csv"
    path.write_bytes(f"Navn,E-mail,Firma\n{good}".encode() + b"Bad \xff\xfe row,bad@x.dk,X\n")
    before = table_counts()
    seen = []
    with pytest.raises(ImportFileError, match="line 502"):
        batch.import_file(scopes["admin"], path, encoding="utf-8", progress=lambda done, total: seen.append(done))
    assert seen and seen[-1] >= 450  # rows were written (and committed, batch by batch) before the error
    after = table_counts()
    # what it wrote was taken back; the audit trail says so, the change feed told the other screens
    assert after.pop("audit_event") == before.pop("audit_event") + 1
    assert after.pop("change") > before.pop("change")
    assert after == before
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert event.action == "import.failed" and '"removed":500' in event.detail


def test_control_characters_from_the_file_are_not_stored(store, scopes, tmp_path):
    from store.importing.batch import import_file

    filler = "".join(f"Person {i},p{i}@x.dk,Firma {i}\n" for i in range(40))  # mostly ordinary text
    path = write(tmp_path, "c.csv", "Navn,E-mail,Firma\nEvil\x1b[31m Name\x07,e@x.dk,Bad\x1b]0;x\x07 Co\n" + filler)
    report = import_file(scopes["admin"], path)
    got = contacts_of(report.batch_id)["e@x.dk"]
    text = f"{got['first_name']} {got['last_name']} {got['company']}"
    assert "\x1b" not in text and "\x07" not in text
    assert (got["first_name"], got["last_name"], got["company"]) == ("Evil [31m", "Name", "Bad ]0;x Co")


def test_progress_reports_rows_and_an_estimate(store, scopes, tmp_path, monkeypatch):
    from store.importing import batch

    monkeypatch.setattr(batch, "CHUNK", 100)
    path = write(tmp_path, "p.csv", "Navn,E-mail\n" + "".join(f"P{i} Q,p{i}@x.dk\n" for i in range(350)))
    calls = []
    report = batch.import_file(scopes["admin"], path, progress=lambda done, total: calls.append((done, total)))
    assert report.new == 350
    assert calls == [(100, 351), (200, 351), (300, 351), (350, 351)]


def test_an_xlsx_workbook_through_the_database(store, scopes, tmp_path):
    from openpyxl import Workbook

    from store.importing.batch import import_file

    book = Workbook()
    sheet = book.active
    sheet.title = "Kunder"
    sheet.append(["Fornavn", "Efternavn", "E-mail", "Mobil", "Firma", "CVR"])
    sheet.append(["Søren", "Ærbø", "soren@aerbo.dk", 4520123456, "Ærbø ApS", 24256790])
    sheet.append(["Ida", "Holm", "ida@holm.dk", "30 30 30 31", None, None])
    path = tmp_path / "kunder.xlsx"
    book.save(path)
    report = import_file(scopes["admin"], path)
    assert (report.fmt, report.new) == ("xlsx", 2), report.summary()
    got = contacts_of(report.batch_id)
    assert (got["soren@aerbo.dk"]["first_name"], got["soren@aerbo.dk"]["phone"], got["soren@aerbo.dk"]["cvr"]) == (
        "Søren", "+4520123456", "24256790")
    assert got["ida@holm.dk"]["phone"] == "+4530303031"


def test_the_fast_ledger_check_agrees_with_the_ledger(store, scopes, tmp_path):
    """The import compares keyed hashes of its already-normalised values directly; the
    ledger's own normalisation must leave such values unchanged, or suppression would miss."""
    from store.importing.batch import _erasure_checker
    from store.importing.normalise import normalise_email, normalise_phone
    from store.rights import ledger

    raw = [("Jens.Hansen@Firma.DK", "+45 20 12 34 56"), ("x@bücher.ch", "0046 70 123 45 67"),
           ("ANNE@xn--bcher-kva.ch", "4520123457"), ("o'brien+tag@sub.firma.dk", "+1 212 555 0100"),
           ("søren@firma.dk", "86 12 34 56")]
    values = [(normalise_email(e), normalise_phone(p, "DK")) for e, p in raw]
    for email, phone in values:
        assert ledger.normalise_email(email) == email
        assert ledger.normalise_phone(phone, "DK") == phone
    from store.db import database

    with database.atomic():
        for email, phone in values[:2]:
            ledger.add_entry(email, None, "art17_1a")
            ledger.add_entry(None, phone, "art17_1a")
    fast, slow = _erasure_checker(), ledger.erased_checker()
    for email, phone in values:
        for probe in ((email, None), (None, phone), (email, phone)):
            assert fast(*probe) == slow(*probe), probe
    assert fast(values[0][0], None) and fast(None, values[1][1]) and not fast(values[2][0], values[2][1])


def test_a_seller_learns_nothing_about_contacts_they_cannot_see(store, scopes, users, tmp_path):
    """Probing through import: another seller's contact, an erased person, a manager's contact:
    the seller is told only that a manager must review the row, dry run or not, either policy."""
    from store import contacts
    from store.importing.batch import import_file
    from store.models import AuditEvent
    from store.rights import erase_person

    theirs = contacts.create_contact(scopes["sales2"], first_name="Tove", last_name="Holm",
                                     email="tove@holm.dk", phone="+4522334455")
    gone = contacts.create_contact(scopes["admin"], first_name="Lone", last_name="Bak", email="lone@bak.dk")
    mine = contacts.create_contact(scopes["sales"], first_name="Mads", last_name="Vang", email="mads@vang.dk")
    erase_person(scopes["admin"], gone, legal_basis="art17_1a")
    path = write(tmp_path, "probe.csv", "Navn,E-mail,Telefon,Stilling\n"
                                        "T H,tove@holm.dk,,Chef\n"          # someone else's, by e-mail
                                        "X Y,,22 33 44 55,\n"                # someone else's, by phone
                                        "L B,lone@bak.dk,,\n"                # erased
                                        "M V,mads@vang.dk,,Ejer\n")          # the seller's own
    review = "not imported: a manager must review this row"
    for dry_run in (True, False):
        for policy in ("skip", "update"):
            report = import_file(scopes["sales"], path, dry_run=dry_run, policy=policy)
            text = " | ".join(str(n) for n in report.notes)
            assert [str(n) for n in report.reasons("review")] == [f"line {n}: {review}" for n in (2, 3, 4)]
            assert (report.review, report.suppressed, report.new) == (3, 0, 0), report.summary()
            assert set(re.findall(r"contact (\d+)", text)) <= {str(mine)}  # only their own contact is named
            assert "someone else" not in text and "owned" not in text
            assert "erased" not in report.summary() and "suppressed" not in text
    # the manager, who sees everyone, is told which contact and that a person was erased
    report = import_file(scopes["manager"], path, dry_run=True)
    # X Y shares only Tove's phone, under another name: their own contact, listed for review
    assert (report.review, report.suppressed, report.duplicates, report.new) == (0, 1, 2, 1)
    assert report.possible_duplicates == 1
    assert f"contact {theirs}" in " ".join(str(n) for n in report.reasons("duplicate"))
    # every dry run is audited like an import
    runs = AuditEvent.select().where(AuditEvent.action == "import.dry_run")
    assert [e.actor_id for e in runs] == [users["sales"].id] * 2 + [users["manager"].id]


@pytest.mark.parametrize("reading", ["here", "in a second process"])
def test_an_interrupted_import_resumes_from_the_first_batch_not_in(store, scopes, tmp_path, monkeypatch, reading):
    """Also when a reading process reads the file (pipeline.py): on resume it passes over
    what is in."""
    from store.db import StoreError
    from store.importing import batch, pipeline
    from store.importing.batch import ImportRefused
    from store.models import ImportBatch

    monkeypatch.setattr(batch, "CHUNK", 10)
    if reading != "here":
        monkeypatch.setattr(pipeline, "MIN_ROWS", 0)
    rows = "".join(f"P{i} Q,p{i}@x.dk,Firma {i % 3},Note {i}\n" + (",,,Har diabetes\n" if i in (4, 33) else "")
                   for i in range(45))  # two records with nothing to keep: skipped, before and after the stop
    rows += "P3 Q,p3@x.dk,,\n"  # a repeat of an early row: merged, also after the resume
    path = write(tmp_path, "r.csv", "Navn,E-mail,Firma,Noter\n" + rows)

    def stop_after_two(done, total):
        if done >= 20:
            raise KeyboardInterrupt  # Ctrl-C (a kill leaves the same: the batch row, two batches in)

    with pytest.raises(KeyboardInterrupt):
        batch.import_file(scopes["manager"], path, progress=stop_after_two)
    (b,) = ImportBatch.select()
    assert b.state == "interrupted" and len(contacts_of(b.id)) == 20
    other = write(tmp_path, "other.csv", "Navn,E-mail,Firma,Noter\n" + rows.replace("P4", "P9"))
    with pytest.raises(ImportRefused, match="not the file that import read"):
        batch.resume_import(scopes["manager"], b.id, other)
    with pytest.raises(StoreError, match="not found"):
        batch.resume_import(scopes["sales"], b.id)  # not theirs
    report = batch.resume_import(scopes["manager"], b.id)
    assert (report.rows, report.new, report.duplicates, report.merged, report.batch_id) == (48, 45, 1, 1, b.id)
    assert (report.invalid, report.flagged) == (2, 2) and [n.line for n in report.reasons("invalid")] == [7, 37]
    got = contacts_of(b.id)
    assert len(got) == 45 and got["p44@x.dk"]["notes"] == ["Note 44"] and got["p3@x.dk"]["company"] == "Firma 0"
    assert ImportBatch.get_by_id(b.id).state == "done"
    with pytest.raises(StoreError, match="nothing to resume"):
        batch.resume_import(scopes["manager"], b.id)
    result = batch.undo_import(scopes["manager"], b.id)
    assert (result.removed, result.companies) == (45, 3)


def test_a_file_read_in_a_second_process_imports_exactly_the_same(store, scopes, tmp_path, monkeypatch):
    """Big files are read by a child process (store/importing/pipeline.py): same report,
    same contacts, and a broken file fails with the same one-line error."""
    from store.importing import ImportFileError, batch, pipeline

    rows = "".join(f"P{i} Q,p{i}@x.dk,Firma {i % 4},{'Har diabetes' if i % 5 == 0 else 'Ring'}\n" for i in range(120))
    text = "Navn,E-mail,Firma,Noter\n" + rows + ",,,\nX,not-an-address,,\nP7 Q,p7@x.dk,,\n"
    here = batch.import_file(scopes["admin"], write(tmp_path, "a.csv", text), dry_run=True)
    monkeypatch.setattr(pipeline, "MIN_ROWS", 0)
    monkeypatch.setattr(batch, "CHUNK", 50)
    started = []
    real = pipeline.RemoteReader.__init__
    monkeypatch.setattr(pipeline.RemoteReader, "__init__",
                        lambda self, *a, **k: (started.append(1), real(self, *a, **k))[1])
    there = batch.import_file(scopes["admin"], write(tmp_path, "a.csv", text))
    assert started and there.counts() == here.counts()
    assert [(n.line, n.kind) for n in there.notes] == [(n.line, n.kind) for n in here.notes]
    assert len(contacts_of(there.batch_id)) == 121  # "X" has a name; its bad address is left out
    broken = tmp_path / "b.csv"
    broken.write_bytes(("Navn,E-mail\n" + "".join(f"B{i} Q,b{i}@x.dk\n" for i in range(200))).encode()
                       + b"Bad \xff row,bad@x.dk\n")
    with pytest.raises(ImportFileError, match=r"^b\.csv, line 202, column 'Navn': not valid utf-8"):
        batch.import_file(scopes["admin"], broken, encoding="utf-8")
    assert len(started) == 2


def _stored_rows() -> list[tuple]:
    """Every contact as stored, in id order, without its id and times: its columns (its company
    by name), other e-mails and phones, tags, notes, and its indexed search document (the
    index is contentless: its trigrams with their offsets, read through fts5vocab)."""
    from store.db import database

    skip = {"id", "company_id", "import_batch_id", "created_at", "updated_at", "last_activity_at"}
    columns = [c for (_, c, *_rest) in database.execute_sql("PRAGMA table_info(contact)") if c not in skip]
    database.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.doc_terms "
                         "USING fts5vocab(main, contact_search, instance)")
    out = []
    for cid, *values in database.execute_sql(
            f"SELECT c.id, {', '.join('c.' + c for c in columns)}, co.name, co.cvr, co.address, co.postcode, "
            "co.city FROM contact c LEFT JOIN company co ON co.id = c.company_id ORDER BY c.id").fetchall():
        def rows(sql: str, cid: int = cid) -> list[tuple]:
            return sorted(database.execute_sql(sql, (cid,)).fetchall())

        out.append((*values,
                    rows("SELECT email, label, position FROM email_address WHERE contact_id = ?"),
                    rows("SELECT phone, label, position FROM phone_number WHERE contact_id = ?"),
                    rows("SELECT t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id WHERE ct.contact_id = ?"),
                    rows("SELECT body, category, visibility FROM note WHERE contact_id = ?"),
                    rows("SELECT term, offset FROM temp.doc_terms WHERE doc = ?")))
    return out


def test_rows_made_ready_in_the_reading_process_are_the_rows_made_here(store, tmp_path, monkeypatch):
    """A big file's rows are made ready to insert in the reading process (prepared.py, carried
    on each candidate), a small file's in the importing process: the same file stores the very
    same contacts either way (columns, sort key, company, e-mails and phones with their
    labels, tags, notes, search document), and the same report."""
    from store import runtime, search
    from store.config import load_config, write_config
    from store.db import database
    from store.importing import batch, pipeline
    from store.scope import Scope

    firsts, lasts = ("Jørgen", "ANNE-MARIE", "søren", "Åse", "Mads"), ("Ærø", "van der Berg", "Hansen")

    def name(i: int) -> str:
        return f"{firsts[i % 5]} {lasts[i % 3]} {i}"

    lines = ["Navn;E-mail;Telefon;Mobil;Firma;CVR;Adresse;Postnr;By;Land;Stilling;Tags;Livscyklus;Noter"]
    for i in range(160):
        if i == 20:  # a repeat in the same chunk: merged into line 20, which then has a note and a tag
            lines.append(f"{name(18)};p18@firma4.dk;;;;;;;;;;vip;;Ringede igen")
        email = f"p{i}@firma{i % 7}.dk" + (f", privat{i}@gmail.com" if i % 9 == 0 else "")
        lines.append(
            f"{name(i)};"
            f"{email if i % 11 else ''};{'' if i % 4 == 0 else f'86 {i % 90:02d} 12 {i % 70:02d}'};"
            f"{f'20{i:06d}' if i % 3 else ''};{f'Firma {i % 6} ApS' if i % 5 else ''};"
            f"{'24256790' if i % 6 == 1 else ''};{'Søndergade ' + str(i % 4) if i % 2 else ''};"
            f"{8000 + i % 3 if i % 2 else ''};{'Århus C' if i % 2 else 'Ødis'};{'Danmark' if i % 8 == 0 else ''};"
            f"{'Indkøber' if i % 3 else 'Direktør  '};{'kunde;Fyn' if i % 4 == 1 else ''};"
            f"{['customer', 'lead', 'ukendt', ''][i % 4]};"
            f"{['Ring efter kl. 16', '', 'Har diabetes', 'Linje 1 / linje 2'][i % 4]}")
    lines += [f"{name(1)};p1@firma1.dk;;;Firma 9;;;;;;Chef;;;",  # a repeat of an earlier chunk: fills its blanks
              "Kun Navn;;;;Firma 2 ApS;;;;;;;;;", "Kun Navn;;;;Firma 2 ApS;;;;;;;;;"]
    path = write(tmp_path, "kunder.csv", "\n".join(lines) + "\n", encoding="cp1252", newline="\r\n")
    monkeypatch.setattr(batch, "CHUNK", 40)  # repeats across chunks too
    started = []
    real = pipeline.RemoteReader.__init__
    monkeypatch.setattr(pipeline.RemoteReader, "__init__",
                        lambda self, *a, **k: (started.append(1), real(self, *a, **k))[1])

    here = batch.import_file(Scope.console(), path)
    assert not started and here.new == 161 and here.merged == 3 and here.flagged == 40
    made_here = _stored_rows()
    runtime.close_store()
    write_config(tmp_path / "two.toml", "two.db", "two.key")
    runtime.create_store(load_config(tmp_path / "two.toml"))
    monkeypatch.setattr(pipeline, "MIN_ROWS", 0)
    there = batch.import_file(Scope.console(), path)
    assert started
    assert there.counts() == here.counts() and there.notes == here.notes
    made_there = _stored_rows()
    assert len(made_there) == here.new
    assert made_there == made_here
    assert any(row[-1] for row in made_here) and any(row[-3] for row in made_here)  # documents, tags compared
    # and the document is the one MiniCRM makes from the stored contact (search.index_contacts)
    with database.atomic():
        search.index_contacts(database, [cid for (cid,) in database.execute_sql("SELECT id FROM contact")])
    assert _stored_rows() == made_there
