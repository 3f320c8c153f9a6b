"""Every file in ../shared/samples/ through the database, and files built on the header-only
samples: what lands in the store, field by field (a few representative fields per file; the
parser tests check the parsing itself exhaustively)."""
from __future__ import annotations

import pytest
from importing_db_helpers import contacts_of, from_header

# file -> {contact key (e-mail, else "first last"): {field: value}}
REAL = {
    "google-contacts-csv/roundcube_gmail_legacy.csv": {
        "home@aaa.pl": {"first_name": "Firstname Middle", "last_name": "Lastname", "title": "jobtitle",
                        "company": "company", "tags": ["test"], "notes": ['note"note']},
    },
    "thunderbird-csv/roundcube_tb_plain.csv": {
        "test@domain.tld": {"first_name": "Firstname", "last_name": "Lastname", "title": "title",
                            "company": "Organization", "address": "Addr work", "postcode": "33-333",
                            "city": "Wcity"},
    },
    "vcard/aosp-android/v21_complicated.vcf": {
        "forrestgump@walladalla.com": {"first_name": "Forrest Hoge", "last_name": "Gump",
                                       "title": "Shrimp Man", "company": "Gump Shrimp Co.",
                                       "address": "100 Waters Edge", "city": "Baytown"},
    },
    "vcard/aosp-android/v21_org_before_title.vcf": {
        "Normal Guy": {"title": "Excellent Janitor", "company": "Company", "email": None},
    },
    "vcard/aosp-android/v21_multiple_entry.vcf": {
        "安藤ロイド3": {"first_name": "", "last_name": "安藤ロイド3"},
        "安藤ロイド4": {"last_name": "安藤ロイド4"},
    },
    "vcard/aosp-android/v30_ios_613_multiline.vcf": {
        "bob@smithauto.com": {"first_name": "Bob", "last_name": "Smith", "company": "Smith Auto Repair"},
    },
    "vcard/aosp-android/v40_sort_as.vcf": {"ロイド 安藤": {"company": "グーグル"}},
    "vcard/ez-vcard/John_Doe_BLACK_BERRY.vcf": {
        "John Doe": {"phone": "+96123456789", "company": "Acme Solutions"},
    },
    "vcard/ez-vcard/John_Doe_EVOLUTION.vcf": {
        "john.doe@ibm.com": {"first_name": "John Richter James", "last_name": "Doe", "title": "Money Counter",
                             "company": "IBM", "tags": ["vip"]},
    },
    "vcard/ez-vcard/gmail-list.vcf": {
        "asmithk@gmail.com": {"first_name": "Arnold", "last_name": "Smith"},
        "chrisy55d@yahoo.com": {"first_name": "Chris", "last_name": "Beatle"},
    },
    "vcard/ez-vcard/outlook-2003.vcf": {
        "jdoe@hotmail.com": {"first_name": "John", "last_name": "Doe", "title": "The Job Title",
                             "company": "Company, The", "city": "Austin", "postcode": "12345"},
    },
}


def test_every_real_sample_lands_field_by_field(store, scopes, samples):
    """Each real export is imported, checked, then undone (so the next file starts clean)."""
    from store.importing import read_candidates
    from store.importing.batch import import_file, undo_import

    files = sorted(p for p in samples.rglob("*") if p.suffix.lower() in (".csv", ".vcf")
                   and p.parent.name != "headers")
    assert len(files) >= 45 and {str(p.relative_to(samples)) for p in files} >= set(REAL)
    scope = scopes["manager"]
    for path in files:
        rel = str(path.relative_to(samples))
        with read_candidates(path) as reader:
            cands = list(reader)
        skipped = reader.summary.skipped_count
        report = import_file(scope, path)
        assert report.rows == len(cands) + skipped, rel
        assert report.new + report.duplicates + report.invalid + report.suppressed == report.rows, rel
        assert report.new >= 1 or not cands, rel
        if report.batch_id is None:
            continue
        got = contacts_of(report.batch_id)
        assert len(got) == report.new, rel
        for contact in got.values():  # provenance on every contact
            assert contact["source"] == f"import:{path.name}"
            assert contact["lawful_basis"] == "legitimate_interest"
            assert contact["owner_id"] == scope.user_id
        for key, fields in REAL.get(rel, {}).items():
            assert key in got, (rel, key, sorted(got))
            for name, value in fields.items():
                assert got[key][name] == value, (rel, key, name, got[key][name])
        undo_import(scope, report.batch_id)
    from store.models import Company, Contact

    assert Contact.select().count() == 0 and Company.select().count() == 0


