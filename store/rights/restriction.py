"""Restriction of processing (GDPR Art. 18): the person is kept, not used.

A restricted contact stays in the register but is left out of mailings,
exports to third parties and edits (contacts.update_contact refuses edits by
roles other than privacy and admin), until the restriction is lifted.  The
person must be told before it is lifted (Art. 18(3)).  The ground is a code
from Art. 18(1), never free text, so the audit trail holds no personal data.
"""
from __future__ import annotations

from .. import audit, changes, validate
from ..db import StoreError, database
from ..models import Contact, utcnow
from ..scope import Scope
from .vocab import GROUNDS


def restrict_person(scope: Scope, contact_id: int, *, ground: str = "accuracy_contested") -> bool:
    """Restrict processing; returns False if the person was already restricted."""
    scope.require("person.restrict")
    validate.choice("ground", ground, tuple(GROUNDS))
    with database.atomic():
        contact = scope.contact(contact_id)
        if contact.restricted_at is not None:
            return False
        Contact.update(restricted_at=utcnow(), version=Contact.version + 1).where(
            Contact.id == contact_id).execute()
        changes.record("contact", contact_id, "update")
        audit.record(scope.user_id, "person.restrict", "contact", contact_id, ground=ground)
    return True


def lift_restriction(scope: Scope, contact_id: int) -> bool:
    """Lift the restriction (tell the person first, Art. 18(3)); False if there was none."""
    scope.require("person.restrict")
    with database.atomic():
        contact = scope.contact(contact_id)
        if contact.restricted_at is None:
            return False
        Contact.update(restricted_at=None, version=Contact.version + 1).where(
            Contact.id == contact_id).execute()
        changes.record("contact", contact_id, "update")
        audit.record(scope.user_id, "person.restrict_lift", "contact", contact_id)
    return True


def is_restricted(scope: Scope, contact_id: int) -> bool:
    return scope.contact(contact_id).restricted_at is not None


def usable(query):
    """Leave restricted contacts out of a contact query (mailings, exports to third parties)."""
    return query.where(Contact.restricted_at.is_null())


def processable_contacts(scope: Scope):
    """The scope's contacts that may be used: not restricted, not archived.

    Mailing lists and every export to a third party start here.
    """
    return usable(scope.contacts(include_archived=False))


def require_usable(scope: Scope, contact_id: int) -> Contact:
    """The contact, or a StoreError if it is restricted (for one-off uses such as sending a mail)."""
    contact = scope.contact(contact_id)
    if contact.restricted_at is not None:
        raise StoreError(f"contact {contact_id} is restricted (Art. 18): it may not be used")
    return contact


__all__ = ["GROUNDS", "restrict_person", "lift_restriction", "is_restricted", "usable",
           "processable_contacts", "require_usable"]
