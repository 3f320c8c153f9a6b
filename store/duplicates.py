"""The review list of possible duplicates, for the hygiene merge screen.

An import keeps a row apart from a contact it shares only an e-mail or only a phone
with, when the names differ (store/importing/matching.py): a company switchboard or a
family landline is not one person.  The pair goes on this list; someone who sees both
decides (merge by hand, or `resolve` when they are two people).  Ids only: the screen
reads the two contacts through the same Scope as everything else.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import audit, changes
from .db import database, tuples
from .errors import StoreError
from .models import Contact, PossibleDuplicate, utcnow
from .scope import Scope

__all__ = ["Pair", "open_pairs", "resolve"]


@dataclass(frozen=True)
class Pair:
    id: int
    contact_id: int  # the contact the import kept apart
    other_id: int    # the contact it shares a value with
    shared: str      # "email" | "phone"
    import_batch_id: int | None
    found_at: dt.datetime


def open_pairs(scope: Scope, limit: int = 200) -> list[Pair]:
    """Pairs not decided yet whose two contacts this user may both see, oldest first."""
    scope.require("contact.edit")
    visible = scope.contacts().select(Contact.id)
    q = (PossibleDuplicate.select(PossibleDuplicate.id, PossibleDuplicate.contact, PossibleDuplicate.other,
                                  PossibleDuplicate.shared, PossibleDuplicate.import_batch,
                                  PossibleDuplicate.found_at)
         .where(PossibleDuplicate.resolved_at.is_null() & PossibleDuplicate.contact.in_(visible)
                & PossibleDuplicate.other.in_(visible))
         .order_by(PossibleDuplicate.id).limit(limit))
    return [Pair(*row) for row in tuples(q)]


def resolve(scope: Scope, pair_id: int) -> None:
    """Two people after all: the pair leaves the list (kept, with when, for the audit)."""
    scope.require("contact.edit")
    pair = PossibleDuplicate.get_or_none(PossibleDuplicate.id == pair_id)
    if pair is None or not all(scope.contacts().where(Contact.id == cid).exists()
                               for cid in (pair.contact_id, pair.other_id)):
        raise StoreError(f"possible duplicate {pair_id} not found")
    with database.atomic():
        PossibleDuplicate.update(resolved_at=utcnow()).where(PossibleDuplicate.id == pair_id).execute()
        changes.record("contact", pair.contact_id, "update", session_id=scope.session_id)
        audit.record(scope.user_id, "duplicate.resolve", "contact", pair.contact_id, other=pair.other_id)
