"""Data types shared by the importer: candidates, issues, flags, the summary, the file error.

Nothing here touches a file or the database.  A :class:`Candidate` is one contact
as read from the input and normalised; the database layer decides what to do with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import ImportFileError as ImportFileError  # re-exported: the readers raise it from here

#: The MiniCRM contact fields a candidate can carry (in display order).
CONTACT_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "title",
    "email",
    "phone",
    "company_name",
    "company_cvr",
    "address",
    "postcode",
    "city",
    "country",
    "tags",
    "owner",
    "lifecycle",
    "note",
)

#: Consent evidence, as exported by Mailchimp (OPTIN_TIME, OPTIN_IP, CONFIRM_TIME, CONFIRM_IP).
CONSENT_FIELDS: tuple[str, ...] = (
    "consent_optin_time",
    "consent_optin_ip",
    "consent_confirm_time",
    "consent_confirm_ip",
)

#: Kinds of special-category data (GDPR art. 9) and Danish CPR numbers the scanner reports.
SENSITIVE_KINDS: tuple[str, ...] = (
    "health",
    "religion",
    "ethnicity",
    "politics",
    "union",
    "sexuality",
    "cpr",
)

#: How many skipped-record issues the summary keeps (the count is always exact).
MAX_KEPT_ISSUES = 1000


@dataclass(frozen=True)
class Issue:
    """A problem with one value or one record.  Never carries special-category data.

    ``column`` is the source column header (or vCard property name), ``field`` the
    MiniCRM field it was meant for.  ``value`` is the offending value when it is safe
    to show (never for free text, never when it looks like a CPR number).
    """

    file: str
    line: int
    message: str
    column: str | None = None
    field: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}"
        if self.column:
            where += f", column {self.column!r}"
        if self.field and self.field != self.column:
            where += f" ({self.field})"
        text = f"{where}: {self.message}"
        if self.value is not None:
            shown = self.value if len(self.value) <= 80 else self.value[:77] + "..."
            text += f": {shown!r}"
        return text


@dataclass(frozen=True)
class Flag:
    """Special-category data (or a CPR number) was found in ``column`` on ``line``.

    The value itself is *not* kept anywhere: only where it was and what kind.
    """

    line: int
    column: str
    kind: str

    def __str__(self) -> str:
        return (
            f"line {self.line}, column {self.column!r}: special-category data "
            f"({self.kind}) found; the value was not imported"
        )


@dataclass
class Candidate:
    """One contact read from the input, normalised, not yet checked against the database.

    - ``source``/``line``: file name and 1-based line where the record starts
      (the physical line for CSV, the sheet row for XLSX, the ``BEGIN:VCARD`` line).
    - ``person``: 0 for the row's main contact; 1..5 for Xero's ``PersonN`` contacts
      (a Xero row may give several candidates with the same ``line``).
    - Contact fields are ``None`` (or ``[]`` for ``tags``) when absent.  ``phone`` is
      E.164, ``email`` validated (syntax only), ``company_cvr`` 8 digits with a valid
      modulus-11 check, ``note`` only when no special-category data was found in it.
    - ``extra_emails``/``extra_phones``: further valid addresses/numbers, normalised.
    - ``email_labels``/``phone_labels``: the label (contact_points.LABELS) of ``email`` then
      of each extra one, in the same order (the first one is the primary).
    - ``flags``: special-category findings (values not kept); ``errors``: values that
      were rejected (invalid e-mail, phone, CVR ...); the rejected value is not in the
      contact fields.
    - ``prepared``: see store.importing.prepared (not part of the comparison).
    """

    source: str
    line: int
    person: int = 0
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    company_name: str | None = None
    company_cvr: str | None = None
    address: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None
    tags: list[str] = field(default_factory=list)
    owner: str | None = None
    lifecycle: str | None = None
    note: str | None = None
    consent_optin_time: str | None = None
    consent_optin_ip: str | None = None
    consent_confirm_time: str | None = None
    consent_confirm_ip: str | None = None
    extra_emails: list[str] = field(default_factory=list)
    extra_phones: list[str] = field(default_factory=list)
    email_labels: list[str] = field(default_factory=list)
    phone_labels: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    #: the values ready to insert (store.importing.prepared.Prepared) when the reading process
    #: made them; None until then, and again once a repeat in the file was merged into it
    prepared: Any = field(default=None, repr=False, compare=False)

    def fields(self) -> dict[str, Any]:
        """The contact fields that have a value, in :data:`CONTACT_FIELDS` order."""
        out: dict[str, Any] = {}
        for name in CONTACT_FIELDS:
            value = getattr(self, name)
            if value:
                out[name] = list(value) if isinstance(value, list) else value
        return out

    def emails(self) -> list[tuple[str, str]]:
        """Every (address, label), the primary first."""
        values = [self.email, *self.extra_emails] if self.email else list(self.extra_emails)
        return [(v, self.email_labels[n] if n < len(self.email_labels) else "other") for n, v in enumerate(values)]

    def phones(self) -> list[tuple[str, str]]:
        """Every (number, label), the primary first."""
        values = [self.phone, *self.extra_phones] if self.phone else list(self.extra_phones)
        return [(v, self.phone_labels[n] if n < len(self.phone_labels) else "other") for n, v in enumerate(values)]

    @property
    def consent(self) -> dict[str, str]:
        """The consent evidence that is present (empty dict when none)."""
        return {n: getattr(self, n) for n in CONSENT_FIELDS if getattr(self, n)}

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.company_name or self.email or self.phone or ""

    def has_identity(self) -> bool:
        """True when there is something to file the contact under."""
        return bool(
            self.first_name or self.last_name or self.email or self.phone or self.company_name
        )


@dataclass
class ImportSummary:
    """What the reader decided and what it saw.  Filled in as the file is read.

    The detection part (``fmt`` .. ``sensitive_columns``) is complete as soon as the
    reader is opened (except for vCard, whose property names are only known after
    reading).  The counters are final once iteration has finished.
    """

    path: str
    fmt: str  # "csv", "xlsx" or "vcard"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    layout: str | None = None
    #: header names as read (stripped), in file order
    columns: list[str] = field(default_factory=list)
    #: the column -> field mapping in use (a :class:`~store.importing.mapping.Mapping`)
    mapping: Any = None
    #: source columns (or vCard properties) whose values were not imported
    dropped_columns: list[str] = field(default_factory=list)
    #: columns whose *header* names special-category data: (column, kind); always dropped
    sensitive_columns: list[tuple[str, str]] = field(default_factory=list)
    records: int = 0  # data rows / cards read (empty rows not counted)
    candidates: int = 0
    candidates_with_errors: int = 0
    candidates_flagged: int = 0
    skipped_count: int = 0
    #: records that gave no candidate, with the reason (the first MAX_KEPT_ISSUES)
    skipped: list[Issue] = field(default_factory=list)
    finished: bool = False

    def add_skipped(self, issue: Issue) -> None:
        self.skipped_count += 1
        if len(self.skipped) < MAX_KEPT_ISSUES:
            self.skipped.append(issue)

    def count(self, cand: Candidate) -> None:
        self.candidates += 1
        if cand.errors:
            self.candidates_with_errors += 1
        if cand.flags:
            self.candidates_flagged += 1

    def drop_column(self, name: str) -> None:
        if name not in self.dropped_columns and len(self.dropped_columns) < 500:
            self.dropped_columns.append(name)
