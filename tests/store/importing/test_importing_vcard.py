"""vCard: every sample export (ez-vcard's vendor files, Android's test files), field by
field, and hand-made edge cases (QP soft breaks, CR CR LF, base64, broken cards)."""

from __future__ import annotations

from pathlib import Path

import pytest
from importing_helpers import read_all, write

EZ = "vcard/ez-vcard/"
AOSP = "vcard/aosp-android/"

# file -> [(line, fields(), extra_emails, extra_phones)] ; "..." = not compared
EXPECTED: dict[str, list[tuple[int, dict, list, list]]] = {
    EZ + "John_Doe_ANDROID.vcf": [
        (1, {"email": "john.doe@company.com", "tags": ["My Contacts"]}, [], []),
        (6, {"email": "jane.doe@company.com", "tags": ["My Contacts"]}, [], []),
        (11, {"last_name": "Ñ Ñ Ñ Ñ", "tags": ["My Contacts"]}, [], []),
        (18, {"last_name": "Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ", "phone": "+4545678901", "tags": ["My Contacts"],
              "note": "Ñ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ\nÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ"}, [], []),
        (36, {"first_name": "Ñ Ñ Ñ", "last_name": "Ñ Ñ", "email": "bob@company.com",
              "company_name": "ÑÑÑÑÑÑÑÑÑÑÑÑ"}, [], []),
        (71, {"last_name": "Ññññ", "email": "henry@company.com", "phone": "+4555556666",
              "company_name": "Ñ" * 44, "tags": ["My Contacts"]}, [], []),
    ],
    EZ + "John_Doe_BLACK_BERRY.vcf": [
        (1, {"first_name": "John", "last_name": "Doe", "phone": "+96123456789",
             "company_name": "Acme Solutions"}, [], []),
    ],
    EZ + "John_Doe_EVOLUTION.vcf": [
        (1, {"first_name": "John Richter James", "last_name": "Doe", "title": "Money Counter",
             "email": "john.doe@ibm.com", "company_name": "IBM", "address": "15 Crescent moon drive",
             "postcode": "12345", "city": "Albaney", "tags": ["VIP"], "note": ...}, [], []),
    ],
    EZ + "John_Doe_GMAIL.vcf": [
        (1, {"first_name": "John Richter James", "last_name": "Doe", "title": "Money Counter",
             "email": "john.doe@ibm.com", "company_name": "IBM",
             "address": "Crescent moon drive, 555-asd, Nice Area, Albaney, New York 12345, United States of America",
             "note": ...}, [], []),
    ],
    EZ + "John_Doe_IPHONE.vcf": [
        (1, {"first_name": "John Richter James", "last_name": "Doe", "title": "Money Counter",
             "email": "john.doe@ibm.com", "company_name": "IBM", "address": "Silicon Alley 5",
             "postcode": "12345", "city": "New York"}, [], []),
    ],
    EZ + "John_Doe_LOTUS_NOTES.vcf": [
        (1, {"first_name": "John Johny", "last_name": "Doe", "title": "Generic Accountant",
             "email": "john.doe@ibm.com", "company_name": "IBM",
             "address": "25334, South cresent drive, Building 5, 3rd floo r", "postcode": "NYC887",
             "city": "New York", "note": ...}, ["billy_bob@gmail.com"], []),
    ],
    EZ + "John_Doe_MAC_ADDRESS_BOOK.vcf": [
        (1, {"first_name": "John Richter James", "last_name": "Doe", "title": "Money Counter",
             "email": "john.doe@ibm.com", "company_name": "IBM", "address": "Silicon Alley 5",
             "postcode": "12345", "city": "New York", "note": ...}, [], []),
    ],
    EZ + "John_Doe_MS_OUTLOOK.vcf": [
        (1, {"first_name": "John Richter James", "last_name": "Doe", "title": "Money Counter",
             "email": "john.doe@ibm.cm", "company_name": "IBM", "address": "Cresent moon drive",
             "postcode": "12345", "city": "Albaney", "note": ...}, [], []),
    ],
    EZ + "gmail-list.vcf": [
        (1, {"first_name": "Arnold", "last_name": "Smith", "email": "asmithk@gmail.com"}, [], []),
        (7, {"first_name": "Chris", "last_name": "Beatle", "email": "chrisy55d@yahoo.com"}, [], []),
        (13, {"first_name": "Doug", "last_name": "White", "email": "dwhite@gmail.com"}, [], []),
    ],
    EZ + "gmail-single.vcf": [
        (1, {"first_name": "Greg", "last_name": "Dartmouth", "title": "TheJobTitle",
             "email": "gdartmouth@hotmail.com", "company_name": "TheCompany",
             "address": "123 Home St, Home City, HM 12345",
             "note": "This is GMail's note field.\nIt should be added as a NOTE type.\nACustomField: CustomField"},
         [], []),
    ],
    EZ + "outlook-2003.vcf": [
        (1, {"first_name": "John", "last_name": "Doe", "title": "The Job Title", "email": "jdoe@hotmail.com",
             "company_name": "Company, The", "address": "123 Main St, TheOffice", "postcode": "12345",
             "city": "Austin", "note": "This is the note field!!\nSecond line\nThird line is empty"}, [], []),
    ],
    EZ + "outlook-2007.vcf": [
        (1, {"first_name": "Michael", "last_name": "Angstadt", "title": "TheJobTitle",
             "email": "mike.angstadt@gmail.com", "company_name": "TheCompany",
             "address": "222 Broadway, TheOffice", "postcode": "99999", "city": "New York",
             "note": "This is the NOTE field\nI assume it encodes this text inside a NOTE vCard type.\n"
                     "But I'm not sure because there's text formatting going on here.\n"
                     "It does not preserve the formatting"}, [], []),
    ],
    EZ + "thunderbird-MoreFunctionsForAddressBook-extension.vcf": [
        (1, {"first_name": "John", "last_name": "Doe", "title": "TheTitle", "email": "doe.john@hotmail.com",
             "company_name": "TheOrganization", "address": "Suite 100, 222 Broadway", "postcode": "98765",
             "city": "New York", "tags": ["category1", "category2", "category3"],
             "note": 'This is the notes field.\nSecond Line\nFourth Line\nYou can put anything in the "note" field; even curse words.'},  # noqa: E501 -- the card's note, verbatim
         ["additional-email@company.com", "additional-email1@company.com", "additional-email2@company.com",
          "additional-email3@company.com"], []),
    ],
    AOSP + "v21_adr_multiple_line.vcf": [
        (1, {"last_name": "Bogus", "address": "Grindelberg 999", "postcode": "99999", "city": "Hamburg"}, [], []),
    ],
    AOSP + "v21_android_custom_prop.vcf": [],
    AOSP + "v21_backslash.vcf": [(1, ..., [], [])],
    AOSP + "v21_base64_no_2_crlf.vcf": [(1, {"last_name": "Name"}, [], [])],
    AOSP + "v21_blackberry_photo.vcf": [
        (1, {"last_name": "Boogie", "email": "forrestgump@walladalla.com"}, [], []),
    ],
    AOSP + "v21_complicated.vcf": [
        (1, {"first_name": "Forrest Hoge", "last_name": "Gump", "title": "Shrimp Man",
             "email": "forrestgump@walladalla.com", "company_name": "Gump Shrimp Co.",
             "address": "100 Waters Edge", "postcode": "30314", "city": "Baytown",
             "note": "The following note is the example from RFC 2045.\n"
                     "Now's the time for all folk to come to the aid of their country."},
         ["cell@example.com"], []),
    ],
    AOSP + "v21_im.vcf": [],
    AOSP + "v21_invalid_comment_line.vcf": [
        (1, {"first_name": "Conference Call",
             "note": "This is an (sharp ->#<- sharp) example. This message must NOT be ignored."}, [], []),
    ],
    AOSP + "v21_invalid_multiple_line.vcf": [(1, {"first_name": "Omega", "email": "omega@example.com"}, [], [])],
    AOSP + "v21_japanese_1.vcf": [(1, {"last_name": "安藤ロイド"}, [], [])],
    AOSP + "v21_japanese_2.vcf": [
        (1, {"first_name": "ロイド1", "last_name": "安藤", "address": "東京都渋谷区桜丘町26-1セルリアンタワー6階",
             "postcode": "150-8512", "note": "メモ"}, [], []),
    ],
    AOSP + "v21_japanese_3.vcf": [(1, {"first_name": "圭一 伊予", "last_name": "伊能"}, [], [])],
    AOSP + "v21_malformed_photo.vcf": [(1, {"last_name": "Name"}, [], [])],
    AOSP + "v21_multiple_entry.vcf": [
        (1, {"last_name": "安藤ロイド3"}, [], []),
        (12, {"last_name": "安藤ロイド4"}, [], []),
        (23, {"last_name": "安藤ロイド5"}, [], []),
    ],
    AOSP + "v21_nest.vcf": [
        (4, {"last_name": "Nest1"}, [], []),
        (8, {"last_name": "Nest2"}, [], []),
        (1, {"last_name": "Parent"}, [], []),
    ],
    AOSP + "v21_org_before_title.vcf": [
        (1, {"first_name": "Normal", "last_name": "Guy", "title": "Excellent Janitor", "company_name": "Company"},
         [], []),
    ],
    AOSP + "v21_pref_handling.vcf": [
        (1, {"first_name": "Smith", "title": "Engineer", "email": "test@example.com", "company_name": "Company"},
         ["test2@examination.com"], []),
    ],
    AOSP + "v21_simple_1.vcf": [(1, {"first_name": "Roid", "last_name": "Ando"}, [], [])],
    AOSP + "v21_simple_2.vcf": [(1, {"first_name": "Ando", "last_name": "Roid"}, [], [])],
    AOSP + "v21_simple_3.vcf": [(1, {"first_name": "Roid", "last_name": "Ando"}, [], [])],
    AOSP + "v21_sip.vcf": [(1, {"first_name": "Android"}, [], [])],
    AOSP + "v21_title_before_org.vcf": [
        (1, {"first_name": "Nice", "last_name": "Guy", "title": "Cool Title", "company_name": "Marverous"}, [], []),
    ],
    AOSP + "v21_winmo_65.vcf": [(1, {"last_name": "Example"}, [], [])],
    AOSP + "v21_x_android_custom_after_photo.vcf": [(1, {"first_name": "Roid", "last_name": "Ando"}, [], [])],
    AOSP + "v21_x_param.vcf": [
        (1, {"first_name": "Roid", "last_name": "Ando", "email": "email@example.com", "address": "street"},
         ["email2@example.com"], []),
    ],
    AOSP + "v30_comma_separated.vcf": [(1, {"first_name": "G M", "last_name": "F"}, [], [])],
    AOSP + "v30_ios_613_multiline.vcf": [
        (1, {"first_name": "Bob", "last_name": "Smith", "email": "bob@smithauto.com",
             "company_name": "Smith Auto Repair"}, [], []),
    ],
    AOSP + "v30_japanese.vcf": [(1, {"first_name": "圭一 伊予", "last_name": "伊能"}, [], [])],
    AOSP + "v30_multibyte_param.vcf": [(1, {"first_name": "G M", "last_name": "F"}, [], [])],
    AOSP + "v30_pager.vcf": [(1, {"first_name": "G M", "last_name": "F"}, [], [])],
    AOSP + "v30_pause_wait.vcf": [(1, {"first_name": "Wait", "last_name": "Pause"}, [], [])],
    AOSP + "v30_simple.vcf": [(1, {"first_name": "Roid", "last_name": "And", "company_name": "Open"}, [], [])],
    AOSP + "v30_sip.vcf": [(1, {"first_name": "Android"}, [], [])],
    AOSP + "v40_sip.vcf": [(1, {"first_name": "ロイド", "last_name": "安藤"}, [], [])],
    AOSP + "v40_sort_as.vcf": [(1, {"first_name": "ロイド", "last_name": "安藤", "company_name": "グーグル"}, [], [])],
}