HEADER_ROWS = {
    "google_contacts_current.csv": (
        [{"First Name": "Jens", "Last Name": "Hansen", "Organization Name": "Hansen VVS ApS",
          "Organization Title": "Direktør", "Labels": "* myContacts ::: Kunder", "Notes": "Mødt på messen",
          "E-mail 1 - Value": "jens@hansenvvs.dk", "Phone 1 - Value": "+45 20 12 34 56",
          "Address 1 - City": "Aarhus C", "Address 1 - Postal Code": "8000", "Birthday": "1970-05-01"}],
        {"jens@hansenvvs.dk": {"first_name": "Jens", "title": "Direktør", "phone": "+4520123456",
                               "company": "Hansen VVS ApS", "city": "Aarhus C", "tags": ["kunder"],
                               "notes": ["Mødt på messen"]}}),
    "google_export_as_outlook_csv.csv": (
        [{"First Name": "Mette", "Last Name": "Jensen", "Company": "Jensen A/S", "Job Title": "Indkøber",
          "E-mail Address": "mette@jensen.dk", "Mobile Phone": "20 12 34 57", "Categories": "Kunder;Fyn"}],
        {"mette@jensen.dk": {"last_name": "Jensen", "title": "Indkøber", "phone": "+4520123457",
                             "company": "Jensen A/S", "tags": ["fyn", "kunder"]}}),
    "outlook_desktop_en.csv": (
        [{"First Name": "Ole", "Last Name": "Sørensen", "Company": "Sørensen ApS", "Job Title": "CEO",
          "Mobile Phone": "0045 30 12 34 56", "E-mail Address": "ole@sorensen.dk",
          "Government ID Number": "010180-1234"}],
        {"ole@sorensen.dk": {"first_name": "Ole", "last_name": "Sørensen", "phone": "+4530123456",
                             "company": "Sørensen ApS"}}),
    "outlook_com_people.csv": (
        [{"First Name": "Lise", "Last Name": "Holm", "E-mail Address": "lise@holm.dk",
          "Business Phone": "33 12 34 56", "Company": "Holm & Søn", "Business City": "København K",
          "Business Postal Code": "1160"}],
        {"lise@holm.dk": {"phone": "+4533123456", "company": "Holm & Søn", "postcode": "1160"}}),
    "linkedin_connections.csv": (
        [{"First Name": "Anders", "Last Name": "Berg", "Email Address": "anders@berg.dk",
          "Company": "Berg & Co", "Position": "CEO", "URL": "https://www.linkedin.com/in/x"}],
        {"anders@berg.dk": {"first_name": "Anders", "title": "CEO", "company": "Berg & Co"}}),
    "mailchimp_subscribed.csv": (
        [{"Email Address": "karen@firma.dk", "First Name": "Karen", "Last Name": "Lund",
          "OPTIN_TIME": "2021-03-04 10:20:30", "CONFIRM_TIME": "2021-03-04 10:25:00",
          "CONFIRM_IP": "192.0.2.11"}],
        {"karen@firma.dk": {"first_name": "Karen", "last_name": "Lund", "company": None}}),
    "xero_contacts.csv": (
        [{"*ContactName": "Hansen Byg ApS", "EmailAddress": "info@hansenbyg.dk", "FirstName": "Jens",
          "LastName": "Hansen", "POCity": "Aarhus C", "POPostalCode": "8000", "TaxNumber": "DK24256790",
          "Person2FirstName": "Mette", "Person2LastName": "Hansen", "Person2Email": "mette@hansenbyg.dk"}],
        {"info@hansenbyg.dk": {"first_name": "Jens", "company": "Hansen Byg ApS", "cvr": "24256790"},
         "mette@hansenbyg.dk": {"first_name": "Mette", "company": "Hansen Byg ApS", "cvr": "24256790"}}),
    "timeout_dk_kunder_eksport.csv": (
        [{"Kontakt": "Smed Olsen ApS", "Kontaktperson/filial": "Per Olsen", " Postnr": "5000", "By": "Odense C",
          "Mobil": "4521123456", "Email": "per@smedolsen.dk", "Titel": "Mester", "CVR": "24256790",
          "Beskrivelse": "Medlem af 3F"}],
        {"per@smedolsen.dk": {"first_name": "Per", "last_name": "Olsen", "phone": "+4521123456",
                              "company": "Smed Olsen ApS", "postcode": "5000", "notes": []}}),
}


@pytest.mark.parametrize("name", sorted(HEADER_ROWS))
def test_header_only_layouts_land_field_by_field(store, scopes, samples, tmp_path, name):
    from store.importing.batch import import_file

    rows, expected = HEADER_ROWS[name]
    timeout = name.startswith("timeout")
    path = from_header(samples, tmp_path, name, rows, encoding="cp1252" if timeout else "utf-8",
                       newline="\r\n" if timeout or name.startswith(("linkedin", "outlook_desktop")) else "\n")
    report = import_file(scopes["admin"], path)
    assert report.new == len(expected), report.summary()
    got = contacts_of(report.batch_id)
    for key, fields in expected.items():
        for field, value in fields.items():
            assert got[key][field] == value, (key, field, got[key][field])
    assert report.dropped_columns  # every layout has columns MiniCRM does not keep
    if name == "mailchimp_subscribed.csv":  # the consent evidence became a consent with its proof
        from store.models import Consent, ConsentEvent

        consent = Consent.get(Consent.contact == got["karen@firma.dk"]["id"])
        assert (consent.purpose, consent.status, str(consent.given_at)) == ("newsletter", "given",
                                                                            "2021-03-04 10:25:00")
        event = ConsentEvent.get(ConsentEvent.consent == consent.id)
        assert "confirm_ip=192.0.2.11" in event.evidence and "line 2" in event.evidence
    if name in ("outlook_desktop_en.csv", "timeout_dk_kunder_eksport.csv"):
        assert report.flagged == 1
