"""Contacts: read, create, edit, tag, archive, all through a Scope.

Every write is one BEGIN IMMEDIATE transaction that bumps the contact's version
once; `save_contact` saves the whole contact form (company, fields, tags) so.
Searching, sorting, paging and counting lists of contacts live in contact_lists.py
(re-exported here, so `contacts.search_page` keeps working).
"""
from __future__ import annotations

from typing import Any

from . import audit, changes, companies, contact_details, screening, search, validate
from .contact_lists import COUNT_CAP, SORTS, _display_name, count_contacts, search_contacts, search_page
from .db import StoreError, database, tuples
from .errors import Conflict, Invalid
from .models import Company, Contact, ContactTag, Tag, User, utcnow
from .processing import LAWFUL_BASES, LIFECYCLES
from .scope import NotFound, Scope
from .views import ContactDetail

# "emails"/"phones": every address and number with its label and primary (contact_details.py);
# "email"/"phone" alone set the primary one.
PERSON_FIELDS = ("first_name", "last_name", "title", "email", "phone", "emails", "phones",
                 *contact_details.ADDRESS_FIELDS)
EDITABLE = (*PERSON_FIELDS, "company_id", "lifecycle", "lawful_basis", "owner_id")
# Art. 16 rectification may correct who the person is and how to reach them, not the sales pipeline.
RECTIFIABLE = PERSON_FIELDS
POINT_KINDS = tuple(contact_details.KINDS)  # ("emails", "phones")


def status_of(contact) -> str:
    if contact.restricted_at:
        return "restricted"
    if contact.archived_at:
        return "archived"
    return "active"


def _usernames() -> dict[int | None, str]:  # keyed by nullable owner/actor ids
    """Staff as lists show them: the full name, else the user name."""
    return dict(tuples(User.select(User.id, _display_name(User))))


def _tags_of(ids) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    q = (tuples(ContactTag.select(ContactTag.contact, Tag.name).join(Tag)
         .where(ContactTag.contact.in_(list(ids))).order_by(Tag.name)))
    for cid, name in q:
        out.setdefault(cid, []).append(name)
    return out


def record_view(scope: Scope, contact_id: int) -> None:
    """That this person saw the contact: the audit row `get_contact(audit_view=True)` writes,
    for a front end that shows the record first and records the view right after it, so that
    the row's wait for the write lock (up to audit.VIEW_WAIT_MS while an import writes) is
    never on the way to the paint."""
    _audit_view(scope, scope.contact(contact_id).id)


def _audit_view(scope: Scope, contact_id: int) -> None:
    audit.record_view(scope.user_id, "contact.view", "contact", contact_id)  # never blocks the view


def get_contact(scope: Scope, contact_id: int, *, audit_view: bool = True) -> ContactDetail:
    c = scope.contact(contact_id)
    if audit_view:  # never blocks the view: a busy file puts the row off a moment
        _audit_view(scope, c.id)
    company = Company.get_or_none(Company.id == c.company_id) if c.company_id else None
    names = _usernames()
    points = contact_details.points_of(database, [c.id])[c.id]
    return ContactDetail(
        id=c.id, first_name=c.first_name, last_name=c.last_name, title=c.title,
        email=c.email or "", phone=c.phone or "", company_id=c.company_id,
        company=company.name if company else "", company_cvr=(company.cvr or "") if company else "",
        owner_id=c.owner_id, owner=names.get(c.owner_id, ""), lifecycle=c.lifecycle,
        status=status_of(c), source=c.source, lawful_basis=c.lawful_basis,
        created_at=c.created_at, updated_at=c.updated_at, last_activity_at=c.last_activity_at,
        version=c.version, tags=tuple(_tags_of([c.id]).get(c.id, ())),
        emails=points["emails"], phones=points["phones"], address=c.address or "",
        postcode=c.postcode or "", city=c.city or "", country=c.country or "",
    )


