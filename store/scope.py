"""What a role may see and do.  Every query starts here.

A Scope is built from the logged-in user.  Its base queries (`contacts()`,
`deals()`, ...) already carry the row filter for the role, so a row outside
the scope does not exist for that user: fetching it by id, finding it by
search or reaching it through a related record all come back empty.

A Scope built with a session id stops working the moment that session ends
or its user is revoked, reset or given another role: `require()`, every base
query and `transaction()` first make one indexed SELECT (`check_session`) and
raise SessionEnded.  Inside `transaction()` that check runs under BEGIN
IMMEDIATE, so no write of an ended session can slip in after its revocation.

`Scope.console()` is the server console (the `minicrm` command run by the
service account): an administrator whose audit rows carry no user id.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator

from peewee import SQL, fn

from .db import database
from .errors import EndReason, Forbidden, NoOpenRequest, NotFound, SessionEnded
from .models import (
    Company,
    Consent,
    ConsentEvent,
    Contact,
    DataSubjectRequest,
    Deal,
    FollowUp,
    Invoice,
    Note,
    User,
    utcnow,
)

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
    # amount, due date and paid/unpaid of an invoice (store/invoices.py); nothing else of it
    "invoice.edit": {"admin", "finance"},
    # follow-ups on the contacts and deals a role sees (store/followups.py)
    "followup.read": {"admin", "manager", "sales"},
    "followup.write": {"admin", "manager", "sales"},
    "followup.assign": {"admin", "manager"},  # give a follow-up to someone else
    "consent.read": {"admin", "manager", "sales", "privacy"},
    "consent.write": {"admin", "manager", "sales", "privacy"},
    "request.handle": {"admin", "privacy"},
    "person.export": {"admin", "privacy"},
    "person.erase": {"admin", "privacy"},
    "person.restrict": {"admin", "privacy"},
    "import": {"admin", "manager", "sales"},
    "mailing.export": {"admin", "manager"},
    "mailing.send": {"admin", "manager"},
    "consent.publish": {"admin"},  # a new consent text version
    # the public web form: sign up, confirm, unsubscribe, and nothing else (no contact.read)
    "consent.web": {"web"},
    "audit.read": {"admin", "privacy"},
    "breach.read": {"admin", "privacy"},  # the breach register (Art. 33(5))
    "breach.record": {"admin", "privacy"},
    "user.admin": {"admin"},
}
PERMISSIONS = tuple(_GRANTS)


def role_permissions(role: str) -> frozenset[str]:
    return frozenset(p for p, roles in _GRANTS.items() if role in roles)


class ConsoleOperator:
    """The server operator at the console: an administrator audited with no user id."""

    id = None
    role = "admin"
    username = "console"


CONSOLE_OPERATOR = ConsoleOperator()


class WebChannel:
    """The public web endpoint: no staff member behind it, audited with no user id."""

    id = None
    role = "web"
    username = "web"


WEB_CHANNEL = WebChannel()

# One read by primary keys: is this session still good, and is its user unchanged?
_SESSION_STATE_SQL = (
    'SELECT s.ended_at, s.end_reason, s.auth_epoch, s.started_at, u.auth_epoch, u.revoked_at, u.role '
    'FROM login_session AS s JOIN "user" AS u ON u.id = s.user_id WHERE s.id = ?')


def session_end_reason(session_id: int, role: str, now: dt.datetime | None = None,
                       started_at: dt.datetime | None = None) -> tuple[EndReason | None, bool]:
    """(why the session may not go on, or None; whether its row is already ended).

    One indexed SELECT, no write.  `role` is the role the session was opened with.
    """
    row = database.execute_sql(_SESSION_STATE_SQL, (session_id,)).fetchone()
    if row is None:
        return EndReason.ENDED, True
    ended_at, end_reason, session_epoch, stored_start, user_epoch, revoked_at, user_role = row
    if ended_at is not None:
        return EndReason.of(end_reason), True
    if revoked_at is not None:
        return EndReason.REVOKED, False
    if user_role != role:
        return EndReason.ROLE_CHANGED, False
    if user_epoch != session_epoch:
        return EndReason.RESET, False
    start = started_at or _as_datetime(stored_start)
    if (now or utcnow()) - start > _max_session_age():
        return EndReason.EXPIRED, False
    return None, False


def _as_datetime(value) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def _max_session_age() -> dt.timedelta:
    from .runtime import current

    return dt.timedelta(hours=current().config["auth.session_max_hours"])


# stands for the id in the SQL a scope builds once (Scope._one_contact); no row has it
_ANY_ID = -7_654_321_987


class Scope:
    def __init__(self, user: User | ConsoleOperator | WebChannel, session_id: int | None = None):
        self.user = user
        self.user_id = user.id
        self.role = user.role
        self.session_id = session_id
        self.permissions = role_permissions(user.role)
        self._looks = threading.local()  # one_look's memo, per thread: a scope may serve two
        self._contact_sql: tuple[str, list, int] | None = None  # see _one_contact

    @classmethod
    def console(cls) -> Scope:
        """The server console's scope (audited as the operator: actor id None)."""
        return cls(CONSOLE_OPERATOR)

    @classmethod
    def web(cls) -> Scope:
        """The public web channel's scope: it may only sign up, confirm and unsubscribe."""
        return cls(WEB_CHANNEL)

    @property
    def is_console(self) -> bool:
        return self.user is CONSOLE_OPERATOR

    def __repr__(self) -> str:
        return f"<Scope user={self.user_id} role={self.role}>"

    # -- the session behind the scope ----------------------------------------------

    def check_session(self) -> None:
        """Raise SessionEnded if the session this scope was built for may not go on.

        Not cached: a revocation must stop the very next call (one indexed
        SELECT, see bench/bench_auth.py).  Scopes without a session (the console,
        a batch command checked by its own key and code) pass.
        """
        if self.session_id is None:
            return
        reason, _ = session_end_reason(self.session_id, self.role)
        if reason is not None:
            raise SessionEnded(reason)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One BEGIN IMMEDIATE transaction for this scope's write, refused if its session ended."""
        with database.atomic():
            self.check_session()
            yield

    # -- several reads as one look ---------------------------------------------------

    @contextlib.contextmanager
    def one_look(self) -> Iterator[None]:
        """Several reads for one screen (a contact and its six tabs) taken as one look: each
        contact is fetched and checked once (each read fetched it again, ~1 ms of Peewee
        building the same SQL: most of a contact's ~11 ms on the store at 100,000 contacts,
        issue 17).  The session is still checked by every read.  For reads only: no change to
        a contact runs inside (it would act on the row as the look first read it)."""
        if self._look() is not None:
            yield
            return
        self._looks.memo = {}
        try:
            yield
        finally:
            self._looks.memo = None

    def _look(self) -> dict | None:
        return getattr(self._looks, "memo", None)

    # -- permissions -----------------------------------------------------------

    def can(self, permission: str) -> bool:
        assert permission in _GRANTS, permission
        return permission in self.permissions

    def require(self, permission: str) -> None:
        self.check_session()
        if not self.can(permission):
            from . import audit

            audit.record_refusal(self.user_id, "access.forbidden", permission=permission)
            raise Forbidden(f"your role ({self.role}) may not do this: {permission}")

    def require_request(self, contact_id: int, permission: str) -> None:
        """The privacy role acts on a person only while handling an open request about them
        (its reads are gated so, and so are its corrections and withdrawals)."""
        if self.role != "privacy" or self.is_console:
            return
        if not self._request_contact_ids().where(DataSubjectRequest.contact == contact_id).exists():
            from . import audit

            audit.record_refusal(self.user_id, "access.forbidden", "contact", contact_id,
                                 permission=permission, reason="no_open_request")
            raise NoOpenRequest(f"contact {contact_id}: register a request for this person with "
                                f"yourself as handler first (the privacy role acts on a person "
                                f"only while handling an open request)")

    # -- row filters -------------------------------------------------------------

    def _request_contact_ids(self):
        """Contacts with an open data-subject request handled by this user."""
        return (DataSubjectRequest.select(DataSubjectRequest.contact)
                .where((DataSubjectRequest.status == "open")
                       & (DataSubjectRequest.handler == self.user_id)
                       & DataSubjectRequest.contact.is_null(False)))

    def contacts(self, *, include_archived: bool = True):
        self.check_session()
        return self._contacts(include_archived=include_archived)

    def _contacts(self, *, include_archived: bool = True):
        q = Contact.select()
        if not self.can("contact.read"):
            return q.where(False)
        if self.role == "sales":
            q = q.where(Contact.owner == self.user_id)
        if not include_archived:
            q = q.where(Contact.archived_at.is_null())
        return q

    def _visible_contact_ids(self):
        return self._contacts().select(Contact.id)

    def companies(self):
        self.check_session()
        q = Company.select()
        return q if self.can("company.read") else q.where(False)

    def deals(self):
        self.check_session()
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
        self.check_session()
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
        self.check_session()
        q = Note.select()
        if not (self.can("person.export") or self.can("person.erase")):
            return q.where(False)
        if self.role == "privacy":
            return q.where(Note.contact.in_(self._request_contact_ids()))
        return q

    def mentioning(self, model):
        """Team notes or deals anywhere, for the erasure plan's list of records whose text names
        the person (Art. 17): roles that erase read only their ids and contact ids, to edit them."""
        self.check_session()
        q = model.select()
        if not self.can("person.erase"):
            return q.where(False)
        return q.where(Note.visibility == "team") if model is Note else q

    def invoices(self):
        self.check_session()
        q = Invoice.select()
        if not self.can("invoice.read"):
            return q.where(False)
        if self.role == "privacy":
            return q.where(Invoice.contact.in_(self._request_contact_ids()))
        return q

    def follow_ups(self):
        """Follow-ups on the contacts this role sees (whoever owns them): the contact's
        visibility applies, so a seller sees those on their own contacts."""
        self.check_session()
        q = FollowUp.select()
        if not self.can("followup.read"):
            return q.where(False)
        if self.role == "sales":
            # per row, by primary key: a follow-up list is short, a seller's contacts are many
            # (an IN list of them is built in full on every call: 10 ms at 20,000 contacts)
            owned = Contact.alias()
            return q.where(fn.EXISTS(owned.select(SQL("1")).where(
                (owned.id == FollowUp.contact) & (owned.owner == self.user_id))))
        return q

    def consents(self):
        self.check_session()
        q = Consent.select()
        if not self.can("consent.read"):
            return q.where(False)
        if self.role == "sales":
            return q.where(Consent.contact.in_(self._visible_contact_ids()))
        return q

    def consent_events(self):
        return ConsentEvent.select().where(ConsentEvent.consent.in_(self.consents().select(Consent.id)))

    def requests(self):
        self.check_session()
        q = DataSubjectRequest.select()
        return q if self.can("request.handle") else q.where(False)

    def users(self):
        self.check_session()
        q = User.select()
        return q if self.can("user.admin") else q.where(User.id == self.user_id)

    # -- fetching one row ------------------------------------------------------------

    def get(self, query, model, row_id: int, what: str):
        """One row by id from a scoped query; anything else is NotFound."""
        row = query.where(model.id == row_id).first()
        if row is None:
            if model.select().where(model.id == row_id).exists():
                from . import audit

                audit.record_refusal(self.user_id, "access.denied", what, row_id)
            raise NotFound(f"{what} {row_id} not found")
        return row

    def contact(self, contact_id: int) -> Contact:
        look = self._look()
        if look is None:
            return self._one_contact(contact_id)
        if contact_id not in look:  # (a refusal raises and is not kept: asked again, refused again)
            look[contact_id] = self._one_contact(contact_id)
        return look[contact_id]

    def _one_contact(self, contact_id: int) -> Contact:
        """`get` on `contacts()`, with the SQL built once per scope: the filter is the role's
        and the user's, fixed for the scope's life (a role change ends its session).  Peewee
        building the same query again was ~0.5 ms of each call, and a save makes three."""
        self.check_session()
        if self._contact_sql is None:
            sql, params = self._contacts().where(Contact.id == _ANY_ID).limit(1).sql()
            self._contact_sql = (sql, list(params), params.index(_ANY_ID))
        sql, params, at = self._contact_sql
        params = [*params[:at], contact_id, *params[at + 1:]]
        row = next(iter(Contact.raw(sql, *params)), None)
        if row is None:  # not there or not this user's: said as `get` says it, refusal audited
            return self.get(self._contacts(), Contact, contact_id, "contact")
        return row

    def deal(self, deal_id: int) -> Deal:
        return self.get(self.deals(), Deal, deal_id, "deal")

    def note(self, note_id: int) -> Note:
        return self.get(self.notes(), Note, note_id, "note")

    def invoice(self, invoice_id: int) -> Invoice:
        return self.get(self.invoices(), Invoice, invoice_id, "invoice")

    def follow_up(self, follow_up_id: int) -> FollowUp:
        return self.get(self.follow_ups(), FollowUp, follow_up_id, "follow-up")

    def company(self, company_id: int) -> Company:
        return self.get(self.companies(), Company, company_id, "company")

    def consent(self, consent_id: int) -> Consent:
        return self.get(self.consents(), Consent, consent_id, "consent")
