"""Mailing lists: only people with a given, unwithdrawn consent for the list's
purpose, by email, who are neither restricted (Art. 18) nor archived.

A list is named after its consent purpose (processing.CONSENT_PURPOSES).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from . import audit
from .db import StoreError
from .models import Consent, Contact
from .processing import CONSENT_PURPOSES
from .scope import Scope

COLUMNS = ("email", "first_name", "last_name", "consent_given_at")


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    email: str
    first_name: str
    last_name: str
    consent_given_at: object


def recipients(scope: Scope, list_name: str) -> list[Recipient]:
    scope.require("mailing.export")
    if list_name not in CONSENT_PURPOSES:
        raise StoreError(f"unknown mailing list {list_name!r}; lists: {', '.join(CONSENT_PURPOSES)}")
    from .rights.restriction import processable_contacts

    query = (processable_contacts(scope)
             .select(Contact.id, Contact.email, Contact.first_name, Contact.last_name, Consent.given_at)
             .join(Consent, on=(Consent.contact == Contact.id))
             .where((Consent.purpose == list_name) & (Consent.channel == "email")
                    & (Consent.status == "given") & Consent.withdrawn_at.is_null()
                    & Contact.email.is_null(False))
             .order_by(Contact.id))
    return [Recipient(*row) for row in query.tuples()]


def write_list_csv(scope: Scope, list_name: str, stream) -> int:
    """Write the list as CSV (UTF-8) to a binary stream; returns the number of people."""
    from .rights.export import neutralise
    from .text import replace_unsafe

    people = recipients(scope, list_name)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for p in people:
        # the list goes to a mailing tool, not back to the person: store.text's set is replaced
        writer.writerow([neutralise(replace_unsafe(v, "\ufffd")) for v in
                         (p.email, p.first_name, p.last_name, str(p.consent_given_at))])
    stream.write(text.getvalue().encode("utf-8"))
    audit.record(scope.user_id, "mailing.export", None, None, list=list_name, rows=len(people))
    return len(people)
