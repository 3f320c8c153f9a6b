"""The plan of one chunk of an import, made outside any write lock: each candidate
classified (invalid, suppressed, duplicate, possible duplicate, review, new) against
the committed state, and the new ones made ready to insert (their columns and search
document), so the write (writer.py) only re-checks what may have changed and inserts.
"""
from __future__ import annotations

from ..db import data_version
from . import matching
from .model import Candidate
from .run_state import New, Plan, RunState

_SPECIAL = "special-category data was not kept"  # how the reader words a record it skipped for that


class Planner(RunState):
    """Classifies and matches a chunk (reads only)."""

    def _plan(self, candidates: list[Candidate]) -> Plan:
        """Classify and match a chunk; make its new rows ready.  Reads only."""
        r = self.report
        plan = Plan(version=data_version(), batch_id=self.batch_id)
        self.companies.forget_if_full()
        self._skipped_records()
        keep = []
        for c in candidates:
            r.rows += 1
            if c.flags:
                r.flagged += 1
                for flag in c.flags:
                    r.note("flagged", flag.line, f"column {flag.column!r}: special-category data "
                                                 f"({flag.kind}) found; the value was not imported")
            if c.errors:
                r.warnings += 1
                for issue in c.errors:  # a rejected value is already left out; the rest is usable
                    r.note("warning", issue.line, _issue_text(issue))
            if not (c.first_name or c.last_name or c.email or c.phone):
                r.invalid += 1
                r.note("invalid", c.line, "no person to file: no name, e-mail or phone")
                continue
            if self.lawful_basis == "consent" and not c.consent:
                r.invalid += 1
                r.note("invalid", c.line, "lawful basis 'consent' but the row carries no consent evidence")
                continue
            if self.ledger_mark[0] and matching.is_erased(self.erased, c):  # an empty ledger: nobody erased
                self._suppressed(c)
                continue
            keep.append(c)
        if not keep:
            return plan
        self.companies.warm(keep)
        by_email, by_phone = matching.existing_by_contact_points(keep)
        by_name = matching.existing_by_names(keep, self.companies)
        matched = {cid for cid, _ in (*by_email.values(), *by_phone.values(), *by_name.values())}
        visible = matched if self.sees_everyone else matching.visible_ids(self.scope, matched)
        names = matching.names_of(cid for cid, _ in (*by_email.values(), *by_phone.values())) \
            if by_email or by_phone else {}
        kept_apart: dict[int, tuple] = {}  # id(candidate) -> duplicate_of
        updated_before = set(self.updated_here)
        if self.policy == "update" and self.batch_id is not None:
            updated_before |= matching.updated_in_batch(self.batch_id, matched)
        seen: dict[str, Candidate] = {}  # key -> first candidate in this chunk
        fresh: list[Candidate] = []
        for c in keep:
            match, how, kinds = matching.find(c, by_email, by_phone) if by_email or by_phone else (None, "", 0)
            if match is None and by_name:
                key = matching.name_key(c, self.companies)
                if key in by_name:
                    match, how = by_name[key], "name and company"
            if match is not None and match[0] in visible and matching.apart(c, kinds, names.get(match[0])):
                kept_apart[id(c)] = (match[0], "email" if how == "e-mail" else "phone")
                match = None
            if match is not None:
                contact_id, batch_id = match
                if contact_id not in visible:  # not this role's to see: not even that it exists
                    self._review(c)
                elif (self.batch_id is not None and batch_id == self.batch_id) or contact_id in updated_before:
                    r.duplicates += 1
                    r.merged += 1
                    r.note("duplicate", c.line, f"repeats contact {contact_id} from earlier in the file "
                                                f"(same {how}): merged")
                    if batch_id == self.batch_id:
                        plan.fills.append((contact_id, c))
                elif self.policy == "skip":
                    r.duplicates += 1
                    r.note("duplicate", c.line, f"already in MiniCRM as contact {contact_id} (same {how}): skipped")
                else:
                    plan.updates.append((contact_id, c, how))
                continue
            keys = c.prepared.keys if c.prepared is not None else matching.keys_in_file(c)
            first = None if seen.keys().isdisjoint(keys) else next((seen[k] for k in keys if k in seen), None)
            if first is not None and id(c) not in kept_apart and matching.apart_in_file(first, c):
                kept_apart[id(c)] = (first, "email" if any(k.startswith("e:") and k in seen for k in keys)
                                     else "phone")
                first = None
            if first is not None:  # the same person twice in this chunk: merge into the first
                r.duplicates += 1
                r.merged += 1
                r.note("duplicate", c.line, f"repeats line {first.line} of the file: merged")
                matching.merge_repeat(first, c)
                first.prepared = None  # its values changed: made ready again (_ready)
                for k in matching.keys_in_file(first):
                    seen.setdefault(k, first)
                continue
            if self.dry_run:  # nothing is written, so an earlier chunk's rows are not in the database
                hit = next((self.in_file[h] for h in map(hash, keys) if h in self.in_file), None)
                # only initials are kept per row (a preview of a big file stays small): another
                # initial is another person, as the import itself would decide (matching.apart_in_file)
                if hit is not None and matching.initials_differ(matching.initials(c), hit[1]):
                    kept_apart[id(c)] = (None, "email" if c.email or c.extra_emails else "phone")
                elif hit is not None:
                    r.duplicates += 1
                    r.merged += 1
                    r.note("duplicate", c.line, f"repeats line {hit[0]} of the file: merged")
                    continue
            for k in keys:
                seen.setdefault(k, c)
            fresh.append(c)
        if self.dry_run:
            for c in fresh:
                for k in matching.keys_in_file(c):
                    self.in_file.setdefault(hash(k), (c.line, matching.initials(c)))
        plan.fresh = self._ready(fresh, kept_apart) if fresh else []
        return plan


    def _skipped_records(self) -> None:
        """Records the reader gave no candidate for (their reasons come from the reader)."""
        s, r = self.summary, self.report
        new = s.skipped_count - self.skipped_seen
        if not new:
            return
        start = self.skipped_seen
        self.skipped_seen = s.skipped_count
        r.rows += new
        r.invalid += new
        for issue in s.skipped[start:start + new]:
            r.note("invalid", issue.line, issue.message)
            if _SPECIAL in issue.message:
                r.flagged += 1


    def _ready(self, fresh: list[Candidate], kept_apart: dict[int, tuple]) -> list[New]:
        """The new contacts' rows and search documents: what the reading process made ready
        (prepared.py), with what only this process knows (company, owner, import batch).
        One loop over the chunk, its look-ups bound once: it runs for every row."""
        out = []
        source, batch_id, basis, owner_id = self.source, self.batch_id, self.lawful_basis, self.owner_id
        companies, prepare, firm_words, note = self.companies, self.prepare, self._firm_words, self.report.note
        index = companies.index
        for c in fresh:
            p = c.prepared
            if p is None:  # read in this process, or a repeat merged into it
                p = c.prepared = prepare(c)
            if p.unknown_lifecycle:
                note("warning", c.line, "unknown lifecycle stage; 'lead' was used")
            before, between, after = p.words
            if c.company_name or c.company_cvr:
                company = companies.id_of(c, create=False)
                # MiniCRM's company, or the one the lock will create from this row
                head, tail = firm_words(index[company] if company in index else companies.values_of(c))
                doc = before + head + between + tail + after
            else:
                company = None
                doc = before + between + after
            owner = self._owner_of(c) if c.owner else owner_id
            out.append(New(c, p, (*p.head, company, owner, p.lifecycle, source, batch_id, basis, *p.tail), company,
                           doc, kept_apart.get(id(c))))
        return out

    def _owner_of(self, c) -> int | None:
        if not c.owner or self.scope.role == "sales":
            return self.owner_id
        owner = self.usernames.get(c.owner.strip().lower()) or self.usernames.get(c.owner.strip())
        if owner is None:
            self.report.warnings += 1
            self.report.note("warning", c.line, "the owner column names no active user; "
                                                "the import's owner was used")
            return self.owner_id
        return owner


def _issue_text(issue) -> str:
    """An Issue without its value: column, field and reason."""
    where = f"column {issue.column!r}: " if issue.column else ""
    return f"{where}{issue.message}; the value was left out"


