"""The state one import run carries from chunk to chunk (store/importing/run.py), and
what its stages share: the plan of a chunk (planner.py) that the writer (writer.py)
carries out, how a row the importing role may not know about is told so, and the
search document of a new contact.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..models import User
from ..scope import Scope
from . import matching
from .model import Candidate
from .prepared import ADDRESS as ADDRESS  # re-exported: the updates store addresses the same way
from .prepared import Prepared, Preparer
from .report import REVIEW_TEXT, ImportReport

# Contact fields an "update" import may change (company: the company link).
UPDATABLE = ("first_name", "last_name", "title", "email", "phone", "company", "lifecycle",
             "address", "postcode", "city", "country")
# Roles that see every contact: they may be told which contact a row meets, or that a
# person was erased.  Anyone else learns only REVIEW_TEXT about such a row.
SEES_EVERYONE = ("admin", "manager")


@dataclass(slots=True)
class New:
    """A contact to insert, made ready outside the lock."""
    c: Candidate
    p: Prepared  # its values ready to insert (store.importing.prepared)
    # its row for the executemany: store.bulk.IMPORT_COLUMNS, then the sort key
    row: tuple
    company: int | None  # the company's id when MiniCRM knows it (else created under the lock)
    index: str  # the search document (search.index_text)
    # kept apart from a contact it shares only an e-mail or a phone with: (that contact's id, or
    # the row of this file it repeats, "email" | "phone"), for the review list
    duplicate_of: tuple | None = None


@dataclass
class Plan:
    fresh: list[New] = field(default_factory=list)
    fills: list[tuple[int, Candidate]] = field(default_factory=list)  # repeats of this batch's contacts
    updates: list[tuple[int, Candidate, str]] = field(default_factory=list)  # (contact id, row, matched by)
    version: int = 0  # PRAGMA data_version when the look-ups were made
    batch_id: int | None = None  # the import batch the rows of `fresh` name (None: not written yet)


class RunState:
    """What one import run knows as it goes, and the few things every stage asks of it."""

    def __init__(self, scope: Scope, report: ImportReport, options: dict, summary, *, dry_run: bool,
                 chunk: int, min_chunk: int):
        self.scope, self.report, self.summary, self.dry_run = scope, report, summary, dry_run
        self.policy, self.lawful_basis = options["policy"], options["lawful_basis"]
        self.owner_id = options["owner_id"]
        self.sees_everyone = scope.role in SEES_EVERYONE
        self.batch_id: int | None = None
        self.file_name, self.digest = report.file[:200], ""
        self.state: dict = {}
        self.companies = matching.Companies(virtual=dry_run)
        self.usernames = {u.username: u.id for u in User.select(User.id, User.username)
                          .where(User.revoked_at.is_null())}
        self.erased = matching.erasure_checker()
        self.ledger_mark = matching.ledger_mark()
        self.skipped_seen = 0
        # dry run: key hash -> (line, initials of the name), for repeats across chunks
        self.in_file: dict[int, tuple[int, str]] = {}
        self.updated_here: set[int] = set()  # dry run: contacts an earlier chunk would update
        # candidates the reading process did not make ready (a small file, a merged repeat) are
        # made ready here, the same way
        self.prepare = Preparer()
        self.firm_cache: dict[tuple, tuple[str, str]] = {}  # a company's words (run_state._firm_words)
        # candidates in the next chunk: smaller while the machine is slow (run.Run.chunk)
        self.size = self.max_size = chunk
        self.min_size = min(min_chunk, chunk)

    @property
    def source(self) -> str:
        return f"import:{self.file_name}"[:200]

    # -- what a row is told --------------------------------------------------------------

    def _suppressed(self, c: Candidate) -> None:
        if self.sees_everyone:
            self.report.suppressed += 1
            self.report.note("suppressed", c.line, "erased earlier (erasure ledger): not imported")
        else:
            self._review(c)

    def _review(self, c: Candidate) -> None:
        self.report.review += 1
        self.report.note("review", c.line, REVIEW_TEXT)

    # -- the search document -------------------------------------------------------------

    def _doc(self, p: Prepared, firm: tuple | None) -> str:
        """The search document `search.index_text(search.contact_fields(...))` makes, word for
        word: the row's words made ready (prepared.py) around its company's (`firm`: name, CVR
        and address, as MiniCRM has them), those once per distinct company."""
        before, between, after = p.words
        if not firm:
            return before + between + after
        head, tail = self._firm_words(firm)
        return before + head + between + tail + after

    def _firm_of(self, c: Candidate, company: int | None) -> tuple | None:
        """The company whose words go in the row's document: MiniCRM's, else the row's own."""
        if company is not None and company in self.companies.index:
            return self.companies.index[company]
        if c.company_name or c.company_cvr:  # created from the row's values
            return self.companies.values_of(c)
        return None

    def _firm_words(self, firm: tuple) -> tuple[str, str]:
        """(name and CVR, address) words of a company, once per distinct company."""
        done = self.firm_cache.get(firm)
        if done is None:
            if len(self.firm_cache) >= 50_000:
                self.firm_cache.clear()
            fold = self.prepare.fold
            head = (fold(firm[0]) if firm[0] else "") + (fold(firm[1]) if len(firm) > 1 and firm[1] else "")
            tail = "".join(fold(v) for v in firm[2:6] if v) if len(firm) > 2 else ""
            done = self.firm_cache[firm] = (head, tail)
        return done
