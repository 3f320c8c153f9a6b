"""What each role sees and may do, stated as one explicit matrix and checked
three ways: by id, by search and through related records.  Writes too.

The rules are those of store/scope.py:
- admin sees everything except other people's private notes;
- manager: all customer data, no invoices, no requests;
- sales: own contacts; deals they own or on their contacts; notes and consents
  on their contacts; no invoices;
- finance: invoices only (no contacts, companies, deals, notes, consents);
- privacy: all contacts, companies and consents (to find and handle people);
  deals, notes and invoices only of contacts with an open request assigned to
  them; every request;
- private notes are for their author only, whatever the role;
- only admin sees other staff accounts.
"""
from __future__ import annotations

import datetime as dt

import pytest

from store import contacts
from store.db import database
from store.errors import Invalid
from store.models import (
    AuditEvent,
    Company,
    Consent,
    ConsentEvent,
    Contact,
    DataSubjectRequest,
    Deal,
    Invoice,
    Note,
    User,
)
from store.scope import Forbidden, NotFound, Scope

ROLES = ("admin", "manager", "sales", "sales2", "finance", "privacy")

# Every record of the world below, by a short name: kind, the contact it belongs to.
RECORDS = {
    # contacts: c1 owned by sales, c2 by sales2, c3 by sales2 with an open request for privacy
    "c1": ("contact", None), "c2": ("contact", None), "c3": ("contact", None),
    "co1": ("company", None), "co2": ("company", None),
    "d1": ("deal", "c1"), "d2": ("deal", "c2"), "d3": ("deal", "c3"),
    "dx": ("deal", "c2"),                       # owned by sales, on sales2's contact
    "n1": ("note", "c1"),                       # team note by sales
    "n1p": ("note", "c1"),                      # private note by sales
    "n1a": ("note", "c1"),                      # private note by admin
    "n2": ("note", "c2"),                       # team note by sales2
    "n2p": ("note", "c2"),                      # private note by sales2
    "n3": ("note", "c3"),                       # team note by sales2
    "n3p": ("note", "c3"),                      # private note by sales2
    "n3q": ("note", "c3"),                      # private note by privacy
    "i1": ("invoice", "c1"), "i2": ("invoice", "c2"), "i3": ("invoice", "c3"),
    "k1": ("consent", "c1"), "k2": ("consent", "c2"), "k3": ("consent", "c3"),
    "e1": ("consent_event", "c1"), "e2": ("consent_event", "c2"), "e3": ("consent_event", "c3"),
    "r3": ("request", "c3"),                    # open, handled by privacy
    "r1": ("request", "c1"),                    # closed, was handled by privacy
    "r2": ("request", "c2"),                    # open, handled by admin
    "u_admin": ("user", None), "u_manager": ("user", None), "u_sales": ("user", None),
    "u_sales2": ("user", None), "u_finance": ("user", None), "u_privacy": ("user", None),
}

ALL = set(RECORDS)


def kind(k):
    return {name for name, (kd, _) in RECORDS.items() if kd == k}


# The matrix: role -> the records it sees.  Everything else does not exist for it.
VISIBLE = {
    "admin": ALL - {"n1p", "n2p", "n3p", "n3q"} | {"n1a"},
    "manager": (kind("contact") | kind("company") | kind("deal") | kind("consent") | kind("consent_event")
                | {"n1", "n2", "n3"} | {"u_manager"}),
    "sales": {"c1", "co1", "co2", "d1", "dx", "n1", "n1p", "k1", "e1", "u_sales"},
    "sales2": {"c2", "c3", "co1", "co2", "d2", "d3", "dx", "n2", "n2p", "n3", "n3p", "k2", "k3", "e2", "e3",
               "u_sales2"},
    "finance": {"i1", "i2", "i3", "u_finance"},
    "privacy": (kind("contact") | kind("company") | {"d3", "n3", "n3q", "i3"} | kind("consent")
                | kind("consent_event") | kind("request") | {"u_privacy"}),
}

