"""Acting on several contacts at once: tag, reassign, archive or unarchive them.

Each call is ONE BEGIN IMMEDIATE transaction over every contact named: all of
them change or none does.  Every contact must be in the actor's scope (a row
outside it does not exist for them: the whole call is refused with NotFound and
an access.denied audit row); a restricted contact (Art. 18) may not be tagged
or reassigned, and refuses the whole call the same way.  Each contact gets its
version bumped, a change-feed row and its own audit row (the same actions a
single edit writes, with `bulk` = how many were changed together), so a
contact's history and `audit verify` read them like any other edit.

(store/bulk.py is the import's bulk writer; this module is the list's bulk actions.)
"""
from __future__ import annotations

from collections.abc import Iterable

from . import audit, changes, search
from .contacts import _clean, _screen, _tag_names, _tags_of
from .db import database, tuples
from .errors import Invalid, StoreError
from .models import Contact, ContactTag, Tag, User, utcnow
from .scope import Scope
from .screening import flag

OWNER_ROLES = ("admin", "manager", "sales")  # as store/staff.owner_choices offers
MAX_CONTACTS = 1000  # one short transaction: about 1 ms a contact (bench/bench_lists.py)


def _visible(scope: Scope, contact_ids: Iterable[int], *, editable: bool) -> list[int]:
    """The ids, each checked to be in scope (NotFound for the first that is not)."""
    ids = sorted({int(i) for i in contact_ids})
    if not ids:
        raise Invalid("contacts", "none chosen")
    if len(ids) > MAX_CONTACTS:
        raise Invalid("contacts", f"at most {MAX_CONTACTS} at once ({len(ids)} chosen)")
    rows = dict(tuples(scope.contacts().select(Contact.id, Contact.restricted_at).where(Contact.id.in_(ids))))
    for cid in ids:
        if cid not in rows:
            scope.contact(cid)  # raises NotFound, auditing the refusal
        if editable and rows[cid] is not None:
            raise StoreError(f"contact {cid} is restricted (Art. 18): it may not be edited")
    return ids


def add_tags(scope: Scope, contact_ids: Iterable[int], tags: Iterable[str], *,
             allow_special: bool = False) -> int:
    """Add `tags` to each contact (their other tags stay); returns how many contacts changed."""
    scope.require("contact.edit")
    names = _tag_names(tags)
    if not names:
        raise Invalid("tag", "is required")
    ids = _visible(scope, contact_ids, editable=True)
    found = _screen({}, names, allow_special)  # a CPR number is refused before anything is written
    with scope.transaction():
        ids = _visible(scope, ids, editable=True)
        have = _tags_of(ids)
        tag_ids = []
        for name in names:
            tag, _ = Tag.get_or_create(name=name)
            tag_ids.append(tag.id)
        changed = [cid for cid in ids if set(names) - set(have.get(cid, ()))]
        if changed:
            ContactTag.insert_many([(cid, tid) for cid in changed for tid in tag_ids],
                                   fields=[ContactTag.contact, ContactTag.tag]).on_conflict_ignore().execute()
            _bump(changed)
            search.index_contacts(database, changed)
            changes.record_many("contact", changed, "update", session_id=scope.session_id)
        for cid in changed:
            audit.record(scope.user_id, "contact.tags", "contact", cid,
                         count=len(set(have.get(cid, ())) | set(names)), bulk=len(changed))
            flag(scope, "contact", cid, found)
    return len(changed)


def reassign(scope: Scope, contact_ids: Iterable[int], owner_id: int) -> int:
    """Give each contact to `owner_id` (an active user); returns how many changed owner."""
    scope.require("contact.reassign")
    clean = _clean(scope, {"owner_id": owner_id})
    if not User.select().where((User.id == owner_id) & User.role.in_(OWNER_ROLES)).exists():
        raise Invalid("owner", "is not a role that owns contacts (admin, manager, sales)")
    ids = _visible(scope, contact_ids, editable=True)
    with scope.transaction():
        ids = _visible(scope, ids, editable=True)
        owners = dict(tuples(Contact.select(Contact.id, Contact.owner).where(Contact.id.in_(ids))))
        changed = [cid for cid in ids if owners[cid] != clean["owner_id"]]
        if changed:
            Contact.update(owner=clean["owner_id"], version=Contact.version + 1, updated_at=utcnow(),
                           last_activity_at=utcnow()).where(Contact.id.in_(changed)).execute()
            changes.record_many("contact", changed, "update", session_id=scope.session_id)
        for cid in changed:
            audit.record(scope.user_id, "contact.edit", "contact", cid, fields=["owner_id"], bulk=len(changed))
    return len(changed)


def set_archived(scope: Scope, contact_ids: Iterable[int], archived: bool = True) -> int:
    """Archive (or unarchive) each contact; returns how many changed."""
    scope.require("contact.archive")
    ids = _visible(scope, contact_ids, editable=False)
    with scope.transaction():
        ids = _visible(scope, ids, editable=False)
        state = dict(tuples(Contact.select(Contact.id, Contact.archived_at).where(Contact.id.in_(ids))))
        changed = [cid for cid in ids if (state[cid] is not None) != archived]
        if changed:
            Contact.update(archived_at=utcnow() if archived else None, version=Contact.version + 1,
                           updated_at=utcnow()).where(Contact.id.in_(changed)).execute()
            changes.record_many("contact", changed, "update", session_id=scope.session_id)
        for cid in changed:
            audit.record(scope.user_id, "contact.archive" if archived else "contact.unarchive",
                         "contact", cid, bulk=len(changed))
    return len(changed)


def _bump(ids: list[int]) -> None:
    Contact.update(version=Contact.version + 1, updated_at=utcnow()).where(Contact.id.in_(ids)).execute()
