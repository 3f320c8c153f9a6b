"""Follow-ups (issue 17): a next action with a date on a contact or deal, owned by a user, done
and undone; who sees them; the "today" list overdue first; screened text.  A real SQLCipher
file; nothing mocked."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from store import contacts, deals, followups
from store.db import database
from store.errors import Conflict, CprInText, Forbidden, Invalid, NotFound, Restricted, SpecialCategory
from store.models import AuditEvent, Contact, FollowUp
from store.scope import Scope

TODAY = dt.date(2026, 11, 20)
YESTERDAY, TOMORROW = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)


@pytest.fixture
def world(users):
    """c1 owned by sales, c2 by sales2; a deal on c1."""
    manager = Scope(users["manager"])
    c1 = contacts.create_contact(manager, first_name="Søren", last_name="Bøgh", owner_id=users["sales"].id)
    c2 = contacts.create_contact(manager, first_name="Åse", last_name="Kjær", owner_id=users["sales2"].id)
    d1 = deals.create_deal(Scope(users["sales"]), c1, title="Serviceaftale 2027", amount_minor=1_250_000)
    return {"c1": c1, "c2": c2, "d1": d1}


def _scope(users, role):
    return Scope(users[role])


def test_a_follow_up_is_owned_by_who_adds_it_and_audited(world, users):
    sales = _scope(users, "sales")
    fid = followups.add_follow_up(sales, world["c1"], body="Ring om tilbuddet", due_on=TOMORROW)
    (view,) = followups.follow_ups_of(sales, world["c1"])
    assert (view.id, view.body, view.due_on, view.owner, view.contact_name) == (
        fid, "Ring om tilbuddet", TOMORROW, "sales-user", "Søren Bøgh")
    assert view.state(TODAY) == "later" and view.deal_id is None
    row = AuditEvent.select().where(AuditEvent.action == "followup.add").get()
    assert (row.entity, row.entity_id, row.actor_id) == ("follow_up", fid, users["sales"].id)
    assert "Ring" not in row.detail  # ids only, never the text


def test_a_follow_up_on_a_deal_names_the_deal(world, users):
    sales = _scope(users, "sales")
    followups.add_follow_up(sales, world["c1"], deal_id=world["d1"], body="Send kontrakt", due_on=TODAY)
    (view,) = followups.follow_ups_of(sales, world["c1"])
    assert (view.deal_id, view.deal_title) == (world["d1"], "Serviceaftale 2027")
    with pytest.raises(Invalid, match="deal: is not a deal of this contact"):
        followups.add_follow_up(_scope(users, "manager"), world["c2"], deal_id=world["d1"], body="x",
                                due_on=TODAY)


def test_done_and_undone_on_the_version_read(world, users):
    sales = _scope(users, "sales")
    fid = followups.add_follow_up(sales, world["c1"], body="Ring tilbage", due_on=TODAY)
    done = followups.set_done(sales, fid, 1)
    assert done.done_at is not None and done.state(TODAY) == "done" and done.version == 2
    with pytest.raises(Conflict):
        followups.set_done(sales, fid, 1, done=False)
    again = followups.set_done(sales, fid, done.version, done=False)
    assert again.done_at is None and again.state(TODAY) == "today"
    assert [e.action for e in AuditEvent.select().where(AuditEvent.entity == "follow_up")
            .order_by(AuditEvent.id)] == ["followup.add", "followup.done", "followup.undone"]


def test_the_today_list_is_the_owners_open_ones_overdue_first(world, users):
    sales = _scope(users, "sales")
    manager = _scope(users, "manager")
    later = followups.add_follow_up(sales, world["c1"], body="Næste måned", due_on=TODAY + dt.timedelta(days=30))
    today = followups.add_follow_up(sales, world["c1"], body="I dag", due_on=TODAY)
    old = followups.add_follow_up(sales, world["c1"], body="For en uge siden", due_on=TODAY - dt.timedelta(days=7))
    yesterday = followups.add_follow_up(sales, world["c1"], body="I går", due_on=YESTERDAY)
    done = followups.add_follow_up(sales, world["c1"], body="Klaret", due_on=YESTERDAY)
    followups.set_done(sales, done, 1)
    theirs = followups.add_follow_up(manager, world["c1"], body="Lederens", due_on=YESTERDAY)

    due = followups.due_follow_ups(sales, today=TODAY)
    assert [f.id for f in due] == [old, yesterday, today]
    assert [f.state(TODAY) for f in due] == ["overdue", "overdue", "today"]
    assert later not in [f.id for f in due]
    assert [f.id for f in followups.due_follow_ups(manager, today=TODAY)] == [theirs]


def test_the_contacts_visibility_applies(world, users):
    manager = _scope(users, "manager")
    f1 = followups.add_follow_up(manager, world["c1"], body="Om c1", due_on=TODAY,
                                 owner_id=users["sales"].id)
    f2 = followups.add_follow_up(manager, world["c2"], body="Om c2", due_on=TODAY,
                                 owner_id=users["sales2"].id)
    assert {f.id for f in _scope(users, "sales").follow_ups()} == {f1}
    assert {f.id for f in _scope(users, "sales2").follow_ups()} == {f2}
    for role in ("admin", "manager"):
        assert {f.id for f in _scope(users, role).follow_ups()} == {f1, f2}
    for role in ("finance", "privacy"):
        assert list(_scope(users, role).follow_ups()) == []
    with pytest.raises(NotFound):  # another seller's contact's follow-up does not exist for sales
        followups.set_done(_scope(users, "sales"), f2, 1)
    assert AuditEvent.select().where((AuditEvent.action == "access.denied")
                                     & (AuditEvent.entity == "follow-up")).count() == 1
    with pytest.raises(NotFound):
        followups.follow_ups_of(_scope(users, "sales"), world["c2"])
    # the contact reassigned: its follow-ups go with its visibility
    contacts.update_contact(manager, world["c1"], Contact.get_by_id(world["c1"]).version,
                            owner_id=users["sales2"].id)
    assert {f.id for f in _scope(users, "sales").follow_ups()} == set()
    assert followups.due_follow_ups(_scope(users, "sales"), today=TODAY) == []


def test_only_admin_and_manager_assign_and_only_to_someone_who_sees_the_contact(world, users):
    sales = _scope(users, "sales")
    with pytest.raises(Forbidden):
        followups.add_follow_up(sales, world["c1"], body="Til en anden", due_on=TODAY,
                                owner_id=users["sales2"].id)
    manager = _scope(users, "manager")
    with pytest.raises(Invalid, match="owner: does not see this contact"):
        followups.add_follow_up(manager, world["c1"], body="x", due_on=TODAY, owner_id=users["sales2"].id)
    with pytest.raises(Invalid, match="owner: does not see this contact"):
        followups.add_follow_up(manager, world["c1"], body="x", due_on=TODAY, owner_id=users["finance"].id)
    assert FollowUp.select().count() == 0


@pytest.mark.parametrize("role", ["finance", "privacy"])
def test_roles_without_follow_ups_are_refused_and_audited(world, users, role):
    with pytest.raises(Forbidden):
        followups.add_follow_up(_scope(users, role), world["c1"], body="x", due_on=TODAY)
    with pytest.raises(Forbidden):
        followups.due_follow_ups(_scope(users, role))
    details = [json.loads(r.detail) for r in AuditEvent.select().where(
        (AuditEvent.action == "access.forbidden") & (AuditEvent.actor_id == users[role].id))]
    assert [d["permission"] for d in details] == ["followup.write", "followup.read"]


def test_the_text_is_screened_like_a_note(world, users):
    sales = _scope(users, "sales")
    with pytest.raises(CprInText, match="follow_up"):
        followups.add_follow_up(sales, world["c1"], body="Tjek 010190-1234 i papirerne", due_on=TODAY)
    with pytest.raises(SpecialCategory):
        followups.add_follow_up(sales, world["c1"], body="Spørg til hans diabetes", due_on=TODAY)
    assert FollowUp.select().count() == 0
    fid = followups.add_follow_up(sales, world["c1"], body="Spørg til hans diabetes", due_on=TODAY,
                                  allow_special=True)
    flag = AuditEvent.select().where(AuditEvent.action == "text.special_allowed").get()
    assert (flag.entity, flag.entity_id, json.loads(flag.detail)["field"]) == ("follow_up", fid, "follow_up")
    from store import screening

    (listed,) = screening.flagged(_scope(users, "privacy"))  # the hygiene report names it
    assert (listed.entity, listed.entity_id, listed.contact_id, listed.kinds) == (
        "follow_up", fid, world["c1"], ("health",))
    with pytest.raises(Invalid, match="follow_up: is required"):
        followups.add_follow_up(sales, world["c1"], body="   ", due_on=TODAY)
    with pytest.raises(Invalid, match="due_on"):
        followups.add_follow_up(sales, world["c1"], body="Ring", due_on="i morgen")


def test_a_restricted_person_gets_none_and_is_not_put_forward(world, users):
    sales = _scope(users, "sales")
    followups.add_follow_up(sales, world["c1"], body="Ring", due_on=YESTERDAY)
    with database.atomic():
        Contact.update(restricted_at=dt.datetime(2026, 11, 1)).where(Contact.id == world["c1"]).execute()
    assert followups.due_follow_ups(sales, today=TODAY) == []
    with pytest.raises(Restricted):
        followups.add_follow_up(sales, world["c1"], body="Ring igen", due_on=TODAY)


def test_a_merge_moves_them_with_one_update(world, users):
    manager = _scope(users, "manager")
    fid = followups.add_follow_up(manager, world["c2"], body="Efter sammenlægning", due_on=TODAY)
    with database.atomic():
        assert followups.move_follow_ups(world["c2"], world["c1"]) == 1
    assert [f.id for f in followups.follow_ups_of(manager, world["c1"])] == [fid]
    assert followups.follow_ups_of(manager, world["c2"]) == []


def test_merging_two_contacts_keeps_the_merged_ones_follow_ups_on_the_survivor(world, users):
    from store import merge

    manager = _scope(users, "manager")
    theirs = followups.add_follow_up(manager, world["c2"], body="Ring efter sammenlægning", due_on=YESTERDAY)
    mine = followups.add_follow_up(manager, world["c1"], body="Send tilbud", due_on=TODAY)
    assert merge.merge_plan(manager, world["c1"], world["c2"]).moves["follow_ups"] == 1
    merge.merge_contacts(manager, world["c1"], world["c2"])
    assert [f.id for f in followups.follow_ups_of(manager, world["c1"])] == [theirs, mine]
    assert [f.id for f in followups.due_follow_ups(manager, today=TODAY)] == [theirs, mine]


def test_the_demo_gives_every_role_something_to_act_on_today(users):
    """`make run`: follow-ups due for admin, manager and sales, overdue invoices for finance."""
    from store import demo, invoices

    demo.generate(120)
    for role in ("admin", "manager", "sales"):
        due = followups.due_follow_ups(_scope(users, role))
        assert {f.state(dt.date.today()) for f in due} == {"overdue", "today"}, role
    finance = _scope(users, "finance")
    assert invoices.list_invoices(finance, status="overdue")
    assert [t.currency for t in invoices.invoice_totals(finance, status="unpaid")] == ["DKK", "EUR"]


def test_a_revoked_sellers_open_follow_ups_go_to_the_heir_with_the_contacts(world, users):
    from store import auth

    sales = _scope(users, "sales")
    open_one = followups.add_follow_up(sales, world["c1"], body="Ring i næste uge", due_on=TOMORROW)
    done_one = followups.add_follow_up(sales, world["c1"], body="Sendt tilbud", due_on=YESTERDAY)
    followups.set_done(sales, done_one, 1)
    auth.revoke(Scope.console(), "sales-user", hand_over_to="sales2-user")
    assert FollowUp.get_by_id(open_one).owner_id == users["sales2"].id
    assert FollowUp.get_by_id(done_one).owner_id == users["sales"].id  # what they did stays theirs
    assert [f.id for f in followups.due_follow_ups(_scope(users, "sales2"), today=TOMORROW)] == [open_one]