# The same matrix as a table a person can read (checked against VISIBLE below).
TABLE = """
record   admin manager sales sales2 finance privacy
c1       x     x       x     .      .       x
c2       x     x       .     x      .       x
c3       x     x       .     x      .       x
co1      x     x       x     x      .       x
co2      x     x       x     x      .       x
d1       x     x       x     .      .       .
d2       x     x       .     x      .       .
d3       x     x       .     x      .       x
dx       x     x       x     x      .       .
n1       x     x       x     .      .       .
n1p      .     .       x     .      .       .
n1a      x     .       .     .      .       .
n2       x     x       .     x      .       .
n2p      .     .       .     x      .       .
n3       x     x       .     x      .       x
n3p      .     .       .     x      .       .
n3q      .     .       .     .      .       x
i1       x     .       .     .      x       .
i2       x     .       .     .      x       .
i3       x     .       .     .      x       x
k1       x     x       x     .      .       x
k2       x     x       .     x      .       x
k3       x     x       .     x      .       x
e1       x     x       x     .      .       x
e2       x     x       .     x      .       x
e3       x     x       .     x      .       x
r1       x     .       .     .      .       x
r2       x     .       .     .      .       x
r3       x     .       .     .      .       x
u_admin    x   .       .     .      .       .
u_manager  x   x       .     .      .       .
u_sales    x   .       x     .      .       .
u_sales2   x   .       .     x      .       .
u_finance  x   .       .     .      x       .
u_privacy  x   .       .     .      .       x
"""


def test_the_readable_table_is_the_matrix():
    lines = [ln.split() for ln in TABLE.strip().splitlines()]
    header = lines[0][1:]
    assert tuple(header) == ROLES
    rows = {ln[0]: ln[1:] for ln in lines[1:]}
    assert set(rows) == ALL
    for i, role in enumerate(ROLES):
        assert {name for name, marks in rows.items() if marks[i] == "x"} == VISIBLE[role], role


@pytest.fixture
def world(store, users):
    """The records above, created by an administrator; returns name -> id."""
    admin = Scope(users["admin"])
    ids = {f"u_{name}": user.id for name, user in users.items()}
    with database.atomic():
        ids["co1"] = Company.create(name="Rollefirma ApS", cvr="35954716").id
        ids["co2"] = Company.create(name="Andetfirma A/S", cvr="12345674").id
    owners = {"c1": users["sales"], "c2": users["sales2"], "c3": users["sales2"]}
    for name, owner in owners.items():
        ids[name] = contacts.create_contact(admin, first_name=f"Rolle{name}", last_name="Testesen",
                                            owner_id=owner.id, company_id=ids["co1"])
    today = dt.date(2026, 3, 2)
    with database.atomic():
        for name, contact, owner in (("d1", "c1", "sales"), ("d2", "c2", "sales2"), ("d3", "c3", "sales2"),
                                     ("dx", "c2", "sales")):
            ids[name] = Deal.create(title=f"Handel {name}", owner=users[owner].id, contact=ids[contact]).id
        for name, contact, author, visibility in (
                ("n1", "c1", "sales", "team"), ("n1p", "c1", "sales", "private"),
                ("n1a", "c1", "admin", "private"), ("n2", "c2", "sales2", "team"),
                ("n2p", "c2", "sales2", "private"), ("n3", "c3", "sales2", "team"),
                ("n3p", "c3", "sales2", "private"), ("n3q", "c3", "privacy", "private")):
            ids[name] = Note.create(contact=ids[contact], author=users[author].id, body=f"note {name}",
                                    visibility=visibility).id
        for n in "123":
            ids[f"i{n}"] = Invoice.create(number=f"F{n}", issued_on=today, due_on=today, amount_minor=100,
                                          contact=ids[f"c{n}"], billing_name="Kunde", retain_until=today).id
            ids[f"k{n}"] = Consent.create(contact=ids[f"c{n}"], purpose="newsletter", status="given").id
            ids[f"e{n}"] = ConsentEvent.create(consent=ids[f"k{n}"], event="given").id
        for name, contact, handler, status in (("r3", "c3", "privacy", "open"), ("r1", "c1", "privacy", "closed"),
                                               ("r2", "c2", "admin", "open")):
            ids[name] = DataSubjectRequest.create(contact=ids[contact], kind="access", received_on=today,
                                                  due_on=today, status=status, handler=users[handler].id).id
    return ids


# kind -> (model, scoped query method, one-row getter or None)
KINDS = {
    "contact": (lambda: Contact, "contacts", "contact"),
    "company": (lambda: Company, "companies", "company"),
    "deal": (lambda: Deal, "deals", "deal"),
    "note": (lambda: Note, "notes", "note"),
    "invoice": (lambda: Invoice, "invoices", "invoice"),
    "consent": (lambda: Consent, "consents", "consent"),
    "consent_event": (lambda: ConsentEvent, "consent_events", None),
    "request": (lambda: DataSubjectRequest, "requests", None),
    "user": (lambda: User, "users", None),
}


