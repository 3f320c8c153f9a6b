"""Possible duplicates: the same e-mail or phone, and similar Danish names at one company."""
from __future__ import annotations

import pytest

from store import contacts, duplicates
from store.db import database
from store.models import Company


@pytest.mark.parametrize(("a", "b"), [
    ("Søren Ærbøl", "Soeren Aerboel"),
    ("Åse Østergård", "Aase Oestergaard"),
    ("Mette Hansen", "Hansen Mette"),
    ("Mette Hansen", "Mette Hanssen"),
    ("José Müller", "Jose Muller"),
])
def test_danish_spellings_of_one_name_match(a, b):
    assert duplicates.similar(a, b) >= duplicates.NAME_SCORE


@pytest.mark.parametrize(("a", "b"), [
    ("Mette Hansen", "Mette Jensen"),
    ("Anders Jensen", "Anne Jensen"),
    ("Søren Ærbøl", "Søren Madsen"),
])
def test_two_people_with_alike_names_do_not(a, b):
    assert duplicates.similar(a, b) < duplicates.NAME_SCORE


def test_the_report_pairs_same_email_same_phone_and_alike_names_at_one_company(store, scopes):
    manager = scopes["manager"]
    with database.atomic():
        firm = Company.create(name="Ærbøl Tømrer ApS").id
        other = Company.create(name="Andet Firma A/S").id
    soren = contacts.create_contact(manager, first_name="Søren", last_name="Ærbøl", company_id=firm)
    soeren = contacts.create_contact(manager, first_name="Soeren", last_name="Aerboel", company_id=firm)
    elsewhere = contacts.create_contact(manager, first_name="Søren", last_name="Ærbøl", company_id=other)
    mail_a = contacts.create_contact(manager, first_name="Lise", email="lise@example.dk")
    mail_b = contacts.create_contact(manager, first_name="L.", email="LISE@example.dk")
    tel_a = contacts.create_contact(manager, first_name="Karl", phone="20 12 34 56")
    tel_b = contacts.create_contact(manager, first_name="Kalle", phone="+45 20123456")
    contacts.create_contact(manager, first_name="Mette", last_name="Jensen", company_id=firm)

    found = {(p.first_id, p.second_id): p.reason for p in duplicates.find(scopes["admin"])}
    assert found == {(mail_a, mail_b): "email", (tel_a, tel_b): "phone", (soren, soeren): "name"}
    assert elsewhere not in {i for pair in found for i in pair}  # same name, another company


def test_a_seller_sees_only_pairs_among_their_own_contacts(store, scopes):
    mine = contacts.create_contact(scopes["sales"], first_name="Ida", email="ida@example.dk")
    contacts.create_contact(scopes["manager"], first_name="Ida", email="ida@example.dk")
    assert duplicates.find(scopes["sales"]) == []
    assert [p.first_id for p in duplicates.find(scopes["manager"])] == [mine]
