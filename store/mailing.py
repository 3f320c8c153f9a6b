"""Mailing lists: only people with a given, dated, proven and unexpired consent
for the list's purpose, by email, who are neither restricted (Art. 18) nor
archived nor on the erasure ledger.  "If you cannot prove consent, do not mail."

A list is named after its consent purpose (config `consent.purposes`).  The
rule lives in `_eligible()` alone: the CSV export, the dry run and the
campaign sender (campaigns.py) all read it, and `skipped()` says why the
others are left out.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from . import audit
from .consent import repermission_before
from .consent_texts import purposes
from .db import StoreError
from .models import Consent, Contact
from .scope import Scope

COLUMNS = ("email", "first_name", "last_name", "consent_given_at", "unsubscribe_url")


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    email: str
    first_name: str
    last_name: str
    consent_given_at: object


def _list(list_name: str) -> str:
    if list_name not in purposes():
        raise StoreError(f"unknown mailing list {list_name!r}; lists: {', '.join(purposes())}")
    return list_name


def _consenting(scope: Scope, list_name: str):
    """Contacts in the scope with any consent row for the list, by e-mail."""
    return (scope.contacts()
            .select(Contact.id, Contact.email, Contact.first_name, Contact.last_name, Consent.given_at,
                    Consent.status, Consent.proof_missing, Contact.restricted_at, Contact.archived_at)
            .join(Consent, on=(Consent.contact == Contact.id))
            .where((Consent.purpose == list_name) & (Consent.channel == "email"))
            .order_by(Contact.id))


def _eligible(scope: Scope, list_name: str, now: dt.datetime | None = None):
    from .rights.restriction import processable_contacts

    return (processable_contacts(scope)
            .select(Contact.id, Contact.email, Contact.first_name, Contact.last_name, Consent.given_at)
            .join(Consent, on=(Consent.contact == Contact.id))
            .where((Consent.purpose == list_name) & (Consent.channel == "email")
                   & (Consent.status == "given") & Consent.withdrawn_at.is_null()
                   & Consent.given_at.is_null(False) & (Consent.proof_missing == False)  # noqa: E712
                   & (Consent.given_at >= repermission_before(now))
                   & Contact.email.is_null(False))
            .order_by(Contact.id))


def recipients(scope: Scope, list_name: str, now: dt.datetime | None = None) -> list[Recipient]:
    scope.require("mailing.export")
    _list(list_name)
    from .rights.ledger import erased_checker

    erased = erased_checker(normalised=True)
    return [Recipient(*row) for row in _eligible(scope, list_name, now).tuples() if not erased(email=row[1])]


def skipped(scope: Scope, list_name: str, now: dt.datetime | None = None) -> dict[str, int]:
    """Why people with a consent row for the list are not on it: reason -> count (no names)."""
    scope.require("mailing.export")
    _list(list_name)
    from .rights.ledger import erased_checker

    erased = erased_checker(normalised=True)
    due = repermission_before(now)
    out: dict[str, int] = {}
    for _id, email, _f, _l, given_at, status, proof_missing, restricted_at, archived_at in _consenting(
            scope, list_name).tuples():
        reason = ("withdrawn" if status == "withdrawn" else "pending" if status != "given"
                  else "restricted" if restricted_at else "archived" if archived_at
                  else "proof_missing" if proof_missing or given_at is None
                  else "needs_repermission" if given_at < due
                  else "no_email" if not email else "erased" if erased(email=email) else None)
        if reason:
            out[reason] = out.get(reason, 0) + 1
    return out


def write_list_csv(scope: Scope, list_name: str, stream) -> int:
    """Write the list as CSV (UTF-8) to a binary stream; returns the number of people.

    Every row carries the person's own unsubscribe link (empty until web.base_url is set).
    """
    from .rights.export import neutralise
    from .runtime import derived_key
    from .text import replace_unsafe
    from .unsubscribe import url_for

    people = recipients(scope, list_name)
    key = derived_key("unsubscribe")
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for p in people:
        # the list goes to a mailing tool, not back to the person: store.text's set is replaced
        writer.writerow([neutralise(replace_unsafe(v, "\ufffd")) for v in
                         (p.email, p.first_name, p.last_name, str(p.consent_given_at),
                          url_for(p.contact_id, key=key))])
    stream.write(text.getvalue().encode("utf-8"))
    audit.record(scope.user_id, "mailing.export", None, None, list=list_name, rows=len(people))
    return len(people)


__all__ = ["COLUMNS", "Recipient", "recipients", "skipped", "write_list_csv"]