def scope_of(users, role) -> Scope:
    return Scope(users[role])


def fetch_one(scope: Scope, what: str, row_id: int):
    model_of, query_name, getter = KINDS[what]
    if getter:
        return getattr(scope, getter)(row_id)
    return scope.get(getattr(scope, query_name)(), model_of(), row_id, what)


def denials(user_id) -> set[tuple[str, int]]:
    return {(e.entity, e.entity_id) for e in
            AuditEvent.select().where((AuditEvent.action == "access.denied") & (AuditEvent.actor_id == user_id))}


@pytest.mark.parametrize("role", ROLES)
def test_base_queries_hold_exactly_the_visible_rows(world, users, role):
    scope = scope_of(users, role)
    for what, (_, query_name, _) in KINDS.items():
        got = {row.id for row in getattr(scope, query_name)()}
        expected = {world[name] for name in VISIBLE[role] if RECORDS[name][0] == what}
        assert got == expected, f"{role} / {what}"


@pytest.mark.parametrize("role", ROLES)
def test_by_id_visible_rows_come_back_others_are_not_found_and_audited(world, users, role):
    scope = scope_of(users, role)
    for name, (what, _) in RECORDS.items():
        if name in VISIBLE[role]:
            assert fetch_one(scope, what, world[name]).id == world[name]
        else:
            with pytest.raises(NotFound) as caught:
                fetch_one(scope, what, world[name])
            assert str(caught.value) == f"{what} {world[name]} not found"  # no names, no hint
    expected = {(RECORDS[n][0], world[n]) for n in ALL - VISIBLE[role]}
    assert denials(users[role].id) == expected


@pytest.mark.parametrize("role", ROLES)
def test_a_row_that_does_not_exist_looks_the_same_and_is_not_audited(world, users, role):
    scope = scope_of(users, role)
    for what in KINDS:
        with pytest.raises(NotFound) as caught:
            fetch_one(scope, what, 987654)
        assert str(caught.value) == f"{what} 987654 not found"
    assert denials(users[role].id) == set()


@pytest.mark.parametrize("role", ROLES)
def test_search_finds_only_visible_contacts(world, users, role):
    scope = scope_of(users, role)
    expected = {world[n] for n in VISIBLE[role] if RECORDS[n][0] == "contact"}
    assert {r.id for r in contacts.search_contacts(scope, "testesen")} == expected
    assert {r.id for r in contacts.search_contacts(scope, "rolle")} == expected
    assert {r.id for r in contacts.search_contacts(scope, "")} == expected
    assert {r.id for r in contacts.search_contacts(scope, "rollefirma")} == expected  # via the company


@pytest.mark.parametrize("role", ROLES)
def test_related_records_of_each_contact_follow_the_matrix(world, users, role):
    """Asking for the deals, notes, invoices, consents of a contact (visible or not)."""
    scope = scope_of(users, role)
    related = {
        "deal": lambda cid: scope.deals().where(Deal.contact == cid),
        "note": lambda cid: scope.notes().where(Note.contact == cid),
        "invoice": lambda cid: scope.invoices().where(Invoice.contact == cid),
        "consent": lambda cid: scope.consents().where(Consent.contact == cid),
        "consent_event": lambda cid: scope.consent_events().join(Consent).where(Consent.contact == cid),
        "request": lambda cid: scope.requests().where(DataSubjectRequest.contact == cid),
    }
    for contact in ("c1", "c2", "c3"):
        for what, query in related.items():
            got = {row.id for row in query(world[contact])}
            expected = {world[n] for n in VISIBLE[role] if RECORDS[n] == (what, contact)}
            assert got == expected, f"{role}: {what} of {contact}"


def test_private_notes_are_for_their_author_even_for_admin(world, users):
    for role in ROLES:
        scope = scope_of(users, role)
        private = {n.id for n in scope.notes().where(Note.visibility == "private")}
        own = {n.id for n in Note.select().where((Note.visibility == "private")
                                                 & (Note.author == users[role].id))}
        visible_contacts = {c.id for c in scope.contacts()}
        assert private <= own, role
        if role in ("sales", "sales2"):
            assert private == {i for i in own if Note.get_by_id(i).contact_id in visible_contacts}


# --- writes -----------------------------------------------------------------------------------------