# The ADR's country (its seventh part), per card with one.
COUNTRIES = {
    AOSP + "v21_adr_multiple_line.vcf": "Deutschland", AOSP + "v21_complicated.vcf": "United States of America",
    EZ + "John_Doe_EVOLUTION.vcf": "United States of America", EZ + "John_Doe_IPHONE.vcf": "United States of America",
    EZ + "John_Doe_LOTUS_NOTES.vcf": "U.S.A.", EZ + "John_Doe_MAC_ADDRESS_BOOK.vcf": "United States of America",
    EZ + "John_Doe_MS_OUTLOOK.vcf": "United States of America", EZ + "outlook-2003.vcf": "United States of America",
    EZ + "outlook-2007.vcf": "USA", EZ + "thunderbird-MoreFunctionsForAddressBook-extension.vcf": "USA",
}


def test_every_sample_vcard_is_covered(samples):
    on_disk = {str(p.relative_to(samples)) for p in samples.glob("vcard/*/*.vcf")}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_vcard(samples, name):
    cands, summary = read_all(samples / name)
    assert summary.fmt == "vcard" and summary.finished
    expected = EXPECTED[name]
    assert [c.line for c in cands] == [e[0] for e in expected]
    for cand, (line, fields, emails, phones) in zip(cands, expected, strict=True):
        if fields is not ...:
            got = cand.fields()
            assert got.pop("country", None) == COUNTRIES.get(name)
            for key, value in fields.items():
                if value is ...:
                    assert got.pop(key)
                else:
                    assert got.pop(key) == value, key
            assert got == {}, f"unexpected fields {got}"
            assert cand.extra_emails == emails
            assert cand.extra_phones == phones
        assert cand.flags == []
        for err in cand.errors:  # every rejected value names file, line and property
            assert err.file == Path(name).name and err.line == line and err.column in ("TEL", "EMAIL")
    # photos and keys are never kept
    assert all("/9j/" not in repr(c) and "iVBOR" not in repr(c) for c in cands)


