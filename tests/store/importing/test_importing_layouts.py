"""Known layouts: the real Google/Thunderbird samples, and files built on each header
sample in ``../shared/samples/headers/`` with realistic rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from importing_helpers import read_all, write

from store.importing import detect_layout, suggest_mapping
from store.importing.layouts import LAYOUTS


def header_cells(samples: Path, name: str) -> list[str]:
    text = (samples / "headers" / name).read_text(encoding="utf-8")
    last = [line for line in text.splitlines() if line.strip()][-1]
    delim = ";" if name.startswith("timeout") else ","
    return next(csv.reader([last], delimiter=delim))


def build(samples: Path, tmp_path: Path, name: str, rows: list[dict[str, str]], *,
          delimiter: str = ",", encoding: str = "utf-8", newline: str = "\n", keep_preamble: bool = False) -> Path:
    """A file with the sample's exact header (and preamble) followed by ``rows``."""
    header = header_cells(samples, name)
    original = (samples / "headers" / name).read_text(encoding="utf-8")
    for row in rows:
        unknown = set(row) - set(header)
        assert not unknown, f"not in the {name} header: {unknown}"
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    body = buf.getvalue()
    if keep_preamble or name.startswith("timeout"):
        head = original.replace("\r\n", "\n")
        if not head.endswith("\n"):
            head += "\n"
        if name.startswith("timeout"):  # TimeOut ends every line with a separator
            body = "".join(line + ";\n" for line in body.splitlines())
    else:
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, lineterminator="\n").writerow(header)
        head = out.getvalue()
    return write(tmp_path, name, head + body, encoding=encoding, newline=newline)


# --- real exports -------------------------------------------------------------------------

def test_google_legacy_sample(samples):
    cands, summary = read_all(samples / "google-contacts-csv" / "roundcube_gmail_legacy.csv")
    assert summary.layout == "google_legacy" and summary.delimiter == ","
    (c,) = cands
    assert c.line == 2
    assert (c.first_name, c.last_name) == ("Firstname Middle", "Lastname")
    assert c.email == "home@aaa.pl"
    assert c.extra_emails == ["work@email.pl", "unknown@email.com", "other@email.com"]
    # each with the label of its Type column; "* Home" is Google's primary marker
    assert [label for _, label in c.emails()] == ["private", "work", "other", "other"]
    assert c.company_name == "company" and c.title == "jobtitle"
    assert (c.address, c.postcode, c.city, c.country) == ("home_street", "home_zip", "home_city", "home_country")
    assert c.tags == ["Test"]  # "* My Contacts" is a system group
    assert c.note == 'note"note'  # doubled quotes
    assert c.phone is None
    assert [e.value for e in c.errors] == [
        "pager", "mainphone", "homephone", "homefax", "mobile", "workphone", "workfax"]
    assert all(e.field == "phone" and e.column.startswith("Phone ") for e in c.errors)
    for col in ("Birthday", "Nickname", "Address 1 - Formatted", "Website 1 - Value", "Relation 1 - Value"):
        assert col in summary.dropped_columns
    assert "Notes" not in summary.dropped_columns


def test_thunderbird_sample(samples):
    cands, summary = read_all(samples / "thunderbird-csv" / "roundcube_tb_plain.csv")
    assert summary.layout == "thunderbird"
    assert summary.columns[-1] == "Notes"  # the trailing comma is no column
    (c,) = cands
    assert c.fields() == {
        "first_name": "Firstname", "last_name": "Lastname", "title": "title",
        "email": "test@domain.tld", "company_name": "Organization",
        "address": "Addr work", "postcode": "33-333", "city": "Wcity", "country": "Poland",
    }
    assert c.extra_emails == ["next@domain.tld"]
    assert {e.value for e in c.errors} == {"mobile", "phone work", "phone home"}
    assert "Display Name" not in summary.dropped_columns  # used when first/last name are empty
    assert {"Nickname", "Birth Year", "Web Page 1", "Fax Number", "Custom 1"} <= set(summary.dropped_columns)


