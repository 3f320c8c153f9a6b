"""Merging two contacts who are one person (Art. 5(1)(d): one record per person).

`merge_plan` shows both side by side, field by field, with what moves; `merge_contacts`
keeps the chosen value of each field on the survivor and moves the merged contact's
deals, notes, consents (with their events), invoices, tags, requests, campaign history
and follow-ups to the survivor, then
deletes the merged contact: ONE BEGIN IMMEDIATE transaction, audited (ids, field names
and counts), the search index updated in it.  The merged-away id is never handed out
again (AUTOINCREMENT, m0010): its audit rows stay its own.

Two consents for the same purpose and channel become one: the one decided last (given
or withdrawn most recently) is kept as the person's current choice, and the other's
events move under it, so the proof of both histories stays.  A restricted contact
(Art. 18: kept, not used) is never merged.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import audit, changes, screening, search
from .db import database, tuples
from .errors import Conflict, Invalid
from .models import (
    CampaignRecipient,
    Consent,
    ConsentEvent,
    Contact,
    ContactTag,
    DataSubjectRequest,
    Deal,
    ImportChange,
    Invoice,
    Note,
    utcnow,
)
from .scope import Scope

FIELDS = ("first_name", "last_name", "title", "email", "phone", "company_id", "owner_id", "lifecycle",
          "lawful_basis")
SIDES = ("survivor", "merged")


@dataclass(frozen=True)
class MergePlan:
    survivor_id: int
    merged_id: int
    versions: tuple[int, int]
    values: dict[str, tuple[object, object]]  # field -> (survivor's value, merged's value)
    differing: tuple[str, ...]                 # the fields where a choice matters
    moves: dict[str, int]                      # kind of record -> how many move to the survivor
    shown: dict[str, tuple[str, str]]          # field -> both values as a person reads them (names for ids)


def _pair(scope: Scope, survivor_id: int, merged_id: int) -> tuple[Contact, Contact]:
    scope.require("contact.edit")
    scope.require("contact.archive")
    if survivor_id == merged_id:
        raise Invalid("merged_id", "is the survivor itself: pick two different contacts")
    survivor, merged = scope.contact(survivor_id), scope.contact(merged_id)
    for c in (survivor, merged):
        if c.restricted_at is not None:
            raise Invalid("contact", f"contact {c.id} is restricted (Art. 18): it may not be merged")
    return survivor, merged


def _moves(merged_id: int) -> dict[str, int]:
    return {
        "deals": Deal.select().where(Deal.contact == merged_id).count(),
        "notes": Note.select().where(Note.contact == merged_id).count(),
        "consents": Consent.select().where(Consent.contact == merged_id).count(),
        "invoices": Invoice.select().where(Invoice.contact == merged_id).count(),
        "tags": ContactTag.select().where(ContactTag.contact == merged_id).count(),
        "requests": DataSubjectRequest.select().where(DataSubjectRequest.contact == merged_id).count(),
        "follow_ups": _count_follow_ups(merged_id),
    }


def merge_plan(scope: Scope, survivor_id: int, merged_id: int) -> MergePlan:
    survivor, merged = _pair(scope, survivor_id, merged_id)
    values = {f: (getattr(survivor, f), getattr(merged, f)) for f in FIELDS}
    differing = tuple(f for f, (a, b) in values.items() if a != b)
    return MergePlan(survivor.id, merged.id, (survivor.version, merged.version), values, differing,
                     _moves(merged.id), {f: (_shown(f, a), _shown(f, b)) for f, (a, b) in values.items()})


def _shown(field: str, value) -> str:
    from .models import Company, User

    if value is None:
        return ""
    if field == "company_id":
        company = Company.get_or_none(Company.id == value)
        return company.name if company else str(value)
    if field == "owner_id":
        user = User.get_or_none(User.id == value)
        return user.username if user else str(value)
    return str(value)


def merge_contacts(scope: Scope, survivor_id: int, merged_id: int, choices: dict[str, str] | None = None, *,
                   versions: tuple[int, int] | None = None) -> int:
    """Merge `merged_id` into `survivor_id`; `choices` maps a field to "survivor" or "merged"
    (default: the survivor's value).  `versions`, as the plan showed them, refuses a merge
    of records changed since (Conflict).  Returns the survivor's new version."""
    choices = dict(choices or {})
    for field, side in choices.items():
        if field not in FIELDS:
            raise Invalid(field, "is not a field a merge chooses")
        if side not in SIDES:
            raise Invalid(field, f"choose 'survivor' or 'merged', not {side!r}")
    _pair(scope, survivor_id, merged_id)  # outside the transaction: a refusal's audit row is kept
    with scope.transaction():
        survivor, merged = _pair(scope, survivor_id, merged_id)
        if versions is not None and versions != (survivor.version, merged.version):
            raise Conflict("contact", survivor_id if survivor.version != versions[0] else merged_id)
        taken = sorted(f for f, side in choices.items() if side == "merged"
                       and getattr(merged, f) != getattr(survivor, f))
        moved = _moves(merged_id)
        updates = {getattr(Contact, f): getattr(merged, f) for f in taken}
        if survivor.archived_at is None or merged.archived_at is None:
            archived = None  # one of them is still in daily use: so is the person
        else:
            archived = max(survivor.archived_at, merged.archived_at)
        updates.update({
            Contact.version: Contact.version + 1, Contact.updated_at: utcnow(), Contact.archived_at: archived,
            Contact.created_at: min(survivor.created_at, merged.created_at),
            Contact.last_activity_at: max(survivor.last_activity_at, merged.last_activity_at),
        })
        consents = _merge_consents(survivor_id, merged_id)
        deals = [d for (d,) in tuples(Deal.select(Deal.id).where(Deal.contact == merged_id))]
        invoices = [i for (i,) in tuples(Invoice.select(Invoice.id).where(Invoice.contact == merged_id))]
        requests = [r for (r,) in tuples(DataSubjectRequest.select(DataSubjectRequest.id)
                                         .where(DataSubjectRequest.contact == merged_id))]
        Deal.update(contact=survivor_id).where(Deal.contact == merged_id).execute()
        Note.update(contact=survivor_id).where(Note.contact == merged_id).execute()
        Invoice.update(contact=survivor_id).where(Invoice.contact == merged_id).execute()
        DataSubjectRequest.update(contact=survivor_id).where(DataSubjectRequest.contact == merged_id).execute()
        _move_unique(ContactTag, ContactTag.tag, survivor_id, merged_id)
        _move_unique(CampaignRecipient, CampaignRecipient.campaign, survivor_id, merged_id)
        ImportChange.delete().where(ImportChange.contact == merged_id).execute()  # undo cannot revive it
        _move_follow_ups(survivor_id, merged_id)
        _move_contact_points(survivor_id, merged_id, {f: getattr(merged if f in taken else survivor, f)
                                                      for f in ("email", "phone")})
        search.forget(database, [merged_id])
        Contact.delete().where(Contact.id == merged_id).execute()
        Contact.update(updates).where(Contact.id == survivor_id).execute()
        search.index_contacts(database, [survivor_id])
        found = screening.screen_all({"title": merged.title} if "title" in taken else {},
                                     allow_special=True)
        screening.flag(scope, "contact", survivor_id, found)  # a flagged title keeps its flag
        changes.record("contact", merged_id, "delete", session_id=scope.session_id)
        changes.record("contact", survivor_id, "update", session_id=scope.session_id)
        changes.record_many("deal", deals, "update", session_id=scope.session_id)
        changes.record_many("invoice", invoices, "update", session_id=scope.session_id)
        changes.record_many("request", requests, "update", session_id=scope.session_id)
        if moved["consents"]:
            changes.record("consent", 0, "bulk", session_id=scope.session_id)
        audit.record(scope.user_id, "contact.merge", "contact", survivor_id, merged_id=merged_id,
                     fields_taken=taken, moved=moved, consents_joined=consents)
        return survivor.version + 1


def _merge_consents(survivor_id: int, merged_id: int) -> int:
    """Move the merged contact's consents; join two for the same purpose and channel.
    Returns how many were joined."""
    def decided(c: Consent):
        return max(x for x in (c.given_at, c.withdrawn_at, c.updated_at) if x is not None)

    joined = 0
    mine = {(c.purpose, c.channel): c for c in Consent.select().where(Consent.contact == survivor_id)}
    for theirs in list(Consent.select().where(Consent.contact == merged_id)):
        kept = mine.get((theirs.purpose, theirs.channel))
        if kept is None:
            Consent.update(contact=survivor_id).where(Consent.id == theirs.id).execute()
            continue
        joined += 1
        if decided(theirs) > decided(kept):  # their later decision is the person's current one
            kept, theirs = theirs, kept
        ConsentEvent.update(consent=kept.id).where(ConsentEvent.consent == theirs.id).execute()
        Consent.delete().where(Consent.id == theirs.id).execute()
        Consent.update(contact=survivor_id).where(Consent.id == kept.id).execute()
    return joined


def _move_unique(model, other, survivor_id: int, merged_id: int) -> None:
    """Move rows unique per (contact, other) to the survivor; a row the survivor has already goes."""
    have = model.select(other).where(model.contact == survivor_id)
    model.update(contact=survivor_id).where((model.contact == merged_id) & other.not_in(have)).execute()
    model.delete().where(model.contact == merged_id).execute()


def _count_follow_ups(merged_id: int) -> int:
    from .models import FollowUp

    return FollowUp.select().where(FollowUp.contact == merged_id).count()


def _move_follow_ups(survivor_id: int, merged_id: int) -> None:
    """The merged contact's follow-ups become the survivor's (their deals moved with them);
    before the merged contact is deleted, which would take them with it (store/followups.py)."""
    from . import followups

    followups.move_follow_ups(merged_id, survivor_id)


def _move_contact_points(survivor_id: int, merged_id: int, primary: dict[str, str | None]) -> None:
    """Every e-mail and phone of both becomes the survivor's; `primary` holds the ones it keeps
    as its own columns (the merge's choice), the rest become its other ones."""
    from . import contact_details

    contact_details.merge_points(database, survivor_id, merged_id, primary)


__all__ = ["FIELDS", "MergePlan", "merge_plan", "merge_contacts"]
