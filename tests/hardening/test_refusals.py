"""Every refusal is audited, even when it rolls back the transaction it happened in,
and the privacy role corrects a person only while handling their open request (issue 16)."""
from __future__ import annotations

import datetime as dt
import io
import json

import consent_text_helper
import pytest


@pytest.fixture
def others(store, users):
    """A contact, a deal and a given consent of sales2's: nothing the first seller may touch."""
    from store import consent, contacts, deals
    from store.scope import Scope

    owner = Scope(users["sales2"])
    cid = contacts.create_contact(owner, first_name="Karen", last_name="Holm", email="karen@holm.dk")
    deal = deals.create_deal(owner, cid, title="Tilbud", amount_minor=100)
    consent.record_consent(owner, cid, "newsletter", method="phone", given_on=dt.date.today(),
                           text_id=consent_text_helper.text_id(), evidence="called")
    return {"contact": cid, "deal": deal}


def refusals(user_id: int) -> list[tuple[str, str | None, int | None, dict]]:
    from store.models import AuditEvent

    rows = AuditEvent.select().where(AuditEvent.action.in_(["access.denied", "access.forbidden"])
                                     & (AuditEvent.actor_id == user_id)).order_by(AuditEvent.id)
    return [(r.action, r.entity, r.entity_id, json.loads(r.detail)) for r in rows]


def _attempts(cid: int, deal: int):
    from store import consent, deals, notes

    today = dt.date.today()
    return {
        "add_note": lambda s: notes.add_note(s, cid, body="hej"),
        "create_deal": lambda s: deals.create_deal(s, cid, title="Min", amount_minor=1),
        "set_stage": lambda s: deals.set_stage(s, deal, 1, "won"),
        "record_consent": lambda s: consent.record_consent(
            s, cid, "newsletter", method="phone", given_on=today, text_id=consent_text_helper.text_id(), evidence="x"),
        "withdraw_consent": lambda s: consent.withdraw_consent(s, cid, "newsletter", method="phone"),
        "notes_of": lambda s: notes.notes_of(s, cid),
        "deals_of": lambda s: deals.deals_of(s, cid),
    }


@pytest.mark.parametrize("what", ["add_note", "create_deal", "set_stage", "record_consent",
                                  "withdraw_consent", "notes_of", "deals_of"])
def test_someone_elses_record_is_refused_and_the_refusal_is_kept(store, users, others, what):
    from store import audit
    from store.errors import NotFound
    from store.scope import Scope

    seller = Scope(users["sales"])
    with pytest.raises(NotFound):
        _attempts(others["contact"], others["deal"])[what](seller)
    entity, row = ("deal", others["deal"]) if what == "set_stage" else ("contact", others["contact"])
    assert refusals(users["sales"].id) == [("access.denied", entity, row, {})]
    assert audit.verify().ok


@pytest.mark.parametrize("what", ["export_person", "write_export_zip", "erase_person"])
def test_a_role_without_the_permission_is_refused_and_the_refusal_is_kept(store, users, others, tmp_path,
                                                                          what):
    from store.errors import Forbidden
    from store.rights import erase_person, export_person, write_export_zip
    from store.scope import Scope

    cid = others["contact"]
    out = tmp_path / "out"
    out.mkdir()
    attempt = {
        "export_person": lambda s: export_person(s, cid, out_dir=out),
        "write_export_zip": lambda s: write_export_zip(s, cid, io.BytesIO()),
        "erase_person": lambda s: erase_person(s, cid, legal_basis="art17_1b"),
    }[what]
    with pytest.raises(Forbidden):
        attempt(Scope(users["manager"]))
    (action, _, _, detail), = refusals(users["manager"].id)
    assert action == "access.forbidden"
    assert detail["permission"] in ("person.export", "person.erase", "request.handle")
    assert list(out.iterdir()) == []


def test_a_kept_refusal_waits_for_a_busy_file_and_is_written_after(store, users, others, write_lock_held):
    from store import audit, notes
    from store.errors import NotFound
    from store.scope import Scope

    seller = Scope(users["sales"])
    with write_lock_held(), pytest.raises(NotFound):  # refused while another process writes
        notes.notes_of(seller, others["contact"])
    assert audit.pending() == 1
    audit.flush()
    assert [r[0] for r in refusals(users["sales"].id)] == ["access.denied"]
    assert audit.verify().ok


# -- the privacy role: corrections and withdrawals only with an open request ---------------

@pytest.mark.parametrize("change", [{"first_name": "Rettet"}, {"email": "ny@holm.dk"},
                                    {"phone": "+4522334455"}])
def test_privacy_corrects_nobody_without_an_open_request(store, users, others, change):
    from store import contacts
    from store.errors import NoOpenRequest
    from store.models import Contact
    from store.scope import Scope

    privacy = Scope(users["privacy"])
    cid = others["contact"]
    before = Contact.get_by_id(cid)
    with pytest.raises(NoOpenRequest, match=f"contact {cid}"):
        contacts.update_contact(privacy, cid, before.version, **change)
    with pytest.raises(NoOpenRequest):
        contacts.save_contact(privacy, cid, before.version, change)
    after = Contact.get_by_id(cid)
    assert (after.version, after.first_name, after.email, after.phone) == \
           (before.version, before.first_name, before.email, before.phone)
    assert {(a, e, i, d.get("reason")) for a, e, i, d in refusals(users["privacy"].id)} == {
        ("access.forbidden", "contact", cid, "no_open_request")}


def test_privacy_withdraws_no_consent_without_an_open_request(store, users, others):
    from store import consent
    from store.errors import NoOpenRequest
    from store.models import Consent
    from store.scope import Scope

    privacy = Scope(users["privacy"])
    with pytest.raises(NoOpenRequest):
        consent.withdraw_consent(privacy, others["contact"], "newsletter", method="phone")
    assert Consent.get(Consent.contact == others["contact"]).status == "given"
    assert [r[3]["reason"] for r in refusals(users["privacy"].id)] == ["no_open_request"]


def test_with_the_open_request_the_correction_and_withdrawal_go_through(store, users, others):
    from store import consent, contacts
    from store.models import Consent, Contact
    from store.rights import add_request, close_request, verify_identity
    from store.scope import Scope

    privacy = Scope(users["privacy"])
    cid = others["contact"]
    request = add_request(privacy, cid, "rectification")
    verify_identity(privacy, request, "known_email")  # Art. 12(6)
    version = contacts.update_contact(privacy, cid, Contact.get_by_id(cid).version, first_name="Rettet")
    consent.withdraw_consent(privacy, cid, "newsletter", method="phone")
    assert (Contact.get_by_id(cid).first_name, Consent.get(Consent.contact == cid).status) == \
           ("Rettet", "withdrawn")
    close_request(privacy, request)
    from store.errors import NoOpenRequest

    with pytest.raises(NoOpenRequest):  # the request closed: the gate shuts again
        contacts.update_contact(privacy, cid, version, last_name="Igen")
