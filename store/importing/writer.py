"""The write of one planned chunk, inside its one short BEGIN IMMEDIATE transaction:
re-check what may have changed since the plan's look-ups (an erasure, a contact just
added with the same e-mail or phone), then the companies, the updates and fills, the
new contacts in bulk with their search documents, contact points, tags, notes,
consents and the possible-duplicate review list.  A dry run counts instead (`_simulate`).
"""
from __future__ import annotations

import datetime as dt

from .. import bulk, changes, contact_details, search
from ..db import data_version, database, tuples
from ..models import Tag, utcnow
from . import matching
from .model import Candidate
from .run_state import New, Plan
from .updates import Updater


class Writer(Updater):
    """Carries out a chunk's plan (writes only inside the caller's transaction)."""

    def _recheck(self, plan: Plan) -> None:
        """What may have changed between the look-ups and the lock: an erasure, or a contact
        someone else added with the same e-mail or phone.  Nothing committed since: nothing to do."""
        if not plan.fresh or data_version() == plan.version:
            return
        mark = matching.ledger_mark()
        if mark != self.ledger_mark:
            self.erased, self.ledger_mark = matching.erasure_checker(), mark
            gone = [n for n in plan.fresh if matching.is_erased(self.erased, n.c)]
            for n in gone:
                self._suppressed(n.c)
            plan.fresh = [n for n in plan.fresh if n not in gone]
        by_email, by_phone = matching.existing_by_contact_points([n.c for n in plan.fresh])
        if not (by_email or by_phone):
            return
        keep = []
        names = matching.names_of(cid for cid, _ in (*by_email.values(), *by_phone.values()))
        for n in plan.fresh:
            match, how, kinds = matching.find(n.c, by_email, by_phone)
            if match is not None and matching.apart(n.c, kinds, names.get(match[0])) and (
                    self.sees_everyone or match[0] in matching.visible_ids(self.scope, {match[0]})):
                n.duplicate_of = n.duplicate_of or (match[0], "email" if how == "e-mail" else "phone")
                match = None
            if match is None:
                keep.append(n)
            elif self.sees_everyone or match[0] in matching.visible_ids(self.scope, {match[0]}):
                self.report.duplicates += 1
                self.report.note("duplicate", n.c.line, f"already in MiniCRM as contact {match[0]} "
                                                        "(added while this import ran): skipped")
            else:
                self._review(n.c)
        plan.fresh = keep

    def _write(self, plan: Plan) -> None:
        # rows whose company the plan did not find (a new one, or one someone may have added since)
        with_company = [c for c in (*(n.c for n in plan.fresh if n.company is None), *(c for _, c in plan.fills))
                        if c.company_name or c.company_cvr]
        if with_company:
            self.companies.ensure(with_company)  # found again under the lock, or created
        touched: list[int] = []
        if plan.updates:
            touched += self._updates(plan.updates, write=True)
        for contact_id, c in plan.fills:
            self._fill_blanks(contact_id, c)
            touched.append(contact_id)
        if plan.fills:
            self._points(plan.fills, existing=True)
        if touched:
            search.index_contacts(database, touched)
        if plan.fresh:
            self._insert(plan)
        if touched or plan.fresh:
            changes.record("contact", 0, "bulk")

    def _simulate(self, plan: Plan) -> None:
        """A dry run's chunk: count what the write would do."""
        if plan.updates:
            self.updated_here.update(self._updates(plan.updates, write=False))
        self.report.new += len(plan.fresh)
        for n in plan.fresh:
            if n.duplicate_of is not None:
                other, shared = n.duplicate_of
                self.report.possible_duplicates += 1
                with_whom = f"contact {other}" if isinstance(other, int) else "an earlier row of the file"
                self.report.note("duplicate", n.c.line, f"would be imported as its own contact: shares only its "
                                 f"{'e-mail' if shared == 'email' else 'phone'} with {with_whom}, who has "
                                 "another name (listed for review)")


    # -- new contacts -------------------------------------------------------------------

    def _insert(self, plan: Plan) -> None:
        """The chunk's new contacts: their rows were made before the lock (planner._ready); here
        only a company created just now, or the batch written with this chunk, is filled in."""
        fresh = plan.fresh
        companies = self.companies
        for n in fresh:
            if n.company is None and (n.c.company_name or n.c.company_cvr):
                # created now, or found: someone may have added it since
                n.company = companies.id_of(n.c)
                n.row = (*n.row[:5], n.company, *n.row[6:])
                n.index = self._doc(n.p, self._firm_of(n.c, n.company))
        if plan.batch_id != self.batch_id:  # the first chunk: its batch was written with it
            for n in fresh:
                n.row = (*n.row[:9], self.batch_id, *n.row[10:])
        ids = bulk.insert_prepared([n.row for n in fresh], [n.index for n in fresh], columns=bulk.IMPORT_COLUMNS,
                                   sort_keys=True)
        self.report.new += len(ids)
        self._new_points(ids, fresh)
        if any(n.duplicate_of is not None for n in fresh):
            self._possible_duplicates(ids, fresh)
        tagged = [(i, n.p.tags) for i, n in zip(ids, fresh, strict=True) if n.p.tags]
        if tagged:
            names = sorted({t for _, ts in tagged for t in ts})
            conn = database.connection()
            conn.executemany("INSERT OR IGNORE INTO tag (name) VALUES (?)", [(t,) for t in names])
            tag_ids: dict[str, int] = {}
            for start in range(0, len(names), 500):
                tag_ids.update(tuples(Tag.select(Tag.name, Tag.id).where(Tag.name.in_(names[start:start + 500]))))
            conn.executemany("INSERT INTO contact_tag (contact_id, tag_id) VALUES (?, ?)",
                             [(i, tag_ids[t]) for i, ts in tagged for t in ts])
        now = utcnow().isoformat(sep=" ")
        author = self.scope.user_id
        notes = [(i, author, "other", n.p.note, "team", now) for i, n in zip(ids, fresh, strict=True) if n.p.note]
        if notes:
            database.connection().executemany(
                "INSERT INTO note (contact_id, author_id, category, body, visibility, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", notes)
        consents = [(i, n.c) for i, n in zip(ids, fresh, strict=True) if n.p.has_consent]
        if consents:
            self._consents(consents)

    def _new_points(self, ids: list[int], fresh: list[New]) -> None:
        """The other e-mails and phones of the new contacts, made ready with them (prepared.py)."""
        for kind, rows in (("emails", [(i, *point) for i, n in zip(ids, fresh, strict=True) for point in n.p.emails]),
                           ("phones", [(i, *point) for i, n in zip(ids, fresh, strict=True) for point in n.p.phones])):
            contact_details.add_points(database, kind, rows)


    def _possible_duplicates(self, ids: list[int], fresh: list[New]) -> None:
        """Rows kept apart from a contact they share one e-mail or phone with: on the review list."""
        by_candidate = {id(n.c): cid for cid, n in zip(ids, fresh, strict=True)}
        rows = []
        now = utcnow().isoformat(sep=" ")
        for cid, n in zip(ids, fresh, strict=True):
            if n.duplicate_of is None:
                continue
            other, shared = n.duplicate_of
            other_id = other if isinstance(other, int) else by_candidate.get(id(other))
            if other_id is None:  # a row of an earlier chunk: already in, found by its values
                other_id = self._inserted_id(other)
            if other_id is None:
                continue
            rows.append((cid, other_id, shared, self.batch_id, now))
            self.report.possible_duplicates += 1
            self.report.note("duplicate", n.c.line, f"imported as its own contact {cid}: shares only its "
                             f"{'e-mail' if shared == 'email' else 'phone'} with contact {other_id}, who has "
                             "another name (listed for review)")
        if rows:
            database.connection().executemany(
                "INSERT INTO possible_duplicate (contact_id, other_id, shared, import_batch_id, found_at) "
                "VALUES (?, ?, ?, ?, ?)", rows)

    def _inserted_id(self, c: Candidate) -> int | None:
        by_email, by_phone = matching.existing_by_contact_points([c])
        match, _how, _kinds = matching.find(c, by_email, by_phone)
        return match[0] if match is not None else None

    def _consents(self, items: list[tuple[int, Candidate]]) -> None:
        """Consent evidence from the file (Mailchimp): newsletter by e-mail, with the file's own dates;
        none at all is "proof missing" (store.consent.record_imported), never today.  One call per
        consent: the few rows that carry one go through the same rule as every other consent."""
        from ..consent import record_imported

        for contact_id, c in items:
            evidence = "; ".join(f"{k.removeprefix('consent_')}={v}" for k, v in c.consent.items())
            record_imported(contact_id, "newsletter", optin_at=_as_datetime(c.consent_optin_time),
                            confirm_at=_as_datetime(c.consent_confirm_time),
                            evidence=f"{self.file_name}, line {c.line}: {evidence}"[:900],
                            actor=self.scope.user_id)


def _as_datetime(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


