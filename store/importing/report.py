"""What an import did, row by row: the counts (always exact) and the first reasons.

`ImportReport` is what every front end renders; `RowNote` is one reason, naming
a line, a column or a contact id, never a value (a value may be personal data).
"""
from __future__ import annotations

from dataclasses import dataclass, field

MAX_NOTES = 20  # reasons kept per kind (the counts are always exact)
MAX_CHANGES = 500  # field changes kept for the preview (the count is exact)
NOTE_KINDS = ("invalid", "suppressed", "review", "duplicate", "flagged", "warning")
# What a role that cannot see every contact is told about a row that meets one it cannot
# see (or a person erased earlier): nothing that tells which, or who.
REVIEW_TEXT = "not imported: a manager must review this row"


@dataclass(frozen=True)
class RowNote:
    line: int
    kind: str  # one of NOTE_KINDS
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text}"


@dataclass(frozen=True)
class FieldChange:
    """One field an update import changes (or would change) in an existing contact."""
    contact_id: int
    line: int
    field: str
    old: str
    new: str


@dataclass
class ImportReport:
    file: str
    dry_run: bool
    policy: str = "skip"
    lawful_basis: str = "legitimate_interest"
    fmt: str = ""
    layout: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    batch_id: int | None = None
    rows: int = 0  # candidates plus records that gave none
    new: int = 0
    updated: int = 0
    duplicates: int = 0  # existing contacts left as they were, plus repeats merged within the file
    merged: int = 0  # of the duplicates: repeats of a person earlier in the same file
    suppressed: int = 0  # erased earlier: never re-imported
    review: int = 0  # met a contact this role may not see (or an erased person): left to a manager
    flagged: int = 0  # special-category data or CPR found (value not imported)
    invalid: int = 0
    warnings: int = 0  # imported, but some value was left out (invalid e-mail, unknown owner ...)
    # of the new: kept apart from a contact they share only an e-mail or a phone with (another
    # name), and listed for review (PossibleDuplicate)
    possible_duplicates: int = 0
    # no longer counted (every e-mail, phone and address is kept since m0014); kept so a report
    # saved by an older version still resumes
    extra_values: int = 0
    unstored_addresses: int = 0
    dropped_columns: list[str] = field(default_factory=list)
    sensitive_columns: list[tuple[str, str]] = field(default_factory=list)
    mapping: object = None  # the store.importing.Mapping in use (CSV/XLSX)
    notes: list[RowNote] = field(default_factory=list)  # first reasons by kind, by line
    changes: list[FieldChange] = field(default_factory=list)  # what an update changes
    changes_total: int = 0
    _kept: dict = field(default_factory=dict, repr=False)

    def note(self, kind: str, line: int, text: str) -> None:
        kept = self._kept.get(kind, 0)
        if kept < 2 * MAX_NOTES:  # two streams feed "invalid"; finish() sorts and trims
            self._kept[kind] = kept + 1
            self.notes.append(RowNote(line, kind, text))

    def finish(self) -> None:
        by_kind: dict[str, list[RowNote]] = {}
        for n in sorted(self.notes, key=lambda n: (NOTE_KINDS.index(n.kind), n.line)):
            by_kind.setdefault(n.kind, []).append(n)
        self.notes = [n for kind in NOTE_KINDS for n in by_kind.get(kind, [])[:MAX_NOTES]]

    def reasons(self, kind: str) -> list[RowNote]:
        return [n for n in self.notes if n.kind == kind]

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "new": self.new, "updated": self.updated,
                "duplicate": self.duplicates, "suppressed": self.suppressed, "review": self.review,
                "flagged": self.flagged, "invalid": self.invalid}

    def summary(self) -> str:
        merged = f" ({self.merged} repeated in the file)" if self.merged else ""
        review = f", {self.review} for a manager to review" if self.review else ""
        if self.possible_duplicates:
            review += f", {self.possible_duplicates} new listed as possible duplicates"
        return (f"{self.rows} rows: {self.new} new, {self.updated} updated, {self.duplicates} duplicate"
                f"{merged}, {self.suppressed} suppressed{review}, {self.flagged} flagged, {self.invalid} invalid")
