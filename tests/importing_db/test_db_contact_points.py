"""Every importer keeps every e-mail, phone and the address; a shared number never merges
two people (issue 12): real files into a real encrypted store."""
from __future__ import annotations

from importing_db_helpers import from_header, write

from store import contacts
from store.views import ContactPoint


def _detail(scope, cid):
    return contacts.get_contact(scope, cid, audit_view=False)


def _only(scope, batch_id):
    from store.models import Contact

    return [_detail(scope, c.id) for c in Contact.select().where(Contact.import_batch == batch_id).order_by(Contact.id)]


def test_google_csv_keeps_every_email_and_phone_with_its_label_and_primary(store, scopes, samples, tmp_path):
    from store.importing.batch import import_file

    scope = scopes["manager"]
    path = from_header(samples, tmp_path, "google_contacts_current.csv", [{
        "First Name": "Jens", "Last Name": "Hansen", "Organization Name": "Hansen VVS ApS",
        "E-mail 1 - Label": "Work", "E-mail 1 - Value": "jens@hansenvvs.dk",
        "E-mail 2 - Label": "* Home", "E-mail 2 - Value": "jens.h@gmail.com ::: jh@hotmail.com",
        "Phone 1 - Label": "Mobile", "Phone 1 - Value": "+45 20 12 34 56",
        "Phone 2 - Label": "Work", "Phone 2 - Value": "86 12 34 56",
        "Address 1 - Street": "Vestergade 12", "Address 1 - City": "Aarhus C",
        "Address 1 - Postal Code": "8000", "Address 1 - Country": "Denmark"}])
    report = import_file(scope, path)
    (jens,) = _only(scope, report.batch_id)
    assert jens.emails == (ContactPoint("jens.h@gmail.com", "private", True),  # "* Home": Google's primary
                           ContactPoint("jens@hansenvvs.dk", "work", False),
                           ContactPoint("jh@hotmail.com", "private", False))
    assert jens.email == "jens.h@gmail.com"
    assert jens.phones == (ContactPoint("+4520123456", "mobile", True), ContactPoint("+4586123456", "work", False))
    assert (jens.address, jens.postcode, jens.city, jens.country) == ("Vestergade 12", "8000", "Aarhus C",
                                                                      "Denmark")
    # found by the second address, the second number and the city's postcode's contact alike
    assert [r.id for r in contacts.search_contacts(scope, "gmail.com")] == [jens.id]
    assert [r.id for r in contacts.search_contacts(scope, "86123456")] == [jens.id]
    assert "Not stored" not in report.summary()


def test_outlook_csv_keeps_emails_2_and_3_phones_by_header_and_the_business_address(store, scopes, samples,
                                                                                      tmp_path):
    from store.importing.batch import import_file

    scope = scopes["manager"]
    path = from_header(samples, tmp_path, "outlook_desktop_en.csv", [{
        "First Name": "Ole", "Last Name": "Sørensen", "Company": "Sørensen ApS",
        "E-mail Address": "ole@sorensen.dk", "E-mail 2 Address": "ole@gmail.com", "E-mail 3 Address": "o@s.dk",
        "Mobile Phone": "30 12 34 56", "Business Phone": "70 20 30 40", "Home Phone": "86 86 86 86",
        "Business Street": "Industrivej 9", "Business City": "Vejle", "Business Postal Code": "7100",
        "Business Country/Region": "Danmark", "Home Street": "Bakkevej 3", "Home City": "Odense"}],
        newline="\r\n")
    report = import_file(scope, path)
    (ole,) = _only(scope, report.batch_id)
    assert [e.value for e in ole.emails] == ["ole@sorensen.dk", "ole@gmail.com", "o@s.dk"]
    assert [(p.value, p.label) for p in ole.phones] == [("+4530123456", "mobile"), ("+4570203040", "work"),
                                                        ("+4586868686", "private")]
    assert (ole.address, ole.postcode, ole.city, ole.country) == ("Industrivej 9", "7100", "Vejle", "Danmark")


def test_vcard_repeated_email_and_tel_with_types_and_adr(store, scopes, tmp_path):
    from store.importing.batch import import_file

    scope = scopes["manager"]
    path = write(tmp_path, "k.vcf", (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Berg;Anne;;;\r\nFN:Anne Berg\r\n"
        "EMAIL;TYPE=HOME:anne@privat.dk\r\nEMAIL;TYPE=WORK,PREF:anne@berg.dk\r\n"
        "TEL;TYPE=CELL:20 20 20 20\r\nTEL;TYPE=WORK,VOICE:33 33 33 33\r\nTEL;TYPE=FAX:33 33 33 34\r\n"
        "ADR;TYPE=WORK:;;Nørregade 1;København K;;1165;Danmark\r\nEND:VCARD\r\n"))
    report = import_file(scope, path)
    (anne,) = _only(scope, report.batch_id)
    assert anne.emails == (ContactPoint("anne@berg.dk", "work", True), ContactPoint("anne@privat.dk", "private", False))
    assert anne.phones == (ContactPoint("+4520202020", "mobile", True), ContactPoint("+4533333333", "work", False))
    assert (anne.address, anne.postcode, anne.city, anne.country) == ("Nørregade 1", "1165", "København K",
                                                                      "Danmark")


