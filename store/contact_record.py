"""One contact's record as the contact screen shows it: the contact and what
hangs on it (deals, notes, follow-ups, invoices, consent, history, the owners to choose from),
each part only when the role may read it.

Read in one call, so a front end fetches it in one trip; saving the form is
`contacts.save_contact`, one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import consent, contacts, deals, followups, invoices, notes, staff
from .scope import Scope
from .views import ContactDetail


@dataclass(frozen=True)
class ContactRecord:
    detail: ContactDetail | None = None  # None: a contact not yet created
    deals: tuple = ()
    notes: tuple = ()
    follow_ups: tuple = ()
    invoices: tuple = ()
    consents: tuple = ()
    history: tuple = ()
    owners: tuple = ()


def load_record(scope: Scope, contact_id: int | None, *, audit_view: bool) -> ContactRecord:
    """`audit_view`: record that the contact was viewed (on opening it, not on each refresh)."""
    with scope.one_look():
        owners = tuple(staff.owner_choices(scope)) if scope.can("contact.reassign") else ()
        if contact_id is None:
            return ContactRecord(owners=owners)
        detail = contacts.get_contact(scope, contact_id, audit_view=audit_view)
        parts = {name: tuple(read(scope, contact_id)) if scope.can(permission) else ()
                 for name, permission, read in (
                     ("deals", "deal.read", deals.deals_of), ("notes", "note.read", notes.notes_of),
                     ("follow_ups", "followup.read", followups.follow_ups_of),
                     ("invoices", "invoice.read", invoices.invoices_of),
                     ("consents", "consent.read", consent.consents_of),
                     ("history", "audit.read", contacts.history))}
    return ContactRecord(detail=detail, owners=owners, **parts)
