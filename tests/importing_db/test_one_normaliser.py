"""One e-mail and one phone normaliser: the form, the import and the erasure ledger agree,
so a person erased under one spelling is suppressed when a file brings another."""
from __future__ import annotations

import pytest
from importing_db_helpers import stored_anywhere, write

EMAILS = ["SOREN@X.DK", "soren@x.dk", " Soren@X.dk "]
PHONES = ["0045 33 12 34 56", "+45 33123456", "33 12 34 56", "+4533123456"]


def test_form_import_and_ledger_normalise_alike():
    from store import validate
    from store.importing.normalise import normalise_email, normalise_phone
    from store.rights import ledger

    assert {validate.email(e) for e in EMAILS} == {normalise_email(e) for e in EMAILS} == {
        ledger.normalise_email(e) for e in EMAILS} == {"soren@x.dk"}
    assert {validate.phone(p) for p in PHONES} == {normalise_phone(p, "DK") for p in PHONES} == {
        ledger.normalise_phone(p, "DK") for p in PHONES} == {"+4533123456"}


@pytest.mark.parametrize("entered, imported", [
    (("SOREN@X.DK", "0045 33 12 34 56"), [("soren@x.dk", ""), ("", "+45 33123456")]),
    (("soren@x.dk", "+45 33123456"), [("SOREN@X.DK", ""), ("", "0045 33 12 34 56")]),
])
def test_a_person_erased_under_one_spelling_is_suppressed_under_another(store, scopes, tmp_path,
                                                                        entered, imported):
    from store import contacts
    from store.importing.batch import import_file
    from store.rights import erase_person

    scope = scopes["admin"]
    email, phone = entered
    person = contacts.create_contact(scope, first_name="Søren", last_name="Kierkegaard", email=email, phone=phone)
    erase_person(scope, person, legal_basis="art17_1a")
    rows = "".join(f"S. K{i},{e},{p}\n" for i, (e, p) in enumerate(imported))
    path = write(tmp_path, "again.csv", "Navn,E-mail,Telefon\n" + rows + "Kaj Ny,kaj@ny.dk,\n")
    report = import_file(scope, path)
    assert (report.new, report.suppressed) == (1, len(imported)), report.summary()
    assert stored_anywhere("soren@x") == [] and stored_anywhere("33123456") == []