def _clean(scope: Scope, fields: dict, region: str = "DK") -> dict:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key in ("first_name", "last_name", "title"):
            out[key] = validate.text(key, value, max_length=100, required=(key == "first_name"))
        elif key == "email":
            out[key] = validate.email(value)
        elif key == "phone":
            out[key] = validate.phone(value, region=region)
        elif key in POINT_KINDS:
            out[key] = contact_details.clean_points(key, value, region)
        elif key in contact_details.ADDRESS_FIELDS:
            out.update(contact_details.clean_address({key: value}))
        elif key == "lifecycle":
            out[key] = validate.choice(key, value, LIFECYCLES)
        elif key == "lawful_basis":
            out[key] = validate.choice(key, value, LAWFUL_BASES)
        elif key == "company_id":
            if value is not None:
                scope.company(int(value))  # must exist and be visible
            out[key] = value
        elif key == "owner_id":
            if value is not None and not User.select().where(
                    (User.id == value) & User.revoked_at.is_null()).exists():
                raise Invalid("owner", "is not an active user")
            out[key] = value
        else:
            raise Invalid(key, "is not a contact field")
    for kind in POINT_KINDS:
        if kind in out:  # the list's primary is the contact's own column, with its label
            out.update(contact_details.primary_fields(kind, out[kind]))
    return out


# the contact's free text besides its tags (store/screening.py)
SCREENED = ("title", *contact_details.SCREENED_ADDRESS)


def _tag_names(tags) -> list[str]:
    return sorted({validate.text("tag", t, max_length=40).lower() for t in tags if str(t).strip()})


def _screen(clean: dict, new_tags, allow_special: bool) -> dict[str, tuple[str, ...]]:
    """Screen what is about to be written: the job title and tags the contact does not have yet."""
    texts = {k: clean[k] for k in SCREENED if clean.get(k)}
    if new_tags:
        texts["tags"] = " ".join(new_tags)
    return screening.screen_all(texts, allow_special=allow_special)


def create_contact(scope: Scope, *, tags=(), source: str = "manual", allow_special: bool = False,
                   **fields) -> int:
    """Create a contact; the job title and tags are screened (store/screening.py): a CPR
    number is refused, a special-category term needs `allow_special` and flags the contact."""
    scope.require("contact.create")
    fields.setdefault("owner_id", scope.user_id)
    if scope.role == "sales":
        fields["owner_id"] = scope.user_id  # sales own what they create
    clean = _clean(scope, fields)
    found = _screen(clean, _tag_names(tags), allow_special)
    points = {k: clean.pop(k) for k in POINT_KINDS if k in clean}
    with database.atomic():
        contact = Contact.create(source=source, **{
            ("company" if k == "company_id" else "owner" if k == "owner_id" else k): v
            for k, v in clean.items()})
        for kind, values in points.items():
            contact_details.replace_points(database, contact.id, kind, values)
        _set_tags(contact.id, tags)
        search.index_contacts(database, [contact.id])
        changes.record("contact", contact.id, "insert", session_id=scope.session_id)
        audit.record(scope.user_id, "contact.create", "contact", contact.id,
                     fields=sorted(k for k, v in clean.items() if v))
        screening.flag(scope, "contact", contact.id, found)
    return contact.id


def update_contact(scope: Scope, contact_id: int, version: int, *, tags=None, allow_special: bool = False,
                   **changes_) -> int:
    """Save changes (and the tags, when given) made to `version`, bumping it once;
    returns the new version or raises Conflict.  A changed title and new tags are screened."""
    _require_editable(scope, changes_, tags)
    _require_request_to_rectify(scope, contact_id)
    clean = _clean(scope, changes_)
    scope.contact(contact_id)
    with database.atomic():
        return _write_update(scope, contact_id, version, clean, tags, allow_special)


