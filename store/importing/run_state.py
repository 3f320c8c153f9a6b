"""The state one import run carries from chunk to chunk (store/importing/run.py), and
what its stages share: the plan of a chunk (planner.py) that the writer (writer.py)
carries out, how a row the importing role may not know about is told so, and the
search document of a new contact.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import search
from ..models import User
from ..scope import Scope
from . import matching
from .model import Candidate
from .report import REVIEW_TEXT, ImportReport

# Contact fields an "update" import may change (company: the company link).
UPDATABLE = ("first_name", "last_name", "title", "email", "phone", "company", "lifecycle",
             "address", "postcode", "city", "country")
ADDRESS = (("address", 200), ("postcode", 20), ("city", 100), ("country", 100))  # as stored, max length
# Roles that see every contact: they may be told which contact a row meets, or that a
# person was erased.  Anyone else learns only REVIEW_TEXT about such a row.
SEES_EVERYONE = ("admin", "manager")


@dataclass
class New:
    """A contact to insert, made ready outside the lock."""
    c: Candidate
    values: tuple  # first, last, title, email, phone, owner id, lifecycle, address, postcode, city, country,
    # and the e-mail's and phone's labels
    company: int | None  # the company's id when MiniCRM knows it (else created under the lock)
    index: str  # the search document (search.index_text)
    tags: list[str]
    # kept apart from a contact it shares only an e-mail or a phone with: (that contact's id, or
    # the row of this file it repeats, "email" | "phone"), for the review list
    duplicate_of: tuple | None = None


@dataclass
class Plan:
    fresh: list[New] = field(default_factory=list)
    fills: list[tuple[int, Candidate]] = field(default_factory=list)  # repeats of this batch's contacts
    updates: list[tuple[int, Candidate, str]] = field(default_factory=list)  # (contact id, row, matched by)
    version: int = 0  # PRAGMA data_version when the look-ups were made


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
        self.fold_cache: dict[str, str] = {}
        self.part_cache: dict[tuple, str] = {}  # an address's words
        self.line_cache: dict[str, str] = {}  # a name's or title's stored line (planner._ready)
        self.address_cache: dict[tuple, tuple] = {}  # an address as stored (planner._ready)
        self.firm_cache: dict[tuple, tuple[str, str]] = {}  # a company's words (run_state._firm_words)
        # candidates in the next chunk: smaller while the machine is slow (run.Run.chunk)
        self.size = self.max_size = chunk
        self.min_size = min_chunk

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

    def _fold(self, text: str) -> str:
        """search.value_words(text), once per distinct value (names and firms repeat)."""
        done = self.fold_cache.get(text)
        if done is None:
            if len(self.fold_cache) >= 50_000:
                self.fold_cache.clear()
            done = self.fold_cache[text] = search.value_words(text)
        return done

    def _index_row(self, first: str, last: str, title: str, c: Candidate, company: int | None,
                   tags: list[str], address: tuple) -> str:
        """The search document `search.index_text(search.contact_fields(...))` makes, word for
        word, built from parts: the company's and the address's words once per distinct one
        (firms and towns repeat), the e-mails and phones (one a row) without a cache."""
        firm: tuple | None
        if company is not None and company in self.companies.index:
            firm = self.companies.index[company]
        elif c.company_name or c.company_cvr:  # created from the row's values
            firm = self.companies.values_of(c)
        else:
            firm = None
        fold = self._fold
        name = f"{first or ''} {last or ''}".strip()
        parts = [fold(name) if name else "", fold(title) if title else ""]
        head, tail = self._firm_words(firm) if firm else ("", "")
        parts.append(head)
        if c.email:
            parts.append(search.value_words(c.email))
        parts += [search.value_words(v) for v in c.extra_emails if v]
        if c.phone:
            parts.append(search.phone_words(c.phone))
        parts += [search.phone_words(v) for v in c.extra_phones if v]
        words = self.part_cache.get(address)
        if words is None:
            if len(self.part_cache) >= 50_000:
                self.part_cache.clear()
            words = self.part_cache[address] = "".join(fold(v) for v in address[:4] if v)
        parts.append(words)
        parts.append(tail)
        parts += [fold(t) for t in tags if t]
        return "".join(parts)

    def _firm_words(self, firm: tuple) -> tuple[str, str]:
        """(name and CVR, address) words of a company, once per distinct company."""
        done = self.firm_cache.get(firm)
        if done is None:
            if len(self.firm_cache) >= 50_000:
                self.firm_cache.clear()
            fold = self._fold
            head = (fold(firm[0]) if firm[0] else "") + (fold(firm[1]) if len(firm) > 1 and firm[1] else "")
            tail = "".join(fold(v) for v in firm[2:6] if v) if len(firm) > 2 else ""
            done = self.firm_cache[firm] = (head, tail)
        return done
