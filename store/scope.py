"""What a role may see and do.  Every query starts here.

A Scope is built from the logged-in user.  Its base queries (`contacts()`,
`deals()`, ...) already carry the row filter for the role, so a row outside
the scope does not exist for that user: fetching it by id, finding it by
search or reaching it through a related record all come back empty.
"""
from __future__ import annotations

from .db import StoreError
from .models import (
    Company, Consent, ConsentEvent, Contact, DataSubjectRequest, Deal, Invoice, Note, User,
)
from .errors import Forbidden, NotFound

# permission -> roles holding it
_GRANTS = {
    "contact.read": {"admin", "manager", "sales", "privacy"},
    "contact.create": {"admin", "manager", "sales"},
    "contact.edit": {"admin", "manager", "sales"},
    "contact.rectify": {"admin", "manager", "sales", "privacy"},  # Art. 16 corrections
    "contact.reassign": {"admin", "manager"},
    "contact.archive": {"admin", "manager"},
    "company.read": {"admin", "manager", "sales", "privacy"},
    "company.edit": {"admin", "manager", "sales"},
    "deal.read": {"admin", "manager", "sales", "privacy"},
    "deal.edit": {"admin", "manager", "sales"},
    "note.read": {"admin", "manager", "sales", "privacy"},
    "note.write": {"admin", "manager", "sales"},
    "invoice.read": {"admin", "finance", "privacy"},
    "invoice.edit": {"admin", "finance"},
    "consent.read": {"admin", "manager", "sales", "privacy"},
    "consent.write": {"admin", "manager", "sales", "privacy"},
    "request.handle": {"admin", "privacy"},
    "person.export": {"admin", "privacy"},
    "person.erase": {"admin", "privacy"},
    "person.restrict": {"admin", "privacy"},
    "import": {"admin", "manager", "sales"},
    "mailing.export": {"admin", "manager"},
    "audit.read": {"admin", "privacy"},
    "user.admin": {"admin"},
}
PERMISSIONS = tuple(_GRANTS)


def role_permissions(role: str) -> frozenset[str]:
    return frozenset(p for p, roles in _GRANTS.items() if role in roles)


class Scope:
    def __init__(self, user: User, session_id: int | None = None):
        self.user = user
        self.user_id = user.id
        self.role = user.role
        self.session_id = session_id
        self.permissions = role_permissions(user.role)

    def __repr__(self) -> str:
        return f"<Scope user={self.user_id} role={self.role}>"

    # -- permissions -----------------------------------------------------------

    def can(self, permission: str) -> bool:
        assert permission in _GRANTS, permission
        return permission in self.permissions

    def require(self, permission: str) -> None:
        if not self.can(permission):
            from . import audit

            audit.record(self.user_id, "access.forbidden", permission=permission)
            raise Forbidden(f"your role ({self.role}) may not do this: {permission}")

    # -- row filters -------------------------------------------------------------

    def _request_contact_ids(self):
        """Contacts with an open data-subject request handled by this user."""
        return (DataSubjectRequest.select(DataSubjectRequest.contact)
                .where((DataSubjectRequest.status == "open")
                       & (DataSubjectRequest.handler == self.user_id)
                       & DataSubjectRequest.contact.is_null(False)))

    def contacts(self, *, include_archived: bool = True):
        q = Contact.select()
        if not self.can("contact.read"):
            return q.where(False)
        if self.role == "sales":
            q = q.where(Contact.owner == self.user_id)
        if not include_archived:
            q = q.where(Contact.archived_at.is_null())
        return q

    def _visible_contact_ids(self):
        return self.contacts().select(Contact.id)

    def companies(self):
        q = Company.select()
        return q if self.can("company.read") else q.where(False)

    def deals(self):
        q = Deal.select()
        if not self.can("deal.read"):
            return q.where(False)
        if self.role == "sales":
            return q.where((Deal.owner == self.user_id) | Deal.contact.in_(self._visible_contact_ids()))
        if self.role == "privacy":
            return q.where(Deal.contact.in_(self._request_contact_ids()))
        return q

    def notes(self):
        """Team notes on visible contacts, and one's own private notes only."""
        q = Note.select()
        if not self.can("note.read"):
            return q.where(False)
        q = q.where((Note.visibility == "team") | (Note.author == self.user_id))
        if self.role == "privacy":
            return q.where(Note.contact.in_(self._request_contact_ids()))
        if self.role == "sales":
            return q.where(Note.contact.in_(self._visible_contact_ids()))
        return q

    def subject_notes(self):
        """Every note about a person, private ones included, for the data-subject rights:
        the person's own copy (Art. 15) and their erasure cover notes staff cannot read."""
        q = Note.select()
        if not (self.can("person.export") or self.can("person.erase")):
            return q.where(False)
        if self.role == "privacy":
            return q.where(Note.contact.in_(self._request_contact_ids()))
        return q

    def invoices(self):
        q = Invoice.select()
        if not self.can("invoice.read"):
            return q.where(False)
        if self.role == "privacy":
            return q.where(Invoice.contact.in_(self._request_contact_ids()))
        return q

    def consents(self):
        q = Consent.select()
        if not self.can("consent.read"):
            return q.where(False)
        if self.role == "sales":
            return q.where(Consent.contact.in_(self._visible_contact_ids()))
        return q

    def consent_events(self):
        return ConsentEvent.select().where(ConsentEvent.consent.in_(self.consents().select(Consent.id)))

    def requests(self):
        q = DataSubjectRequest.select()
        return q if self.can("request.handle") else q.where(False)

    def users(self):
        q = User.select()
        return q if self.can("user.admin") else q.where(User.id == self.user_id)

    # -- fetching one row ------------------------------------------------------------

    def get(self, query, model, row_id: int, what: str):
        """One row by id from a scoped query; anything else is NotFound."""
        row = query.where(model.id == row_id).first()
        if row is None:
            if model.select().where(model.id == row_id).exists():
                from . import audit

                audit.record(self.user_id, "access.denied", what, row_id)
            raise NotFound(f"{what} {row_id} not found")
        return row

    def contact(self, contact_id: int) -> Contact:
        return self.get(self.contacts(), Contact, contact_id, "contact")

    def deal(self, deal_id: int) -> Deal:
        return self.get(self.deals(), Deal, deal_id, "deal")

    def note(self, note_id: int) -> Note:
        return self.get(self.notes(), Note, note_id, "note")

    def invoice(self, invoice_id: int) -> Invoice:
        return self.get(self.invoices(), Invoice, invoice_id, "invoice")

    def company(self, company_id: int) -> Company:
        return self.get(self.companies(), Company, company_id, "company")

    def consent(self, consent_id: int) -> Consent:
        return self.get(self.consents(), Consent, consent_id, "consent")
