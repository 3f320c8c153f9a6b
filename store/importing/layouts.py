"""Known export layouts: recognise a header row and suggest a column -> field mapping.

Recognised without help: Google Contacts CSV (current and legacy), Outlook CSV
(desktop in English and Danish, Outlook.com, and Google's "Outlook CSV" option),
Thunderbird, LinkedIn ``Connections.csv``, Mailchimp audience export, Xero contacts,
TimeOut (Danish) customer export, and a plain Danish sheet (``Navn``, ``Firma``,
``Telefon``, ``Mobil``, ``E-mail``, ``Stilling``, ``CVR``, ``Postnr``, ``By`` ...).
Anything else gets the ``generic`` layout: Danish and English synonyms.

Every header is either mapped or dropped; see :mod:`store.importing.mapping` for targets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .mapping import Mapping, header_key

__all__ = ["Layout", "LAYOUTS", "detect_layout", "suggest_mapping", "layout_by_name"]


@dataclass(frozen=True)
class Layout:
    name: str
    label: str
    #: header keys (see header_key) that must all be present
    signature: frozenset[str]
    #: (header, target) in priority order; compared with header_key
    columns: tuple[tuple[str, str], ...] = ()
    #: (regex on header_key, target template with {0} = first group) for numbered columns
    patterns: tuple[tuple[str, str], ...] = ()
    #: extra headers that name special-category data in this layout: header -> kind
    sensitive: tuple[tuple[str, str], ...] = ()
    #: use the synonym table for headers not listed above
    synonyms: bool = False

    def mapping_for(self, headers: list[str]) -> Mapping:
        """The suggested mapping for this file's headers (all of them, dropped ones too)."""
        by_key: dict[str, list[str]] = {}
        for h in headers:
            if h.strip():
                by_key.setdefault(header_key(h), []).append(h.strip())
        pairs: list[tuple[str, str]] = []
        used: set[str] = set()

        def add(header: str, target: str) -> None:
            if header not in used:
                used.add(header)
                pairs.append((header, target))

        for name, target in self.columns:
            for h in by_key.get(header_key(name), []):
                add(h, target)
        patterns = [(re.compile(rx), t) for rx, t in self.patterns]
        for h in headers:
            h = h.strip()
            if not h or h in used:
                continue
            for rx, template in patterns:
                m = rx.match(header_key(h))
                if m:
                    add(h, template.format(*m.groups()))
                    break
        if self.synonyms:
            for h in headers:
                h = h.strip()
                if h and h not in used:
                    synonym = synonym_target(h)
                    if synonym:
                        add(h, synonym)
        for h in headers:
            h = h.strip()
            if h and h not in used:
                add(h, "drop")
        return Mapping(pairs, self.name)

    def sensitive_kind(self, header: str) -> str | None:
        key = header_key(header)
        for name, kind in self.sensitive:
            if header_key(name) == key:
                return kind
        return None