def save_contact(scope: Scope, contact_id: int | None, version: int | None, fields: dict,
                 tags=None, *, allow_special: bool = False) -> ContactDetail:
    """Save the contact form in one transaction: the company (by CVR or name, created if
    new), the fields and the tags; a new contact when `contact_id` is None.

    The version is bumped once.  Anything refused (a Conflict, an Invalid value)
    leaves nothing behind, not even the company.  Returns the contact as saved.
    """
    fields = dict(fields)
    company = {k: fields.pop(k) for k in ("company", "company_cvr") if k in fields}
    # Permission checks first, outside the transaction: a refusal's audit row is kept.
    if company:
        scope.require("company.edit")
    if contact_id is None:
        scope.require("contact.create")
    else:
        _require_editable(scope, {**fields, **({"company_id": None} if company else {})}, tags)
        scope.contact(contact_id)
        _require_request_to_rectify(scope, contact_id)
    with database.atomic():
        if company:
            fields["company_id"] = companies.find_or_create(scope, company.get("company"),
                                                            company.get("company_cvr"),
                                                            allow_special=allow_special)
        if contact_id is None:
            contact_id = create_contact(scope, tags=tags or (), allow_special=allow_special, **fields)
        else:
            _write_update(scope, contact_id, version, _clean(scope, fields), tags, allow_special)
        return get_contact(scope, contact_id, audit_view=False)


def _require_editable(scope: Scope, fields: dict, tags) -> None:
    allowed = EDITABLE if scope.can("contact.edit") else RECTIFIABLE if scope.can("contact.rectify") else ()
    if not allowed or tags is not None:
        scope.require("contact.edit")
    for key in fields:
        if key not in allowed:
            if key in EDITABLE:
                scope.require("contact.edit")
            raise Invalid(key, "is not an editable contact field")
    if "owner_id" in fields and not scope.can("contact.reassign"):
        scope.require("contact.reassign")


def _require_request_to_rectify(scope: Scope, contact_id: int) -> None:
    """A role that may only correct (privacy) corrects a person while handling their open request."""
    if not scope.can("contact.edit"):
        scope.require_request(contact_id, "contact.rectify")


def _write_update(scope: Scope, contact_id: int, version: int | None, clean: dict, tags,
                  allow_special: bool = False) -> int:
    """Inside the caller's transaction: check the version, screen, write, index, feed, audit."""
    current = scope.contact(contact_id)
    derived = {"email_label", "phone_label"}  # the primary's label, worked out from "emails"/"phones"
    if current.restricted_at and not (scope.can("person.restrict") and set(clean) - derived <= set(RECTIFIABLE)
                                      and tags is None):
        # Art. 18: kept but not used; only a correction by privacy/admin may touch it
        raise StoreError(f"contact {contact_id} is restricted (Art. 18): it may not be edited")
    if current.version != version:
        raise _conflict(contact_id)
    points = {k: clean.pop(k) for k in POINT_KINDS if k in clean}
    if points:
        have = contact_details.points_of(database, [contact_id])[contact_id]
        points = {k: v for k, v in points.items() if v != have[k]}
    changed = sorted({*(k for k, v in clean.items() if getattr(current, k) != v), *points})
    if not changed and tags is None:
        return current.version
    new_tags = set(_tag_names(tags)) - set(_tags_of([contact_id]).get(contact_id, ())) if tags is not None else ()
    found = _screen({k: clean[k] for k in changed if k in clean}, sorted(new_tags), allow_special)
    updates = {Contact.version: Contact.version + 1, Contact.updated_at: utcnow()}
    if changed:
        updates.update({getattr(Contact, k): v for k, v in clean.items()})
        updates[Contact.last_activity_at] = utcnow()
    Contact.update(updates).where(Contact.id == contact_id).execute()
    for kind, values in points.items():
        contact_details.replace_points(database, contact_id, kind, values)
    for kind, (_table, _column, single) in contact_details.KINDS.items():
        if single in changed and kind not in points:  # a new primary given alone: not also among the others
            contact_details.drop_values(database, contact_id, kind, [clean[single]])
    if tags is not None:
        _set_tags(contact_id, tags)
    search.index_contacts(database, [contact_id])
    changes.record("contact", contact_id, "update", session_id=scope.session_id)
    if changed:
        audit.record(scope.user_id, "contact.edit", "contact", contact_id, fields=changed)
    if tags is not None:
        audit.record(scope.user_id, "contact.tags", "contact", contact_id, count=len(list(tags)))
    screening.flag(scope, "contact", contact_id, found)
    return version + 1