# --- header samples with our own rows --------------------------------------------------------

def test_google_current(samples, tmp_path):
    path = build(samples, tmp_path, "google_contacts_current.csv", [{
        "First Name": "Jens", "Middle Name": "Peter", "Last Name": "Hansen",
        "Organization Name": "Hansen VVS ApS", "Organization Title": "Direktør",
        "Birthday": "1970-05-01", "Notes": "Mødt på messen", "Labels": "* myContacts ::: Kunder ::: VVS",
        "E-mail 1 - Label": "* Work", "E-mail 1 - Value": "jens@hansenvvs.dk ::: jph@gmail.com",
        "E-mail 2 - Label": "Home", "E-mail 2 - Value": "jens.privat@gmail.com",
        "Phone 1 - Label": "Mobile", "Phone 1 - Value": "+45 20 12 34 56 ::: 86 12 34 56",
        "Address 1 - Label": "Work", "Address 1 - Formatted": "Vestergade 12\n8000 Aarhus C",
        "Address 1 - Street": "Vestergade 12", "Address 1 - City": "Aarhus C",
        "Address 1 - Postal Code": "8000", "Address 1 - Country": "Denmark",
    }, {"First Name": "Anne", "Last Name": "Berg", "Notes": "Allergisk over for nødder",
        "E-mail 1 - Value": "anne@berg.dk"}])
    cands, summary = read_all(path)
    assert summary.layout == "google_current"
    jens, anne = cands
    assert jens.fields() == {
        "first_name": "Jens Peter", "last_name": "Hansen", "title": "Direktør",
        "email": "jens@hansenvvs.dk", "phone": "+4520123456", "company_name": "Hansen VVS ApS",
        "address": "Vestergade 12", "postcode": "8000", "city": "Aarhus C", "country": "Denmark",
        "tags": ["Kunder", "VVS"], "note": "Mødt på messen",
    }
    assert jens.extra_emails == ["jph@gmail.com", "jens.privat@gmail.com"]
    assert jens.extra_phones == ["+4586123456"]
    # each keeps the label of its column ("* Work": work, and the primary), every value of " ::: " too
    assert jens.emails() == [("jens@hansenvvs.dk", "work"), ("jph@gmail.com", "work"),
                             ("jens.privat@gmail.com", "private")]
    assert jens.phones() == [("+4520123456", "mobile"), ("+4586123456", "mobile")]
    assert anne.note is None and [(f.column, f.kind) for f in anne.flags] == [("Notes", "health")]
    assert {"Birthday", "Address 1 - Formatted", "Photo"} <= set(summary.dropped_columns)
    assert "E-mail 1 - Label" not in summary.dropped_columns


def test_google_any_number_of_email_columns(tmp_path):
    header = ["First Name", "Last Name", "Labels"] + [f"E-mail {i} - Value" for i in range(1, 8)]
    row = ["Jens", "Hansen", ""] + [f"j{i}@firma.dk" for i in range(1, 8)]
    path = write(tmp_path, "g.csv", ",".join(header) + "\n" + ",".join(row) + "\n")
    cands, summary = read_all(path)
    assert summary.layout == "google_current"
    assert cands[0].email == "j1@firma.dk"
    assert cands[0].extra_emails == [f"j{i}@firma.dk" for i in range(2, 8)]