def _cols(*pairs: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(pairs)


# --- the synonym table (generic sheets, the plain Danish sheet) -------------------------

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("navn", "fuldtnavn", "fuldenavn", "kontaktperson", "kontaktnavn", "name",
             "fullname", "contactname", "contact", "kontakt"),
    "first_name": ("fornavn", "fornavne", "firstname", "givenname", "first", "forename"),
    "last_name": ("efternavn", "lastname", "surname", "familyname", "last"),
    "title": ("stilling", "titel", "jobtitel", "stillingsbetegnelse", "jobtitle", "title",
              "position", "rolle", "role"),
    "email": ("email", "emailadresse", "mail", "mailadresse", "epost", "emailaddress",
              "email1", "email2", "primaryemail", "arbejdsmail", "privatmail"),
    "phone": ("telefon", "telefonnr", "telefonnummer", "tlf", "tlfnr", "mobil", "mobilnr",
              "mobilnummer", "mobiltelefon", "direkte", "direktenr", "arbejdstelefon",
              "phone", "phonenumber", "telephone", "mobile", "mobilephone", "cell",
              "cellphone", "workphone", "homephone", "privattelefon"),
    "company_name": ("firma", "firmanavn", "virksomhed", "virksomhedsnavn", "organisation",
                     "company", "companyname", "organization", "organisationsnavn", "kunde",
                     "kundenavn", "account", "accountname"),
    "company_cvr": ("cvr", "cvrnr", "cvrnummer", "virksomhedsnummer", "cvrno", "vatno",
                    "vatnumber", "companynumber"),
    "address": ("adresse", "gade", "vej", "vejnavn", "gadenavn", "postadresse", "address",
                "street", "streetaddress", "address1", "address2", "adresse1", "adresse2"),
    "postcode": ("postnr", "postnummer", "postkode", "zip", "zipcode", "postcode",
                 "postalcode"),
    "city": ("by", "bynavn", "postdistrikt", "city", "town"),
    "country": ("land", "country", "nation", "countryregion", "landområde"),
    "tags": ("tags", "tag", "segment", "segmenter", "kategori", "kategorier", "category",
             "categories", "gruppe", "grupper", "labels", "etiketter", "groups"),
    "owner": ("ejer", "ansvarlig", "kundeansvarlig", "saelger", "sælger", "owner",
              "accountowner", "salesperson", "kundeansv", "kundeansv1"),
    "lifecycle": ("lifecycle", "livscyklus", "status", "stadie", "fase", "stage",
                  "lifecyclestage"),
    "note": ("note", "noter", "notat", "notater", "notes", "bemaerkning", "bemærkning",
             "bemærkninger", "kommentar", "kommentarer", "comment", "comments",
             "beskrivelse", "description", "interesse", "interesser", "interests",
             "fritekst", "remarks", "info", "information", "andet"),
}
_SYNONYM_INDEX: dict[str, str] = {
    word: target for target, words in _SYNONYMS.items() for word in words
}
_DANISH_WORDS = frozenset(
    {"navn", "fornavn", "efternavn", "firma", "virksomhed", "telefon", "tlf", "mobil",
     "stilling", "titel", "postnr", "postnummer", "by", "adresse", "noter", "bemærkninger",
     "kommentar", "cvr", "cvrnr"}
)


def _squash(header: str) -> str:
    return re.sub(r"[^0-9a-zæøå]", "", header_key(header))


def synonym_target(header: str) -> str | None:
    """The target the synonym table gives ``header``, or ``None``."""
    return _SYNONYM_INDEX.get(_squash(header))


# --- the layouts ------------------------------------------------------------------------

_GOOGLE_NUMBERED = (
    (r"^e-mail (\d+) - value$", "email@{0}"),
    (r"^e-mail (\d+) - (?:type|label)$", "email_label@{0}"),
    (r"^phone (\d+) - value$", "phone@{0}"),
    (r"^phone (\d+) - (?:type|label)$", "phone_label@{0}"),
    (r"^address (\d+) - country$", "country@{0}"),
    (r"^address (\d+) - street$", "address@{0}"),
    (r"^address (\d+) - extended address$", "address@{0}"),
    (r"^address (\d+) - postal code$", "postcode@{0}"),
    (r"^address (\d+) - city$", "city@{0}"),
)

_OUTLOOK_EN = _cols(
    ("First Name", "first_name"), ("Middle Name", "first_name"), ("Last Name", "last_name"),
    ("Job Title", "title"), ("Company", "company_name"),
    ("E-mail Address", "email"), ("E-mail 2 Address", "email"), ("E-mail 3 Address", "email"),
    ("Mobile Phone", "phone"), ("Business Phone", "phone"), ("Primary Phone", "phone"),
    ("Company Main Phone", "phone"), ("Business Phone 2", "phone"), ("Home Phone", "phone"),
    ("Home Phone 2", "phone"), ("Other Phone", "phone"), ("Car Phone", "phone"),
    ("Business Street", "address@work"), ("Business Street 2", "address@work"),
    ("Business Street 3", "address@work"), ("Business Postal Code", "postcode@work"),
    ("Business City", "city@work"), ("Business Country/Region", "country@work"),
    ("Business Country", "country@work"),
    ("Home Street", "address@home"), ("Home Street 2", "address@home"),
    ("Home Street 3", "address@home"), ("Home Postal Code", "postcode@home"),
    ("Home City", "city@home"), ("Home Country/Region", "country@home"), ("Home Country", "country@home"),
    ("Other Street", "address@other"), ("Other Street 2", "address@other"),
    ("Other Street 3", "address@other"), ("Other Postal Code", "postcode@other"),
    ("Other City", "city@other"), ("Other Country/Region", "country@other"), ("Other Country", "country@other"),
    ("Categories", "tags"), ("Notes", "note"),
)