def test_vcard_summary_lists_dropped_properties(samples):
    _, summary = read_all(samples / EZ / "John_Doe_IPHONE.vcf")
    assert {"PHOTO", "URL", "BDAY", "NICKNAME"} <= set(summary.dropped_columns)
    assert "EMAIL" not in summary.dropped_columns and "TEL" not in summary.dropped_columns


def test_iphone_cr_cr_lf_and_errors(samples):
    path = samples / EZ / "John_Doe_IPHONE.vcf"
    assert b"\r\r\n" in path.read_bytes()
    (c,) = read_all(path)[0]
    # US numbers without a country code are not valid in the default region DK
    assert [(e.column, e.field, e.value) for e in c.errors] == [
        ("TEL", "phone", "905-555-1234"), ("TEL", "phone", "905-666-1234"),
        ("TEL", "phone", "905-777-1234"), ("TEL", "phone", "905-222-1234")]
    (us,) = read_all(path, default_region="US")[0]
    assert us.phone == "+19055551234"  # the preferred cell number first
    assert us.extra_phones == ["+19056661234", "+19057771234", "+19052221234"]  # faxes and pager dropped


def test_empty_cards_are_skipped_with_reason(samples):
    cands, summary = read_all(samples / AOSP / "v21_im.vcf")
    assert cands == [] and summary.skipped_count == 1
    assert str(summary.skipped[0]) == "v21_im.vcf, line 1: card skipped: the card is empty"


