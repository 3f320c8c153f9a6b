"""Follow-ups: the next action with a date on a contact, or on one of the contact's deals.

A follow-up is owned by a user: by default whoever adds it; admin and manager may give it
to someone else (`followup.assign`), and only to a user who sees the contact.  Who sees a
follow-up is the contact's visibility (store/scope.py `follow_ups()`): a seller sees those
on their own contacts, managers and admins all.  The home screen's "today" list is the
owner's open follow-ups due today or earlier, overdue ones first; a restricted person's
(Art. 18) are not put forward there, and they get no new ones.

The short text is screened like a note (store/screening.py): a CPR number is refused,
a special-category term needs "save anyway" and flags the follow-up.

Follow-ups point at the contact by `contact_id` (and at a deal by `deal_id`): they go
with the person on erasure (rights/erasure.py), are part of the person's own copy
(rights/export.py), and move with them when two contacts are merged
(`move_follow_ups`, inside the merge's transaction).
"""
from __future__ import annotations

import datetime as dt

from peewee import JOIN

from . import audit, changes, screening, validate
from .db import database, tuples
from .errors import Conflict, Invalid, Restricted
from .models import Contact, Deal, FollowUp, User, utcnow
from .scope import Scope, role_permissions
from .views import FollowUpView

MAX_LENGTH = 200
TODAY_LIMIT = 50


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _views(query, *, unrestricted_only: bool = False) -> list[FollowUpView]:
    query = (query.select(
        FollowUp.id, FollowUp.contact, Contact.first_name, Contact.last_name, FollowUp.deal, Deal.title,
        FollowUp.body, FollowUp.due_on, FollowUp.done_at, FollowUp.owner, FollowUp.version)
        .join(Contact, on=(FollowUp.contact == Contact.id))
        .switch(FollowUp).join(Deal, JOIN.LEFT_OUTER, on=(FollowUp.deal == Deal.id)))
    if unrestricted_only:  # on the joined row: a subquery over every contact costs a scan
        query = query.where(Contact.restricted_at.is_null())
    rows = list(tuples(query))
    names = dict(tuples(User.select(User.id, User.username))) if rows else {}
    return [FollowUpView(id=fid, contact_id=cid, contact_name=f"{first} {last}".strip(), deal_id=did,
                         deal_title=title or "", body=body, due_on=_as_date(due), done_at=done,
                         owner_id=owner, owner=names.get(owner, ""), version=version)
            for fid, cid, first, last, did, title, body, due, done, owner, version in rows]


def follow_ups_of(scope: Scope, contact_id: int) -> list[FollowUpView]:
    """The contact's follow-ups: open ones by due date, then done ones, latest done first."""
    scope.require("followup.read")
    scope.contact(contact_id)  # someone else's contact is refused (and audited), not shown empty
    q = scope.follow_ups().where(FollowUp.contact == contact_id).order_by(
        FollowUp.done_at.is_null(False), FollowUp.due_on, FollowUp.done_at.desc(), FollowUp.id)
    return _views(q)


def due_follow_ups(scope: Scope, *, owner_id: int | None = None, today: dt.date | None = None,
                   limit: int = TODAY_LIMIT) -> list[FollowUpView]:
    """The "today" list: open follow-ups of `owner_id` (default: this user) due today or
    before, overdue ones first (oldest first), then today's."""
    scope.require("followup.read")
    day = today or dt.date.today()
    owner = scope.user_id if owner_id is None else owner_id
    q = (scope.follow_ups()
         .where((FollowUp.owner == owner) & FollowUp.done_at.is_null() & (FollowUp.due_on <= day))
         .order_by(FollowUp.due_on, FollowUp.id).limit(limit))
    return _views(q, unrestricted_only=True)


def _owner(scope: Scope, contact: Contact, owner_id: int | None) -> int | None:
    """Who will own it: this user, or (assigning) an active user who sees the contact."""
    if owner_id is None or owner_id == scope.user_id:
        return scope.user_id
    scope.require("followup.assign")
    user = User.get_or_none((User.id == owner_id) & User.revoked_at.is_null())
    if user is None:
        raise Invalid("owner", "is not an active user")
    if "followup.read" not in role_permissions(user.role) or (
            user.role == "sales" and contact.owner_id != user.id):
        raise Invalid("owner", "does not see this contact")
    return user.id