def _conflict(contact_id: int) -> Conflict:
    from .models import AuditEvent

    last = (AuditEvent.select().where((AuditEvent.entity == "contact")
                                      & (AuditEvent.entity_id == contact_id)
                                      & AuditEvent.action.in_(["contact.edit", "contact.tags"]))
            .order_by(AuditEvent.id.desc()).first())
    if last is None:
        return Conflict("contact", contact_id)
    who = User.get_or_none(User.id == last.actor_id)
    return Conflict("contact", contact_id, who.username if who else None, last.at)


def _set_tags(contact_id: int, tags) -> None:
    names = _tag_names(tags)
    ContactTag.delete().where(ContactTag.contact == contact_id).execute()
    for name in names:
        tag, _ = Tag.get_or_create(name=name)
        ContactTag.insert(contact=contact_id, tag=tag.id).on_conflict_ignore().execute()


def set_tags(scope: Scope, contact_id: int, tags, *, allow_special: bool = False) -> None:
    scope.require("contact.edit")
    scope.contact(contact_id)  # outside the transaction, so an access.denied row is not rolled back
    with database.atomic():
        if scope.contact(contact_id).restricted_at:
            raise StoreError(f"contact {contact_id} is restricted (Art. 18): it may not be edited")
        new_tags = set(_tag_names(tags)) - set(_tags_of([contact_id]).get(contact_id, ()))
        found = _screen({}, sorted(new_tags), allow_special)
        _set_tags(contact_id, tags)
        Contact.update(version=Contact.version + 1, updated_at=utcnow()).where(
            Contact.id == contact_id).execute()
        search.index_contacts(database, [contact_id])
        changes.record("contact", contact_id, "update", session_id=scope.session_id)
        audit.record(scope.user_id, "contact.tags", "contact", contact_id, count=len(list(tags)))
        screening.flag(scope, "contact", contact_id, found)


def set_archived(scope: Scope, contact_id: int, archived: bool = True) -> None:
    scope.require("contact.archive")
    scope.contact(contact_id)  # outside the transaction, so an access.denied row is not rolled back
    with database.atomic():
        scope.contact(contact_id)
        Contact.update(archived_at=utcnow() if archived else None, version=Contact.version + 1).where(
            Contact.id == contact_id).execute()
        changes.record("contact", contact_id, "update", session_id=scope.session_id)
        audit.record(scope.user_id, "contact.archive" if archived else "contact.unarchive",
                     "contact", contact_id)


def all_tags(scope: Scope) -> list[str]:
    visible = scope.contacts().select(Contact.id)
    q = (tuples(Tag.select(Tag.name).join(ContactTag).where(ContactTag.contact.in_(visible))
         .distinct().order_by(Tag.name)))
    return [name for (name,) in q]


def history(scope: Scope, contact_id: int):
    """Who viewed and changed this record, for admin and privacy roles."""
    scope.require("audit.read")
    scope.contact(contact_id)
    from .views import AuditView

    names = _usernames()
    return [AuditView(at=e.at, actor=names.get(e.actor_id, f"#{e.actor_id}"), action=e.action,
                      detail=e.detail) for e in audit.history("contact", contact_id)]


__all__ = ["COUNT_CAP", "SORTS", "Conflict", "NotFound", "search_contacts", "search_page",
           "count_contacts", "get_contact", "create_contact",
           "update_contact", "save_contact", "set_tags", "set_archived", "all_tags", "history"]
