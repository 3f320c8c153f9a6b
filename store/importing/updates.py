"""What an import does to contacts already in MiniCRM: an "update" import changes the
fields that differ (each change listed, and kept for undo in import_change) and adds
the e-mails and phones a contact lacks; a repeat of a contact this batch inserted in an
earlier chunk fills its empty fields.  The other e-mails and phones of new contacts go
through `_points` too (one executemany per kind).
"""
from __future__ import annotations

import json

from .. import contact_details
from ..db import database
from ..models import utcnow
from ..processing import LIFECYCLES
from ..text import stored_line
from .model import Candidate
from .report import MAX_CHANGES, FieldChange
from .run_state import ADDRESS, UPDATABLE, RunState


class Updater(RunState):
    """Changes to existing contacts (inside the chunk's write transaction, or counted for a dry run)."""

    def _updates(self, items: list[tuple[int, Candidate, str]], *, write: bool) -> list[int]:
        """Update existing contacts with what differs (their current values, read under the
        lock for a write); returns the contacts updated."""
        r = self.report
        ids = sorted({cid for cid, _, _ in items})
        cols = ("id", "first_name", "last_name", "title", "email", "phone", "company_id", "lifecycle",
                "address", "postcode", "city", "country", "version", "restricted_at")
        current: dict[int, dict] = {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            for row in database.execute_sql(f"SELECT {', '.join(cols)} FROM contact WHERE id IN "
                                            f"({','.join('?' * len(part))})", part):
                current[row[0]] = dict(zip(cols, row, strict=True))
        points = {cid: {k: {p.value for p in v} for k, v in kinds.items()}
                  for cid, kinds in contact_details.points_of(database, ids).items()}
        done: list[int] = []
        changes_rows = []
        extra: list[tuple[int, Candidate]] = []  # contacts written: their other e-mails and phones follow
        promoted: dict[str, list[tuple[int, str]]] = {"emails": [], "phones": []}  # new primaries
        for contact_id, c, how in items:
            contact = current.get(contact_id)
            if contact_id in done:
                r.duplicates += 1
                r.merged += 1
                r.note("duplicate", c.line, f"repeats contact {contact_id} from earlier in the file "
                                            f"(same {how}): merged")
                continue
            if contact is None:  # gone since the look-up (erased, merged)
                self._review(c)
                continue
            if contact["restricted_at"] is not None:
                r.duplicates += 1
                r.note("duplicate", c.line, f"contact {contact_id} is restricted (Art. 18): not changed")
                continue
            lifecycle = c.lifecycle.strip().lower() if c.lifecycle else None
            new: dict[str, object] = {
                "first_name": stored_line(c.first_name, 100), "last_name": stored_line(c.last_name, 100),
                "title": stored_line(c.title, 100), "email": c.email, "phone": c.phone,
                "lifecycle": lifecycle if lifecycle in LIFECYCLES else None,
                **{name: stored_line(getattr(c, name), n) for name, n in ADDRESS}}
            # an e-mail or phone the contact already has is no change to its primary: it is added
            have = points.get(contact_id, {})
            if c.email in have.get("emails", ()):
                new["email"] = None
            if c.phone in have.get("phones", ()):
                new["phone"] = None
            added = {kind: [v for v, _ in values(c) if v not in have.get(kind, ())]
                     for kind, values in (("emails", Candidate.emails), ("phones", Candidate.phones))}
            for kind, single in (("emails", "email"), ("phones", "phone")):
                if new[single]:  # the new primary replaces the old: not an addition
                    added[kind] = [v for v in added[kind] if v != new[single]]
            has_company = bool(c.company_name or c.company_cvr)
            new["company"] = self.companies.id_of(c, create=False) if has_company else None
            old = {k: contact["company_id" if k == "company" else k] for k in UPDATABLE}
            diff = {k: v for k, v in new.items() if v and v != old[k]}
            if has_company and new["company"] is None:  # a company MiniCRM does not know yet
                diff["company"] = "new"
            for kind in ("emails", "phones"):
                if added[kind]:
                    diff[kind] = added[kind]
            if not diff:
                r.duplicates += 1
                r.note("duplicate", c.line, f"already in MiniCRM as contact {contact_id}, nothing new: skipped")
                continue
            if diff.get("company") == "new":
                diff["company"] = self.companies.id_of(c)  # created now (a dry run: a stand-in id)
            r.updated += 1
            done.append(contact_id)
            for k, v in diff.items():
                r.changes_total += 1
                if len(r.changes) < MAX_CHANGES:
                    shown_old, shown_new = old.get(k), v
                    if k == "company":
                        shown_old = self.companies.name_of(old[k])
                        shown_new = self.companies.name_of(v if isinstance(v, int) else None)
                    elif k in ("emails", "phones"):
                        shown_old, shown_new = "", " ".join(v) if isinstance(v, list) else str(v)
                    r.changes.append(FieldChange(contact_id, c.line, k, str(shown_old or ""), str(shown_new)))
            if write:
                columns = {("company_id" if k == "company" else k): v for k, v in diff.items()
                           if k not in ("emails", "phones")}
                sets = "".join(f"{k} = ?, " for k in columns)
                database.execute_sql(f"UPDATE contact SET {sets}version = version + 1, updated_at = ? WHERE id = ?",
                                     [*columns.values(), utcnow().isoformat(sep=" "), contact_id])
                for kind, single in (("emails", "email"), ("phones", "phone")):
                    if single in columns:  # the new primary replaces the old one, and is no "other" one
                        promoted[kind].append((contact_id, str(columns[single])))
                extra.append((contact_id, c))
                stored_old = {k: contact[k] for k in columns}
                for kind in ("emails", "phones"):  # what undo takes away again
                    if kind in diff:
                        stored_old["+" + kind] = diff[kind]
                changes_rows.append((self.batch_id, contact_id, json.dumps(stored_old, default=str),
                                     contact["version"] + 1))
        for kind, pairs in promoted.items():
            if pairs:
                table, column, single = contact_details.KINDS[kind]
                database.connection().executemany(
                    f'DELETE FROM "{table}" WHERE contact_id = ? AND "{column}" = ?', pairs)
        if extra:  # after the primaries were written: what the contacts have now is known
            for cid, c in extra:
                for kind, single in (("emails", "email"), ("phones", "phone")):
                    value = getattr(c, single)
                    if value:
                        points.setdefault(cid, {}).setdefault(kind, set()).add(value)
            self._points(extra, existing=True, have=points)
        if changes_rows:
            database.connection().executemany(
                "INSERT INTO import_change (batch_id, contact_id, old_values, version_after) VALUES (?, ?, ?, ?)",
                changes_rows)
        return done

    def _fill_blanks(self, contact_id: int, c) -> None:
        """A repeat of a contact this batch inserted in an earlier chunk: fill its empty fields."""
        lifecycle = c.lifecycle.strip().lower() if c.lifecycle else None
        values = {"first_name": stored_line(c.first_name, 100), "last_name": stored_line(c.last_name, 100),
                  "title": stored_line(c.title, 100), "email": c.email, "phone": c.phone,
                  "lifecycle": lifecycle if lifecycle in LIFECYCLES else None}
        values |= {name: stored_line(getattr(c, name), n) for name, n in ADDRESS}
        values = {k: v for k, v in values.items() if v}
        if c.company_name or c.company_cvr:
            values["company_id"] = self.companies.id_of(c)
        if not values:
            return
        sets = ", ".join(f'"{k}" = CASE WHEN "{k}" IS NULL OR "{k}" = \'\' THEN ? ELSE "{k}" END'
                         for k in values)
        database.execute_sql(f"UPDATE contact SET {sets} WHERE id = ?", [*values.values(), contact_id])


    def _points(self, items: list[tuple[int, Candidate]], *, existing: bool = False,
                have: dict[int, dict[str, set[str]]] | None = None) -> None:
        """The other e-mails and phones of these contacts (the primary ones are their own
        columns), one executemany per kind: nothing at all for a row with one of each.
        `existing`: contacts already in MiniCRM get what they lack (`have`: what they have,
        read here in one go when not given), after what they have."""
        if not any(c.extra_emails or c.extra_phones or existing for _, c in items):
            return
        if existing and have is None:
            have = {cid: {k: {p.value for p in v} for k, v in kinds.items()}
                    for cid, kinds in contact_details.points_of(database, [cid for cid, _ in items]).items()}
        for kind, values_of in (("emails", Candidate.emails), ("phones", Candidate.phones)):
            rows = []
            for cid, c in items:
                if existing:
                    known = (have or {}).get(cid, {}).get(kind, set())
                    rows += [(cid, value, label, 100 + n) for n, (value, label) in enumerate(values_of(c))
                             if value not in known]
                else:
                    rows += [(cid, value, label, n) for n, (value, label) in enumerate(values_of(c)) if n]
            contact_details.add_points(database, kind, rows)