def test_google_export_as_outlook_csv(samples, tmp_path):
    path = build(samples, tmp_path, "google_export_as_outlook_csv.csv", [{
        "First Name": "Mette", "Last Name": "Jensen", "Title": "Fru", "Company": "Jensen A/S",
        "Job Title": "Indkøber", "E-mail Address": "mette@jensen.dk", "E-mail 2 Address": "mj@gmail.com",
        "Mobile Phone": "20 12 34 56", "Business Phone": "70 20 30 40", "Home Street": "Bakkevej 3",
        "Home City": "Odense", "Home Postal Code": "5000", "Business Street": "Industrivej 9",
        "Business City": "Vejle", "Business Postal Code": "7100", "Categories": "Kunder;Fyn",
        "Notes": "Foretrækker mail", "Birthday": "1980-01-01",
    }])
    cands, summary = read_all(path)
    assert summary.layout == "outlook_csv"
    (c,) = cands
    assert c.fields() == {
        "first_name": "Mette", "last_name": "Jensen", "title": "Indkøber", "email": "mette@jensen.dk",
        "phone": "+4520123456", "company_name": "Jensen A/S",
        "address": "Industrivej 9", "postcode": "7100", "city": "Vejle",  # business block first, whole
        "tags": ["Kunder", "Fyn"], "note": "Foretrækker mail",
    }
    assert c.extra_emails == ["mj@gmail.com"] and c.extra_phones == ["+4570203040"]
    assert c.phones() == [("+4520123456", "mobile"), ("+4570203040", "work")]  # labels from the headers
    assert "Title" in summary.dropped_columns  # the honorific, not the job title


def test_outlook_desktop_english(samples, tmp_path):
    path = build(samples, tmp_path, "outlook_desktop_en.csv", [{
        "Title": "Mr.", "First Name": "Ole", "Last Name": "Sørensen", "Company": "Sørensen ApS",
        "Job Title": "CEO", "Home Street": "Bakkevej 3", "Home City": "Odense", "Home Postal Code": "5000",
        "Mobile Phone": "0045 30 12 34 56", "Assistant's Phone": "70 20 30 40",
        "E-mail Address": "ole@sorensen.dk", "E-mail Type": "SMTP",
        "E-mail Display Name": "Ole Sørensen (ole@sorensen.dk)",
        "Government ID Number": "010180-1234", "Notes": "Sagde ja til nyhedsbrev",
    }], newline="\r\n")
    cands, summary = read_all(path)
    assert summary.layout == "outlook_desktop_en"
    (c,) = cands
    assert c.fields() == {
        "first_name": "Ole", "last_name": "Sørensen", "title": "CEO", "email": "ole@sorensen.dk",
        "phone": "+4530123456", "company_name": "Sørensen ApS",
        "address": "Bakkevej 3", "postcode": "5000", "city": "Odense",  # home block when no business address
        "note": "Sagde ja til nyhedsbrev",
    }
    assert c.extra_phones == []  # the assistant's phone is someone else's
    assert [(f.column, f.kind) for f in c.flags] == [("Government ID Number", "cpr")]
    assert ("Government ID Number", "cpr") in summary.sensitive_columns


def test_outlook_com(samples, tmp_path):
    path = build(samples, tmp_path, "outlook_com_people.csv", [{
        "First Name": "Lise", "Last Name": "Holm", "E-mail Address": "lise@holm.dk",
        "Business Phone": "33 12 34 56", "Company": "Holm & Søn", "Job Title": "Ejer",
        "Business Street": "Strøget 1", "Business City": "København K", "Business Postal Code": "1160",
        "Business Country/Region": "Denmark", "Notes": "",
    }])
    cands, summary = read_all(path)
    assert summary.layout == "outlook_com"
    assert cands[0].fields() == {
        "first_name": "Lise", "last_name": "Holm", "title": "Ejer", "email": "lise@holm.dk",
        "phone": "+4533123456", "company_name": "Holm & Søn",
        "address": "Strøget 1", "postcode": "1160", "city": "København K", "country": "Denmark",
    }
    assert "Business Country/Region" not in summary.dropped_columns
    assert cands[0].phones() == [("+4533123456", "work")]


OUTLOOK_DA_HEADER = [
    "Titel", "Fornavn", "Mellemnavn", "Efternavn", "Suffiks", "Firma", "Afdeling", "Stilling",
    "Gade (arbejde)", "Gade 2 (firma)", "Gade 3 (firma)", "By (arbejde)", "Område (arbejde)",
    "Postnummer (arbejde)", "Land/område (arbejde)", "Gade (privat)", "By (privat)",
    "Postnummer (privat)", "Telefon (arbejde)", "Mobiltelefon", "Telefon (privat)", "Fax (arbejde)",
    "E-mail-adresse", "E-mail-type", "E-mail-vist navn", "E-mail 2-adresse", "Kategorier",
    "Fødselsdag", "Se-nr.", "Notater",
]


