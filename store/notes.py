"""Notes on a contact: team notes, and private notes only their author sees."""
from __future__ import annotations

from . import audit, changes, screening, validate
from .db import database, tuples
from .errors import Invalid, Restricted
from .models import Contact, Note, User, utcnow
from .processing import NOTE_CATEGORIES, NOTE_VISIBILITY
from .scope import Scope
from .views import NoteView


def notes_of(scope: Scope, contact_id: int) -> list[NoteView]:
    scope.require("note.read")
    scope.contact(contact_id)  # someone else's contact is refused (and audited), not shown empty
    names = dict(tuples(User.select(User.id, User.username)))
    q = scope.notes().where(Note.contact == contact_id).order_by(Note.created_at.desc(), Note.id.desc())
    return [NoteView(id=n.id, category=n.category, body=n.body, visibility=n.visibility,
                     author=names.get(n.author_id, ""), created_at=n.created_at) for n in q]


def add_note(scope: Scope, contact_id: int, *, body: str, category: str = "other",
             visibility: str = "team", allow_special: bool = False) -> int:
    """Add a note; its text is screened (store/screening.py): a CPR number is refused, a
    special-category term needs `allow_special` and flags the note.  No new note on a
    restricted person (Art. 18)."""
    scope.require("note.write")
    body = validate.multiline("body", body, max_length=2000)
    if not body:
        raise Invalid("body", "is required")
    found = screening.screen_all({"body": body}, allow_special=allow_special)
    category = validate.choice("category", category, NOTE_CATEGORIES)
    visibility = validate.choice("visibility", visibility, NOTE_VISIBILITY)
    with database.atomic():
        contact = scope.contact(contact_id)
        if contact.restricted_at is not None:
            raise Restricted(contact.id, "given new notes")
        note = Note.create(contact=contact.id, author=scope.user_id, category=category, body=body,
                           visibility=visibility)
        Contact.update(last_activity_at=utcnow()).where(Contact.id == contact.id).execute()
        changes.record("note", note.id, "insert", session_id=scope.session_id)
        changes.record("contact", contact.id, "update", session_id=scope.session_id)
        audit.record(scope.user_id, "note.add", "note", note.id, contact=contact.id,
                     visibility=visibility)
        screening.flag(scope, "note", note.id, found)
    return note.id
