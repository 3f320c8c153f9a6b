"""A request from registration to closed: who asked and how, the identity check (Art. 12(6))
before any export or erasure, the bundle attached, restriction noted, erasure closing it."""
from __future__ import annotations

import zipfile

import pytest


def test_registration_records_who_asked_and_how(store, scopes, make_person):
    from store.rights import add_request
    from store.rights.requests import get_request

    p = make_person()
    rid = add_request(scopes["privacy"], p.id, "erasure", requester="representative", channel="letter")
    view = get_request(scopes["privacy"], rid)
    assert (view.kind, view.requester, view.channel, view.verified) == ("erasure", "representative",
                                                                         "letter", False)
    with pytest.raises(Exception, match="channel"):
        add_request(scopes["privacy"], p.id, "access", channel="pigeon")


def test_nothing_is_exported_or_erased_before_the_identity_is_verified(store, users, scopes, make_person):
    from store.models import Contact, DataSubjectRequest
    from store.rights import (
        IdentityNotVerified,
        NoOpenRequest,
        add_request,
        erase_for_request,
        export_for_request,
        export_person,
        verify_identity,
    )

    p = make_person()
    admin = scopes["admin"]
    with pytest.raises(NoOpenRequest):
        export_person(admin, p.id)  # admin too: every export answers a request
    rid = add_request(admin, p.id, "access")
    with pytest.raises(IdentityNotVerified, match=f"request {rid}"):
        export_for_request(admin, rid)
    with pytest.raises(IdentityNotVerified):
        erase_for_request(admin, rid, str(p.id))
    assert Contact.select().where(Contact.id == p.id).exists()
    assert DataSubjectRequest.get_by_id(rid).exported_at is None
    verify_identity(admin, rid, "mitid")
    row = DataSubjectRequest.get_by_id(rid)
    assert row.identity_method == "mitid" and row.identity_verified_by_id == users["admin"].id
    assert row.identity_verified_at is not None
    with pytest.raises(Exception, match="already verified"):
        verify_identity(admin, rid, "callback")  # who checked first stays on the record


def test_export_is_attached_to_the_request_and_fetched_by_its_handler(store, scopes, make_person, handled_by):
    import io
    import json

    from store.errors import StoreError
    from store.models import AuditEvent, DataSubjectRequest, User
    from store.rights import export_for_request, fetch_bundle
    from store.scope import Scope

    p = make_person()
    rid = handled_by("privacy", p.id)
    path = export_for_request(scopes["privacy"], rid)
    row = DataSubjectRequest.get_by_id(rid)
    assert row.bundle_name == path.name and row.exported_at is not None
    name, data = fetch_bundle(scopes["privacy"], rid)
    assert name == path.name
    files = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert any(f.endswith("/data.json") for f in files)
    # the private note by another user is in the bundle (Art. 15)
    data_json = next(f for f in files if f.endswith("/data.json"))
    assert p.private_token in zipfile.ZipFile(io.BytesIO(data)).read(data_json).decode()
    event = AuditEvent.select().where(AuditEvent.action == "person.export").get()
    assert json.loads(event.detail)["request_id"] == rid
    assert AuditEvent.select().where(AuditEvent.action == "request.fetch").count() == 1
    other = Scope(User.create(username="pia2", role="privacy"))
    with pytest.raises(StoreError, match="handled by someone else"):
        fetch_bundle(other, rid)


def test_restriction_is_noted_under_the_request(store, scopes, make_person, handled_by):
    from store.models import AuditEvent, Contact
    from store.rights import restrict_for_request

    p = make_person()
    rid = handled_by("privacy", p.id, "restriction")
    assert restrict_for_request(scopes["privacy"], rid) is True
    assert Contact.get_by_id(p.id).restricted_at is not None
    assert restrict_for_request(scopes["privacy"], rid, lift=True) is True
    assert Contact.get_by_id(p.id).restricted_at is None
    noted = [e.action for e in AuditEvent.select().where((AuditEvent.entity == "request")
                                                         & (AuditEvent.entity_id == rid))]
    assert "request.restrict" in noted and "request.restrict_lift" in noted


def test_erasure_needs_the_typed_id_and_closes_the_request_with_the_ledger_entry(store, scopes, make_person,
                                                                                handled_by):
    from store.errors import Invalid
    from store.models import Contact, ErasureLedger
    from store.rights import erase_for_request
    from store.rights.requests import get_request

    p = make_person()
    rid = handled_by("privacy", p.id, "erasure")
    with pytest.raises(Invalid, match=f"type the contact's id \\({p.id}\\)"):
        erase_for_request(scopes["privacy"], rid, "yes")
    assert Contact.select().where(Contact.id == p.id).exists()
    closed = erase_for_request(scopes["privacy"], rid, f" {p.id} ")
    assert not Contact.select().where(Contact.id == p.id).exists()
    assert ErasureLedger.get_by_id(closed.ledger_entry)
    view = get_request(scopes["privacy"], rid)
    assert view.status == "completed" and view.outcome_detail == f"erased: ledger entry {closed.ledger_entry}"
    assert view.contact_id is None


def test_rectification_is_recorded_under_the_request(store, scopes, make_person, handled_by):
    import json

    from store.models import AuditEvent
    from store.rights import record_rectification

    p = make_person()
    rid = handled_by("privacy", p.id, "rectification")
    record_rectification(scopes["privacy"], rid, ["email", "phone"])
    event = AuditEvent.select().where(AuditEvent.action == "request.rectify").get()
    assert event.entity_id == rid and json.loads(event.detail)["fields"] == ["email", "phone"]
    assert p.email not in event.detail


def test_requests_list_overdue_and_due_soon_first_then_closed(store, scopes, make_person):
    import datetime as dt

    from store.rights import add_request, close_request
    from store.rights.requests import list_requests

    p = make_person()
    today = dt.date(2026, 3, 20)
    late = add_request(scopes["admin"], p.id, "access", received_on=dt.date(2026, 2, 1), today=today)
    soon = add_request(scopes["admin"], p.id, "erasure", received_on=dt.date(2026, 2, 22), today=today)
    later = add_request(scopes["admin"], p.id, "objection", received_on=dt.date(2026, 3, 19), today=today)
    done = add_request(scopes["admin"], p.id, "access", received_on=dt.date(2026, 1, 1), today=today)
    close_request(scopes["admin"], done, "withdrawn")
    views = list_requests(scopes["admin"], status=None, today=today)
    assert [(v.id, v.urgency) for v in views] == [(late, "overdue"), (soon, "due_soon"),
                                                  (later, "on_time"), (done, "closed")]