_OUTLOOK_DA = _cols(
    ("Fornavn", "first_name"), ("Mellemnavn", "first_name"), ("Efternavn", "last_name"),
    ("Stilling", "title"), ("Firma", "company_name"),
    ("E-mail-adresse", "email"), ("E-mail 2-adresse", "email"), ("E-mail 3-adresse", "email"),
    ("Mobiltelefon", "phone"), ("Telefon (arbejde)", "phone"), ("Primær telefon", "phone"),
    ("Primær telefon (firma)", "phone"), ("Telefon 2 (arbejde)", "phone"),
    ("Telefon (privat)", "phone"), ("Telefon 2 (privat)", "phone"), ("Anden telefon", "phone"),
    ("Biltelefon", "phone"),
    ("Gade (arbejde)", "address@work"), ("Gade 2 (arbejde)", "address@work"),
    ("Gade 2 (firma)", "address@work"), ("Gade 3 (arbejde)", "address@work"),
    ("Gade 3 (firma)", "address@work"), ("Postnummer (arbejde)", "postcode@work"),
    ("By (arbejde)", "city@work"), ("Land/område (arbejde)", "country@work"),
    ("Gade (privat)", "address@home"), ("Gade 2 (privat)", "address@home"),
    ("Gade 3 (privat)", "address@home"), ("Postnummer (privat)", "postcode@home"),
    ("By (privat)", "city@home"), ("Land/område (privat)", "country@home"),
    ("Anden gade", "address@other"), ("Anden gade 2", "address@other"),
    ("Anden gade 3", "address@other"), ("Andet postnummer", "postcode@other"),
    ("Anden by", "city@other"), ("Andet land/område", "country@other"),
    ("Kategorier", "tags"), ("Notater", "note"), ("Noter", "note"),
)