def test_a_row_matching_any_email_of_a_contact_is_that_contact(store, scopes, tmp_path):
    from store.importing.batch import import_file

    scope = scopes["manager"]
    cid = contacts.save_contact(scope, None, None, {"first_name": "Jens", "last_name": "Hansen",
                                                    "emails": ["jens@firma.dk", "jens@gmail.com"]}).id
    report = import_file(scope, write(tmp_path, "a.csv", "Navn,E-mail\nJens Hansen,JENS@gmail.com\n"))
    assert (report.new, report.duplicates) == (0, 1), report.summary()
    assert f"contact {cid}" in str(report.reasons("duplicate")[0])
    # with "update" the row's other addresses are added, and undo takes them away again
    path = write(tmp_path, "b.csv", "Navn,E-mail,Telefon,Mobil\nJens Hansen,jens@gmail.com,86 12 34 56,20 12 34 56\n")
    updated = import_file(scope, path, policy="update")
    assert updated.updated == 1
    assert [p.value for p in _detail(scope, cid).phones] == ["+4586123456", "+4520123456"]
    from store.importing.batch import undo_import

    undo_import(scope, updated.batch_id)
    assert _detail(scope, cid).phones == ()
    assert [e.value for e in _detail(scope, cid).emails] == ["jens@firma.dk", "jens@gmail.com"]


def test_tove_sharing_mads_phone_stays_her_own_contact_and_is_listed_for_review(store, scopes, tmp_path):
    """The case from issue 12: Tove Christiansen was merged into Mads Ågaard (one landline)."""
    from store.importing.batch import import_file
    from store.models import PossibleDuplicate

    scope = scopes["manager"]
    mads = contacts.save_contact(scope, None, None, {"first_name": "Mads", "last_name": "Ågaard",
                                                     "phones": ["86 12 34 56"]}).id
    report = import_file(scope, write(tmp_path, "a.csv", (
        "Fornavn,Efternavn,Telefon,E-mail\n"
        "Tove,Christiansen,86 12 34 56,tove@christiansen.dk\n"
        "Mads,Aagaard,+45 86 12 34 56,mads@aagaard.dk\n")))  # Mads himself, spelled the other way: his
    assert (report.new, report.duplicates, report.possible_duplicates) == (1, 1, 1), report.summary()
    (tove,) = _only(scope, report.batch_id)
    assert (tove.name, tove.phone, tove.email) == ("Tove Christiansen", "+4586123456", "tove@christiansen.dk")
    assert _detail(scope, mads).name == "Mads Ågaard"
    (pair,) = PossibleDuplicate.select()
    assert (pair.contact_id, pair.other_id, pair.shared, pair.import_batch_id, pair.resolved_at) == (
        tove.id, mads, "phone", report.batch_id, None)
    assert f"contact {mads}" in " ".join(str(n) for n in report.reasons("duplicate"))


def test_two_people_of_one_file_sharing_a_switchboard_are_two_contacts(store, scopes, tmp_path):
    from store.importing.batch import import_file
    from store.models import PossibleDuplicate

    scope = scopes["manager"]
    report = import_file(scope, write(tmp_path, "a.csv", (
        "Navn,Telefon,Firma\n"
        "Mads Ågaard,70 10 20 30,Ågaard A/S\n"
        "Tove Christiansen,70 10 20 30,Ågaard A/S\n"
        "Mads Ågaard,70 10 20 30,Ågaard A/S\n")))  # a real repeat: merged
    assert (report.new, report.merged, report.possible_duplicates) == (2, 1, 1), report.summary()
    mads, tove = _only(scope, report.batch_id)
    (pair,) = PossibleDuplicate.select()
    assert (pair.contact_id, pair.other_id, pair.shared) == (tove.id, mads.id, "phone")
    preview = import_file(scope, write(tmp_path, "b.csv", "Navn,Telefon\nAnne Berg,70 10 20 30\n"), dry_run=True)
    assert (preview.new, preview.possible_duplicates) == (1, 1)