def test_outlook_desktop_danish(tmp_path):
    row = {
        "Fornavn": "Jørgen", "Mellemnavn": "Bach", "Efternavn": "Møller", "Firma": "Møller Bygg ApS",
        "Stilling": "Formand", "Gade (arbejde)": "Havnevej 4", "Gade 2 (firma)": "Bygning B",
        "By (arbejde)": "Esbjerg", "Postnummer (arbejde)": "6700", "Telefon (arbejde)": "75 12 34 56",
        "Mobiltelefon": "40 12 34 56", "Fax (arbejde)": "75 12 34 57",
        "E-mail-adresse": "jbm@moellerbygg.dk", "E-mail-type": "SMTP", "Kategorier": "Leverandør",
        "Se-nr.": "0101801234", "Notater": "Bestiller i marts",
    }
    text = ";".join(OUTLOOK_DA_HEADER) + "\n" + ";".join(row.get(h, "") for h in OUTLOOK_DA_HEADER) + "\n"
    cands, summary = read_all(write(tmp_path, "kontakter.csv", text, encoding="cp1252", newline="\r\n"))
    assert (summary.layout, summary.encoding, summary.delimiter) == ("outlook_desktop_da", "cp1252", ";")
    (c,) = cands
    assert c.fields() == {
        "first_name": "Jørgen Bach", "last_name": "Møller", "title": "Formand",
        "email": "jbm@moellerbygg.dk", "phone": "+4540123456", "company_name": "Møller Bygg ApS",
        "address": "Havnevej 4, Bygning B", "postcode": "6700", "city": "Esbjerg",
        "tags": ["Leverandør"], "note": "Bestiller i marts",
    }
    assert c.extra_phones == ["+4575123456"]  # the fax is dropped
    assert [(f.column, f.kind) for f in c.flags] == [("Se-nr.", "cpr")]


def test_linkedin_connections_with_preamble(samples, tmp_path):
    path = build(samples, tmp_path, "linkedin_connections.csv", [
        {"First Name": "Jens", "Last Name": "Hansen", "URL": "https://www.linkedin.com/in/jenshansen",
         "Email Address": "jens@firma.dk", "Company": "Firma ApS", "Position": "Direktør",
         "Connected On": "01 Mar 2021"},
        {"First Name": "Anne", "Last Name": "Berg", "URL": "https://www.linkedin.com/in/anneberg",
         "Email Address": "", "Company": "Berg & Co", "Position": "CEO", "Connected On": "12 Jan 2020"},
    ], keep_preamble=True, newline="\r\n")
    cands, summary = read_all(path)
    assert summary.layout == "linkedin"
    jens, anne = cands
    assert jens.line == 5  # after "Notes:", the note and a blank line
    assert jens.fields() == {"first_name": "Jens", "last_name": "Hansen", "title": "Direktør",
                             "email": "jens@firma.dk", "company_name": "Firma ApS"}
    assert anne.fields() == {"first_name": "Anne", "last_name": "Berg", "title": "CEO",
                             "company_name": "Berg & Co"}
    assert summary.dropped_columns == ["URL", "Connected On"]