def _version(cid):
    return Contact.get_by_id(cid).version


def test_sales_cannot_edit_another_sellers_contact_and_it_is_audited(world, users):
    sales = scope_of(users, "sales")
    with pytest.raises(NotFound):
        contacts.update_contact(sales, world["c2"], _version(world["c2"]), first_name="Hacked")
    with pytest.raises(NotFound):
        contacts.set_tags(sales, world["c2"], ["x"])
    with pytest.raises(NotFound):
        contacts.get_contact(sales, world["c2"])
    assert Contact.get_by_id(world["c2"]).first_name == "Rollec2"
    assert ("contact", world["c2"]) in denials(users["sales"].id)
    assert AuditEvent.select().where((AuditEvent.action == "access.denied")
                                     & (AuditEvent.actor_id == users["sales"].id)).count() == 3


def test_sales_edits_own_contact_but_cannot_reassign_or_archive_it(world, users):
    sales = scope_of(users, "sales")
    cid = world["c1"]
    contacts.update_contact(sales, cid, _version(cid), first_name="Rettet", lifecycle="customer")
    with pytest.raises(Forbidden):
        contacts.update_contact(sales, cid, _version(cid), owner_id=users["sales2"].id)
    with pytest.raises(Forbidden):
        contacts.set_archived(sales, cid)


def test_sales_always_owns_what_they_create(world, users):
    sales = scope_of(users, "sales")
    cid = contacts.create_contact(sales, first_name="Ny", owner_id=users["sales2"].id)
    assert contacts.get_contact(sales, cid).owner_id == users["sales"].id


def test_finance_cannot_create_read_or_edit_contacts(world, users):
    finance = scope_of(users, "finance")
    with pytest.raises(Forbidden):
        contacts.create_contact(finance, first_name="Bogholder")
    with pytest.raises(Forbidden):
        contacts.update_contact(finance, world["c1"], _version(world["c1"]), first_name="X")
    with pytest.raises(Forbidden):
        contacts.set_tags(finance, world["c1"], ["x"])
    assert contacts.search_contacts(finance, "") == []
    forbidden = [e.detail for e in AuditEvent.select().where((AuditEvent.action == "access.forbidden")
                                                             & (AuditEvent.actor_id == users["finance"].id))]
    assert '{"permission":"contact.create"}' in forbidden


@pytest.mark.parametrize("field, value", [("first_name", "Rettet"), ("last_name", "Navn"),
                                          ("email", "rettet@eksempel.dk"), ("phone", "+4522334455"),
                                          ("title", "Direktør")])
def test_privacy_may_rectify_identity_fields(world, users, field, value):
    privacy = scope_of(users, "privacy")
    cid = world["c3"]  # with the open request r3 it handles (without one: tests/hardening)
    contacts.update_contact(privacy, cid, _version(cid), **{field: value})
    assert getattr(contacts.get_contact(privacy, cid), field) == value


@pytest.mark.parametrize("field, value", [("lifecycle", "customer"), ("owner_id", None),
                                          ("lawful_basis", "contract"), ("company_id", None)])
def test_privacy_may_not_change_the_pipeline(world, users, field, value):
    privacy = scope_of(users, "privacy")
    cid = world["c2"]
    before = contacts.get_contact(privacy, cid)
    with pytest.raises((Forbidden, Invalid)):
        contacts.update_contact(privacy, cid, before.version, **{field: value})
    after = contacts.get_contact(privacy, cid)
    assert (after.version, after.lifecycle, after.owner_id, after.company_id) == \
           (before.version, before.lifecycle, before.owner_id, before.company_id)


def test_privacy_cannot_create_contacts(world, users):
    with pytest.raises(Forbidden):
        contacts.create_contact(scope_of(users, "privacy"), first_name="Ny")


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_admin_and_manager_may_edit_reassign_and_archive_any_contact(world, users, role):
    scope = scope_of(users, role)
    cid = world["c2"]
    contacts.update_contact(scope, cid, _version(cid), owner_id=users["sales"].id, lifecycle="customer")
    contacts.set_archived(scope, cid)
    detail = contacts.get_contact(scope, cid)
    assert (detail.owner_id, detail.lifecycle, detail.status) == (users["sales"].id, "customer", "archived")
    # the contact moved to the other seller
    assert world["c2"] in {c.id for c in scope_of(users, "sales").contacts()}
    assert world["c2"] not in {c.id for c in scope_of(users, "sales2").contacts()}