def test_the_danish_sheet_keeps_work_private_and_mobile_and_the_address(store, scopes, tmp_path):
    from store.importing.batch import import_file

    scope = scopes["manager"]
    text = ("Navn;Firma;Arbejdsmail;Privatmail;Telefon;Mobil;Adresse;Postnr;By;Land\r\n"
            "Søren Ågaard;Ågaard A/S;soren@aagaard.dk;soren@gmail.com;86 12 34 56;20 12 34 56;"
            "Åboulevarden 1;8000;Aarhus C;Danmark\r\n")
    path = tmp_path / "kunder.csv"
    path.write_bytes(text.encode("cp1252"))
    report = import_file(scope, path)
    assert report.layout == "danish_sheet"
    (soren,) = _only(scope, report.batch_id)
    assert [(e.value, e.label) for e in soren.emails] == [("soren@aagaard.dk", "work"), ("soren@gmail.com", "private")]
    assert [(p.value, p.label) for p in soren.phones] == [("+4586123456", "other"), ("+4520123456", "mobile")]
    assert (soren.address, soren.postcode, soren.city, soren.country) == ("Åboulevarden 1", "8000", "Aarhus C",
                                                                          "Danmark")


def test_the_thunderbird_sample_keeps_both_addresses_and_the_work_address(store, scopes, samples):
    from store.importing.batch import import_file

    scope = scopes["manager"]
    report = import_file(scope, samples / "thunderbird-csv" / "roundcube_tb_plain.csv")
    (c,) = _only(scope, report.batch_id)
    assert [e.value for e in c.emails] == ["test@domain.tld", "next@domain.tld"]
    assert (c.address, c.postcode, c.city, c.country) == ("Addr work", "33-333", "Wcity", "Poland")


def test_the_review_list_shows_the_pair_to_who_sees_both_until_it_is_resolved(store, scopes, tmp_path):
    from store import duplicates
    from store.importing.batch import import_file
    from store.models import AuditEvent

    manager = scopes["manager"]
    mads = contacts.save_contact(manager, None, None, {"first_name": "Mads", "last_name": "Ågaard",
                                                       "phones": ["86 12 34 56"]}).id
    report = import_file(manager, write(tmp_path, "a.csv", "Navn,Telefon\nTove Christiansen,86 12 34 56\n"))
    (tove,) = _only(manager, report.batch_id)
    (pair,) = duplicates.open_pairs(manager)
    assert (pair.contact_id, pair.other_id, pair.shared, pair.import_batch_id) == (tove.id, mads, "phone",
                                                                                    report.batch_id)
    assert duplicates.open_pairs(scopes["sales"]) == []  # a seller sees neither of them
    duplicates.resolve(manager, pair.id)
    assert duplicates.open_pairs(manager) == []
    event = AuditEvent.select().where(AuditEvent.action == "duplicate.resolve").get()
    assert (event.entity_id, "Tove" in event.detail) == (tove.id, False)


def test_a_repeat_in_a_later_chunk_adds_its_other_addresses_to_the_first(store, scopes, tmp_path, monkeypatch):
    from store.importing import batch

    monkeypatch.setattr(batch, "CHUNK", 2)
    monkeypatch.setattr(batch, "MIN_CHUNK", 2)
    rows = "".join(f"Person {i},p{i}@x.dk,\n" for i in range(4))
    path = write(tmp_path, "a.csv", "Navn,E-mail,Mobil\nJens Hansen,jens@x.dk,\n" + rows
                 + "Jens Hansen,jens@x.dk ; jens@gmail.com,20 20 20 20\n")
    report = batch.import_file(scopes["manager"], path)
    assert (report.new, report.merged) == (5, 1), report.summary()
    jens = next(c for c in _only(scopes["manager"], report.batch_id) if c.first_name == "Jens")
    assert [e.value for e in jens.emails] == ["jens@x.dk", "jens@gmail.com"]
    assert [p.value for p in jens.phones] == ["+4520202020"]


def test_the_preview_of_a_big_file_keeps_apart_what_the_import_keeps_apart(store, scopes, tmp_path, monkeypatch):
    from store.importing import batch

    monkeypatch.setattr(batch, "CHUNK", 2)
    monkeypatch.setattr(batch, "MIN_CHUNK", 2)
    path = write(tmp_path, "a.csv", "Navn,Telefon\nMads Ågaard,70 10 20 30\nA B,20 20 20 21\nC D,20 20 20 22\n"
                                    "Tove Christiansen,70 10 20 30\nMads,70 10 20 30\n")
    preview = batch.import_file(scopes["manager"], path, dry_run=True)
    report = batch.import_file(scopes["manager"], path)
    assert (preview.new, preview.merged, preview.possible_duplicates) == (4, 1, 1), preview.summary()
    assert (report.new, report.merged, report.possible_duplicates) == (4, 1, 1), report.summary()
