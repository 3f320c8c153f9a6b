"""Special-category and CPR detection, in values and in whole files."""

from __future__ import annotations

import pytest
from importing_helpers import read_all, write

from store.importing.sensitive import header_kind, looks_like_cpr, scan_free_text


@pytest.mark.parametrize(
    "text, kind",
    [
        # health, allergies, pregnancy (Danish and English)
        ("Har diabetes, ring før kl 12", "health"),
        ("Nøddeallergi - ingen nødder til julefrokost", "health"),
        ("allergisk over for gluten", "health"),
        ("Sygemeldt med stress til 1. marts", "health"),
        ("Gravid, termin i maj", "health"),
        ("Allergic to peanuts", "health"),
        ("Is pregnant, due in May", "health"),
        ("Kørestolsbruger - brug indgang B", "health"),
        # religion
        ("Muslim, holder ramadan", "religion"),
        ("Spiser kun halal", "religion"),
        ("Jewish, no meetings on Saturday", "religion"),
        ("Medlem af folkekirken", "religion"),
        # ethnicity
        ("Etnisk baggrund: tyrkisk", "ethnicity"),
        ("ethnic minority supplier", "ethnicity"),
        # politics
        ("Medlem af Enhedslisten", "politics"),
        ("Aktiv i Socialdemokratiet", "politics"),
        ("Party member, votes Labour", "politics"),
        ("Politisk aktiv i byrådet", "politics"),
        ("Stemmer på DF", "politics"),
        # trade union
        ("Medlem af 3F", "union"),
        ("Tillidsrepræsentant i fagforeningen", "union"),
        ("Er i HK", "union"),
        ("trade union rep", "union"),
        # sexuality
        ("Homoseksuel, gift med Peter", "sexuality"),
        ("LGBTQ+ netværket", "sexuality"),
        ("is gay", "sexuality"),
        # CPR in free text
        ("CPR 010180-1234", "cpr"),
        ("cpr-nr: 0101801234", "cpr"),
    ],
)
def test_free_text_kinds(text, kind):
    assert kind in scan_free_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "Interesseret i varmepumper, ring efter 1. marts",
        "Kunde siden 2019. Foretrækker mail.",
        "Ring til Christian på 20 12 34 56",
        "Vil have tilbud på 12 stk. til levering uge 14",
        "Interested in the premium plan",
        "Drejer til venstre ved kirken",  # 'venstre' is also a party name
        "Kontonr 1234 0123456789",  # ten digits, not a valid CPR check
        "Ordrenr 3112991234",  # no CPR context and fails modulus 11
        "",
    ],
)
def test_free_text_clean(text):
    assert scan_free_text(text) == []


def test_cpr_date_is_validated():
    assert looks_like_cpr("010180-1234")
    assert not looks_like_cpr("320180-1234")  # day 32
    assert not looks_like_cpr("011380-1234")  # month 13
    assert not looks_like_cpr("290201-1234")  # 29 Feb 1901 does not exist
    assert looks_like_cpr("290200-4234")  # 29 Feb 2000 (7th digit 4, year <= 36)


def test_cpr_undashed_needs_a_reason():
    # outside free text an undashed run only counts in a CPR column
    assert not looks_like_cpr("0101801234")
    assert looks_like_cpr("0101801234", cpr_column=True)
    # in free text: a valid date and a CPR word, or a valid modulus-11 check
    assert "cpr" in scan_free_text("personnummer 0101801234")
    assert "cpr" in scan_free_text("0707614285")  # passes the old modulus-11 check
    assert "cpr" not in scan_free_text("+45 0101801234")


def test_phone_numbers_are_not_cpr():
    for text in ("+45 20 12 34 56", "4520123456", "+4520123456", "20123456"):
        assert not looks_like_cpr(text)
        assert "cpr" not in scan_free_text(text)


@pytest.mark.parametrize(
    "header, kind",
    [
        ("CPR", "cpr"), ("CPR-nr.", "cpr"), ("Personnummer", "cpr"), ("Government ID Number", "cpr"),
        ("Helbred", "health"), ("Allergier", "health"), ("Religion", "religion"),
        ("Fagforening", "union"), ("Etnicitet", "ethnicity"), ("Seksualitet", "sexuality"),
        ("Parti", "politics"),
    ],
)
def test_header_kind(header, kind):
    assert header_kind(header) == kind


@pytest.mark.parametrize("header", ["Navn", "E-mail", "Noter", "CVR", "Telefon", "Interesse", "Beskrivelse"])
def test_header_kind_ordinary(header):
    assert header_kind(header) is None


def test_file_flags_without_keeping_values(tmp_path):
    path = write(
        tmp_path,
        "kunder.csv",
        "Navn;E-mail;Telefon;Noter;Interesse;CPR\n"
        "Jens Hansen;jens@firma.dk;20123456;Har diabetes;Varmepumper;010180-1234\n"
        "Mette Berg;mette@firma.dk;010180-1234;Medlem af 3F;Homoseksuel;\n"
        "Ole Sørensen;ole@firma.dk;;Ring om tilbud;;\n",
    )
    cands, summary = read_all(path)
    jens, mette, ole = cands
    assert jens.email == "jens@firma.dk"
    assert jens.note == "Interesse: Varmepumper"  # the clean note column is kept
    assert sorted((f.column, f.kind) for f in jens.flags) == [("CPR", "cpr"), ("Noter", "health")]
    assert mette.note is None
    assert mette.phone is None  # a CPR number in the phone column is not a phone
    assert sorted((f.column, f.kind) for f in mette.flags) == [
        ("Interesse", "sexuality"), ("Noter", "union"), ("Telefon", "cpr")]
    assert not mette.errors  # ... and is not echoed in an error either
    assert ole.note == "Noter: Ring om tilbud" and not ole.flags
    assert ("CPR", "cpr") in summary.sensitive_columns
    assert "CPR" in summary.dropped_columns
    assert summary.candidates_flagged == 2

    # no value of a flagged cell survives anywhere on the candidate
    for cand in cands:
        text = repr(cand) + "".join(str(e) for e in cand.errors) + "".join(str(f) for f in cand.flags)
        for secret in ("diabetes", "3F", "Homoseksuel", "010180-1234"):
            assert secret not in text


def test_sensitive_column_is_never_imported_even_when_mapped(tmp_path):
    path = write(tmp_path, "k.csv", "Navn,Helbred\nJens Hansen,fin\n")
    cands, summary = read_all(path, mapping={"Navn": "name", "Helbred": "note"})
    assert cands[0].note is None
    assert [(f.column, f.kind) for f in cands[0].flags] == [("Helbred", "health")]
    assert summary.sensitive_columns == [("Helbred", "health")]