def test_mailchimp_consent_evidence(samples, tmp_path):
    path = build(samples, tmp_path, "mailchimp_subscribed.csv", [
        {"Email Address": "jens@firma.dk", "First Name": "Jens", "Last Name": "Hansen",
         "MEMBER_RATING": "2", "OPTIN_TIME": "2021-03-04 10:20:30", "OPTIN_IP": "192.0.2.10",
         "CONFIRM_TIME": "2021-03-04 10:25:00", "CONFIRM_IP": "192.0.2.11", "LATITUDE": "55.6",
         "TIMEZONE": "Europe/Copenhagen", "CC": "DK", "LAST_CHANGED": "2022-01-01 00:00:00",
         "LEID": "123", "EUID": "abc", "NOTES": "Tilmeldt via webshop"},
        {"Email Address": "anne@firma.dk", "OPTIN_TIME": "sometime", "OPTIN_IP": "not-an-ip"},
    ])
    cands, summary = read_all(path)
    assert summary.layout == "mailchimp"
    jens, anne = cands
    assert jens.fields() == {"first_name": "Jens", "last_name": "Hansen", "email": "jens@firma.dk",
                             "note": "Tilmeldt via webshop"}
    assert jens.consent == {
        "consent_optin_time": "2021-03-04T10:20:30+00:00", "consent_optin_ip": "192.0.2.10",
        "consent_confirm_time": "2021-03-04T10:25:00+00:00", "consent_confirm_ip": "192.0.2.11",
    }
    assert anne.consent == {}
    assert {(e.column, e.field) for e in anne.errors} == {
        ("OPTIN_TIME", "consent_optin_time"), ("OPTIN_IP", "consent_optin_ip")}
    assert {"MEMBER_RATING", "LATITUDE", "LEID", "EUID", "LAST_CHANGED"} <= set(summary.dropped_columns)


def test_xero_company_with_several_people(samples, tmp_path):
    path = build(samples, tmp_path, "xero_contacts.csv", [
        {"*ContactName": "Hansen Byg ApS", "EmailAddress": "info@hansenbyg.dk", "FirstName": "Jens",
         "LastName": "Hansen", "POAddressLine1": "Vestergade 12", "POCity": "Aarhus C",
         "POPostalCode": "8000", "POCountry": "Denmark", "PhoneNumber": "86123456",
         "MobileNumber": "20123456", "TaxNumber": "DK24256790", "BankAccountNumber": "1234 0123456789",
         "Person1FirstName": "Jens", "Person1LastName": "Hansen", "Person1Email": "info@hansenbyg.dk",
         "Person1IncludeInEmail": "Yes", "Person2FirstName": "Mette", "Person2LastName": "Hansen",
         "Person2Email": "mette@hansenbyg.dk", "Person3FirstName": "ole", "Person3LastName": "jensen",
         "Person3Email": "ole@", "Person5Email": "bogholderi@hansenbyg.dk"},
        {"*ContactName": "Lise Holm", "FirstName": "Lise", "LastName": "Holm",
         "EmailAddress": "lise@holm.dk"},
        {"*ContactName": "Tom Kasse A/S", "Person1FirstName": "Karen", "Person1Email": "karen@tomkasse.dk"},
    ])
    cands, summary = read_all(path)
    assert summary.layout == "xero"
    assert [(c.line, c.person) for c in cands] == [(2, 0), (2, 2), (2, 3), (2, 5), (3, 0), (4, 1)]
    main, mette, ole, book, lise, karen = cands
    shared = {"company_name": "Hansen Byg ApS", "company_cvr": "24256790",
              "address": "Vestergade 12", "postcode": "8000", "city": "Aarhus C", "country": "Denmark"}
    assert main.fields() == {"first_name": "Jens", "last_name": "Hansen", "email": "info@hansenbyg.dk",
                             "phone": "+4520123456", **shared}
    assert main.extra_phones == ["+4586123456"]
    assert main.phones() == [("+4520123456", "mobile"), ("+4586123456", "other")]
    assert mette.fields() == {"first_name": "Mette", "last_name": "Hansen",
                              "email": "mette@hansenbyg.dk", **shared}
    assert ole.fields() == {"first_name": "Ole", "last_name": "Jensen", **shared}
    assert [(e.column, e.value) for e in ole.errors] == [("Person3Email", "ole@")]
    assert book.fields() == {"email": "bogholderi@hansenbyg.dk", **shared}
    assert lise.fields() == {"first_name": "Lise", "last_name": "Holm", "email": "lise@holm.dk"}  # an individual
    assert karen.fields() == {"first_name": "Karen", "email": "karen@tomkasse.dk", "company_name": "Tom Kasse A/S"}
    assert "BankAccountNumber" in summary.dropped_columns