# --- hand-made edge cases ----------------------------------------------------------------

def test_quoted_printable_with_charset_and_soft_breaks(tmp_path):
    text = (
        "BEGIN:VCARD\n"
        "VERSION:2.1\n"
        "N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:S=F8rensen;J=F8rgen;;;\n"
        "ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=86bleg=C3=A5rden=20=\n"
        "ApS\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:K=C3=B8ber ind i marts=0D=0A=\n"
        "=C3=B8nsker tilbud\n"
        "TEL;CELL;PREF:+45 20 12 34 56\n"
        "TEL;WORK;FAX:+45 70 20 30 40\n"
        "TEL;WORK:86 12 34 56\n"
        "EMAIL;INTERNET:jorgen@aeblegaarden.dk\n"
        "EMAIL;INTERNET;HOME:jorgen@gmail.com\n"
        "END:VCARD\n"
    )
    (c,) = read_all(write(tmp_path, "a.vcf", text, newline="\r\n"))[0]
    assert c.fields() == {"first_name": "Jørgen", "last_name": "Sørensen", "email": "jorgen@aeblegaarden.dk",
                          "phone": "+4520123456", "company_name": "Æblegården ApS",
                          "note": "Køber ind i marts\nønsker tilbud"}
    assert c.extra_emails == ["jorgen@gmail.com"]
    assert c.extra_phones == ["+4586123456"]  # the fax is not a phone


def test_vcard_21_without_charset_in_cp1252(tmp_path):
    text = "BEGIN:VCARD\nVERSION:2.1\nN:Søndergård;Åse\nEND:VCARD\n"
    (c,) = read_all(write(tmp_path, "o.vcf", text, encoding="cp1252", newline="\r\n"))[0]
    assert (c.first_name, c.last_name) == ("Åse", "Søndergård")