_XERO_PERSONS = tuple(
    pair
    for n in range(1, 6)
    for pair in (
        (f"Person{n}FirstName", f"person{n}.first_name"),
        (f"Person{n}LastName", f"person{n}.last_name"),
        (f"Person{n}Email", f"person{n}.email"),
    )
)

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "google_current", "Google Contacts CSV",
        frozenset({"first name", "last name", "labels"}),
        _cols(("First Name", "first_name"), ("Middle Name", "first_name"),
              ("Last Name", "last_name"), ("Organization Name", "company_name"),
              ("Organization Title", "title"), ("Labels", "tags"), ("Notes", "note")),
        _GOOGLE_NUMBERED,
    ),
    Layout(
        "google_legacy", "Google Contacts CSV (legacy layout)",
        frozenset({"given name", "family name", "group membership"}),
        _cols(("Given Name", "first_name"), ("Additional Name", "first_name"),
              ("Family Name", "last_name"), ("Name", "name"),
              ("Organization 1 - Name", "company_name"), ("Organization 1 - Title", "title"),
              ("Group Membership", "tags"), ("Notes", "note")),
        _GOOGLE_NUMBERED,
    ),
    Layout(
        "outlook_desktop_en", "Outlook CSV (desktop, English)",
        frozenset({"first name", "last name", "e-mail address", "e-mail display name"}),
        _OUTLOOK_EN, sensitive=(("Government ID Number", "cpr"),),
    ),
    Layout(
        "outlook_com", "Outlook.com People CSV",
        frozenset({"first name", "last name", "e-mail address", "given yomi"}),
        _OUTLOOK_EN, sensitive=(("Government ID Number", "cpr"),),
    ),
    Layout(
        "outlook_csv", "Outlook-style CSV (e.g. Google's \"Outlook CSV\" export)",
        frozenset({"first name", "last name", "e-mail address"}),
        _OUTLOOK_EN, sensitive=(("Government ID Number", "cpr"),),
    ),
    Layout(
        "outlook_desktop_da", "Outlook CSV (desktop, dansk)",
        frozenset({"fornavn", "efternavn", "e-mail-adresse"}),
        _OUTLOOK_DA, sensitive=(("Se-nr.", "cpr"),),
    ),
    Layout(
        "thunderbird", "Thunderbird address book CSV",
        frozenset({"first name", "last name", "display name", "primary email"}),
        _cols(("First Name", "first_name"), ("Last Name", "last_name"),
              ("Display Name", "name"), ("Primary Email", "email"),
              ("Secondary Email", "email"), ("Job Title", "title"),
              ("Organization", "company_name"), ("Mobile Number", "phone"),
              ("Work Phone", "phone"), ("Home Phone", "phone"),
              ("Work Address", "address@work"), ("Work Address 2", "address@work"),
              ("Work ZipCode", "postcode@work"), ("Work City", "city@work"),
              ("Work Country", "country@work"),
              ("Home Address", "address@home"), ("Home Address 2", "address@home"),
              ("Home ZipCode", "postcode@home"), ("Home City", "city@home"),
              ("Home Country", "country@home"),
              ("Notes", "note")),
    ),
    Layout(
        "linkedin", "LinkedIn Connections.csv",
        frozenset({"first name", "last name", "url", "email address", "connected on"}),
        _cols(("First Name", "first_name"), ("Last Name", "last_name"),
              ("Email Address", "email"), ("Company", "company_name"),
              ("Position", "title")),
    ),
    Layout(
        "mailchimp", "Mailchimp audience export",
        frozenset({"email address", "optin_time"}),
        _cols(("Email Address", "email"), ("First Name", "first_name"),
              ("Last Name", "last_name"), ("Phone Number", "phone"),
              ("Company", "company_name"), ("Address", "address"), ("TAGS", "tags"),
              ("NOTES", "note"),
              ("OPTIN_TIME", "consent_optin_time"), ("OPTIN_IP", "consent_optin_ip"),
              ("CONFIRM_TIME", "consent_confirm_time"), ("CONFIRM_IP", "consent_confirm_ip")),
    ),
    Layout(
        "xero", "Xero contacts export",
        frozenset({"contactname", "emailaddress", "firstname", "lastname"}),
        _cols(("ContactName", "company_name"), ("FirstName", "first_name"),
              ("LastName", "last_name"), ("EmailAddress", "email"),
              ("MobileNumber", "phone"), ("PhoneNumber", "phone"), ("DDINumber", "phone"),
              ("CompanyNumber", "company_cvr"), ("TaxNumber", "company_cvr"),
              ("POAddressLine1", "address@po"), ("POAddressLine2", "address@po"),
              ("POAddressLine3", "address@po"), ("POAddressLine4", "address@po"),
              ("POPostalCode", "postcode@po"), ("POCity", "city@po"), ("POCountry", "country@po"),
              ("SAAddressLine1", "address@sa"), ("SAAddressLine2", "address@sa"),
              ("SAAddressLine3", "address@sa"), ("SAAddressLine4", "address@sa"),
              ("SAPostalCode", "postcode@sa"), ("SACity", "city@sa"), ("SACountry", "country@sa"))
        + _XERO_PERSONS,
    ),
    Layout(
        "timeout_dk", "TimeOut kunde-eksport",
        frozenset({"kontakt", "kontakt id", "kontaktperson/filial"}),
        _cols(("Kontakt", "company_name"), ("Kontaktperson/filial", "name"),
              ("Titel", "title"), ("Email", "email"), ("Mobil", "phone"),
              ("Telefon", "phone"), ("Adresse", "address"), ("Postnr", "postcode"),
              ("By", "city"), ("Land", "country"), ("CVR", "company_cvr"), ("Segment", "tags"),
              ("Kundeansv 1", "owner"), ("Interesse", "note"), ("Beskrivelse", "note")),
    ),
)

DANISH_SHEET = Layout("danish_sheet", "Dansk regneark (Navn, Firma, Telefon ...)", frozenset(), synonyms=True)
GENERIC = Layout("generic", "Other sheet (matched by column names)", frozenset(), synonyms=True)


def layout_by_name(name: str) -> Layout | None:
    for layout in (*LAYOUTS, DANISH_SHEET, GENERIC):
        if layout.name == name:
            return layout
    return None


def detect_layout(headers: list[str]) -> Layout:
    """The most specific known layout whose signature headers are all present."""
    keys = {header_key(h) for h in headers if h.strip()}
    best: Layout | None = None
    for layout in LAYOUTS:
        if layout.signature <= keys and (best is None or len(layout.signature) > len(best.signature)):
            best = layout
    if best is not None:
        return best
    danish = sum(1 for h in headers if _squash(h) in _DANISH_WORDS)
    return DANISH_SHEET if danish >= 2 else GENERIC


def suggest_mapping(headers: list[str]) -> Mapping:
    """The mapping the detected layout suggests (``mapping.layout`` names the layout)."""
    return detect_layout(headers).mapping_for(headers)