def test_timeout_dk_export(samples, tmp_path):
    path = build(samples, tmp_path, "timeout_dk_kunder_eksport.csv", [{
        "Linjeoverskrift": "Kunde", "Kontakt": "Hansen VVS ApS", "Kontakt id": "1001",
        "Kontaktperson/filial": "Jens Hansen", "Adresse": "Vestergade 12", " Postnr": "8000",
        "By": "Aarhus C", "Land": "Danmark", "Telefon": "86 12 34 56", "Mobil": "4520123456",
        "Email": "info@hansenvvs.dk", "Titel": "Direktør", "Segment": "VVS", "Rabat": "10,5",
        "EAN": "5790000000000", "Interesse": "Varmepumper", "Beskrivelse": "Medlem af 3F",
        "Konto": "1001", "CVR": "24256790", "Iban": "DK5000400440116243", "Kundeansv 1": "JH",
        "Forfaldsdato": "30-06-2024",
    }], delimiter=";", encoding="cp1252", newline="\r\n")
    cands, summary = read_all(path)
    assert (summary.layout, summary.delimiter, summary.encoding) == ("timeout_dk", ";", "cp1252")
    assert "Postnr" in summary.columns  # " Postnr" with its stray space
    (c,) = cands
    assert c.fields() == {
        "first_name": "Jens", "last_name": "Hansen", "title": "Direktør", "email": "info@hansenvvs.dk",
        "phone": "+4520123456", "company_name": "Hansen VVS ApS", "company_cvr": "24256790",
        "address": "Vestergade 12", "postcode": "8000", "city": "Aarhus C", "country": "Danmark",
        "tags": ["VVS"], "owner": "JH", "note": "Interesse: Varmepumper",
    }
    assert c.extra_phones == ["+4586123456"]
    assert [(f.column, f.kind) for f in c.flags] == [("Beskrivelse", "union")]
    assert {"Iban", "Rabat", "EAN", "Kundeansv 2", "Forfaldsdato"} <= set(summary.dropped_columns)


# --- detection -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "name, layout",
    [
        ("google_contacts_current.csv", "google_current"),
        ("google_export_as_outlook_csv.csv", "outlook_csv"),
        ("outlook_desktop_en.csv", "outlook_desktop_en"),
        ("outlook_com_people.csv", "outlook_com"),
        ("linkedin_connections.csv", "linkedin"),
        ("mailchimp_subscribed.csv", "mailchimp"),
        ("xero_contacts.csv", "xero"),
        ("timeout_dk_kunder_eksport.csv", "timeout_dk"),
    ],
)
def test_every_header_sample_is_recognised_and_fully_mapped(samples, name, layout):
    headers = [h for h in header_cells(samples, name) if h.strip()]
    assert detect_layout(headers).name == layout
    mapping = suggest_mapping(headers)
    assert mapping.layout == layout
    # every column is either mapped or explicitly dropped
    assert [s for s, _ in mapping] and {s for s, _ in mapping} == {h.strip() for h in headers}


def test_generic_layout_uses_synonyms():
    mapping = suggest_mapping(["Full Name", "Email", "Company", "Phone", "Favourite colour"])
    assert mapping.layout == "generic"
    assert mapping.as_dict() == {"Full Name": "name", "Email": "email", "Company": "company_name",
                                 "Phone": "phone", "Favourite colour": "drop"}


def test_plain_danish_sheet_layout():
    headers = ["Navn", "Firma", "Telefon", "Mobil", "E-mail", "Stilling", "CVR", "Postnr", "By", "Noter"]
    mapping = suggest_mapping(headers)
    assert mapping.layout == "danish_sheet"
    assert mapping.as_dict() == {
        "Navn": "name", "Firma": "company_name", "Telefon": "phone", "Mobil": "phone",
        "E-mail": "email", "Stilling": "title", "CVR": "company_cvr", "Postnr": "postcode",
        "By": "city", "Noter": "note"}


def test_layout_names_are_unique():
    names = [layout.name for layout in LAYOUTS]
    assert len(names) == len(set(names))