def test_grouped_properties_and_folding(tmp_path):
    text = (
        "BEGIN:VCARD\n"
        "VERSION:3.0\n"
        "N:Hansen;Jens;;;\n"
        "item1.EMAIL;type=INTERNET;type=pref:jens@\n"
        " firma.dk\n"
        "item1.X-ABLabel:_$!<Work>!$_\n"
        "item2.TEL:+45 20 12\n"
        "  34 56\n"
        "item2.X-ABLabel:Mobil\n"
        "NOTE:Lang note der er\n"
        "  foldet over to linjer\\, med komma\n"
        "CATEGORIES:Kunder,VIP\n"
        "END:VCARD\n"
    )
    (c,) = read_all(write(tmp_path, "i.vcf", text, newline="\r\r\n"))[0]
    assert c.fields() == {"first_name": "Jens", "last_name": "Hansen", "email": "jens@firma.dk",
                          "phone": "+4520123456", "tags": ["Kunder", "VIP"],
                          "note": "Lang note der er foldet over to linjer, med komma"}


def test_base64_photo_in_21_ends_at_blank_line_and_is_not_kept(tmp_path):
    text = (
        "BEGIN:VCARD\nVERSION:2.1\nN:Berg;Anne\n"
        "PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\n"
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
        "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB==\n"
        "\n"
        "EMAIL:anne@berg.dk\nEND:VCARD\n"
    )
    cands, summary = read_all(write(tmp_path, "p.vcf", text))
    assert cands[0].fields() == {"first_name": "Anne", "last_name": "Berg", "email": "anne@berg.dk"}
    assert "PHOTO" in summary.dropped_columns
    assert "/9j/" not in repr(cands[0])


def test_special_category_in_vcard_note(tmp_path):
    text = "BEGIN:VCARD\nVERSION:3.0\nN:Berg;Anne\nNOTE:Allergisk over for nødder\\nCPR 010180-1234\nEND:VCARD\n"
    (c,) = read_all(write(tmp_path, "s.vcf", text))[0]
    assert c.note is None
    assert sorted((f.column, f.kind) for f in c.flags) == [("NOTE", "cpr"), ("NOTE", "health")]


def test_malformed_cards_are_skipped_not_fatal(tmp_path):
    text = (
        "garbage before the first card\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:God Kort\nEMAIL:god@firma.dk\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nthis line has no colon\nX-ONLY:stuff\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nN;BROKEN=\"unterminated:Hans;Ole\nEMAIL:ole@firma.dk\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:2.1\nN:Afskåret;Kort\nEMAIL:cut@firma.dk\n"
    )
    cands, summary = read_all(write(tmp_path, "m.vcf", text))
    assert [(c.line, c.display_name) for c in cands] == [(2, "God Kort"), (12, "ole@firma.dk")]
    assert [(s.line, s.message) for s in summary.skipped] == [
        (7, "card skipped: the card is empty"),
        (17, "card skipped: the card has no END:VCARD (truncated file?)"),
    ]


def test_overlong_line_skips_only_its_card(tmp_path):
    from store.importing.vcard import MAX_LINE_BYTES

    text = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Stor\nNOTE:" + "x" * (MAX_LINE_BYTES + 10) + "\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Lille\nEND:VCARD\n"
    )
    cands, summary = read_all(write(tmp_path, "big.vcf", text))
    assert [c.first_name for c in cands] == ["Lille"]
    assert summary.skipped[0].line == 1 and "longer than" in summary.skipped[0].message


def test_utf16_vcard(tmp_path):
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Ærø;Søren\r\nEMAIL:soren@firma.dk\r\nEND:VCARD\r\n"
    path = tmp_path / "u.vcf"
    path.write_bytes(text.encode("utf-16"))
    (c,) = read_all(path)[0]
    assert (c.first_name, c.last_name, c.email) == ("Søren", "Ærø", "soren@firma.dk")


def test_file_without_cards(tmp_path):
    from store.importing import ImportFileError, read_candidates

    with pytest.raises(ImportFileError, match="no vCard"):
        read_candidates(write(tmp_path, "x.vcf", "hello\nworld\n"))