def add_follow_up(scope: Scope, contact_id: int, *, body: str, due_on, deal_id: int | None = None,
                  owner_id: int | None = None, allow_special: bool = False) -> int:
    """Add a follow-up to the contact (and one of its deals); returns its id."""
    scope.require("followup.write")
    body = validate.text("follow_up", body, max_length=MAX_LENGTH, required=True)
    found = screening.screen_all({"follow_up": body}, allow_special=allow_special)
    try:
        due = _as_date(due_on)
    except (TypeError, ValueError):
        raise Invalid("due_on", "is not a date (yyyy-mm-dd)") from None
    scope.contact(contact_id)  # outside the transaction, so an access.denied row is not rolled back
    with scope.transaction():
        contact = scope.contact(contact_id)
        if contact.restricted_at is not None:
            raise Restricted(contact.id, "given new follow-ups")
        if deal_id is not None:
            deal = scope.deal(deal_id)
            if deal.contact_id != contact.id:
                raise Invalid("deal", "is not a deal of this contact")
        owner = _owner(scope, contact, owner_id)
        row = FollowUp.create(contact=contact.id, deal=deal_id, owner=owner, created_by=scope.user_id,
                              due_on=due, body=body)
        Contact.update(last_activity_at=utcnow()).where(Contact.id == contact.id).execute()
        changes.record("follow_up", row.id, "insert", session_id=scope.session_id)
        changes.record("contact", contact.id, "update", session_id=scope.session_id)
        audit.record(scope.user_id, "followup.add", "follow_up", row.id, contact=contact.id,
                     deal=deal_id, owner=owner)
        screening.flag(scope, "follow_up", row.id, found)
    return row.id


def set_done(scope: Scope, follow_up_id: int, version: int, done: bool = True) -> FollowUpView:
    """Mark the follow-up done (or open again) as read at `version`; returns it as saved."""
    scope.require("followup.write")
    scope.follow_up(follow_up_id)
    with scope.transaction():
        current = scope.follow_up(follow_up_id)
        if current.version != version:
            raise Conflict("follow-up", follow_up_id)
        if (current.done_at is not None) != done:
            FollowUp.update(done_at=utcnow() if done else None, version=FollowUp.version + 1).where(
                FollowUp.id == follow_up_id).execute()
            changes.record("follow_up", follow_up_id, "update", session_id=scope.session_id)
            changes.record("contact", current.contact_id, "update", session_id=scope.session_id)
            audit.record(scope.user_id, "followup.done" if done else "followup.undone", "follow_up",
                         follow_up_id, contact=current.contact_id)
        return _views(scope.follow_ups().where(FollowUp.id == follow_up_id))[0]


def move_follow_ups(from_contact_id: int, to_contact_id: int) -> int:
    """Inside a merge's transaction: every follow-up of one contact now belongs to the other
    (one UPDATE; deal links are kept, the deals move with the merge).  Returns how many moved.

    Call it before the merged-away contact is deleted: `follow_up.contact_id` cascades, so
    deleting that contact first would delete its follow-ups with it."""
    assert database.in_transaction(), "move_follow_ups runs inside the merge's transaction"
    ids = [i for (i,) in tuples(FollowUp.select(FollowUp.id).where(FollowUp.contact == from_contact_id))]
    if ids:
        FollowUp.update(contact=to_contact_id, version=FollowUp.version + 1).where(
            FollowUp.contact == from_contact_id).execute()
        changes.record_many("follow_up", ids, "update")
    return len(ids)


def hand_over(from_user_id: int, to_user_id: int) -> int:
    """Inside a revocation's transaction: the revoked user's open follow-ups go to their heir
    with their contacts (store/auth/administration.py).  Returns how many."""
    assert database.in_transaction(), "hand_over runs inside the revocation's transaction"
    open_ones = (FollowUp.owner == from_user_id) & FollowUp.done_at.is_null()
    ids = [i for (i,) in tuples(FollowUp.select(FollowUp.id).where(open_ones))]
    if ids:
        FollowUp.update(owner=to_user_id, version=FollowUp.version + 1).where(open_ones).execute()
        changes.record_many("follow_up", ids, "update")
    return len(ids)


__all__ = ["follow_ups_of", "due_follow_ups", "add_follow_up", "set_done", "move_follow_ups", "hand_over"]
