"""The request register: one month to answer (month ends and leap years), extension, roles."""
from __future__ import annotations

import datetime as dt

import pytest

from store.rights.requests import add_months, due_date

D = dt.date


@pytest.mark.parametrize("received, due", [
    (D(2026, 3, 9), D(2026, 4, 9)),     # the same day number next month
    (D(2026, 1, 31), D(2026, 2, 28)),   # no 31 February: the month's last day
    (D(2028, 1, 31), D(2028, 2, 29)),   # leap year
    (D(2028, 1, 29), D(2028, 2, 29)),
    (D(2026, 1, 29), D(2026, 2, 28)),
    (D(2026, 1, 30), D(2026, 2, 28)),
    (D(2028, 2, 29), D(2028, 3, 29)),   # from a leap day
    (D(2026, 2, 28), D(2026, 3, 28)),   # not clamped up to the 31st
    (D(2026, 3, 31), D(2026, 4, 30)),
    (D(2026, 5, 31), D(2026, 6, 30)),
    (D(2026, 8, 31), D(2026, 9, 30)),
    (D(2026, 12, 15), D(2027, 1, 15)),  # over the year end
    (D(2026, 12, 31), D(2027, 1, 31)),
])
def test_one_month(received, due):
    assert due_date(received) == due


@pytest.mark.parametrize("received, due", [
    (D(2026, 1, 31), D(2026, 4, 30)),   # extended deadlines count from receipt
    (D(2026, 11, 30), D(2027, 2, 28)),
    (D(2027, 11, 30), D(2028, 2, 29)),  # into a leap February
    (D(2026, 10, 31), D(2027, 1, 31)),
    (D(2026, 3, 15), D(2026, 6, 15)),
])
def test_extended_by_two_further_months(received, due):
    assert due_date(received, extended=True) == due


def test_add_months_keeps_whole_years():
    assert add_months(D(2028, 2, 29), 12) == D(2029, 2, 28)
    assert add_months(D(2026, 1, 31), 0) == D(2026, 1, 31)


def test_register_list_and_urgency(store, users, scopes, make_person):
    from store.rights import add_request, deadline_summary, open_requests

    p = make_person()
    today = D(2026, 3, 20)
    pia = scopes["privacy"]
    overdue = add_request(pia, p.id, "access", received_on=D(2026, 2, 10), today=today)    # due 03-10
    soon = add_request(pia, p.id, "erasure", received_on=D(2026, 2, 24), today=today)      # due 03-24
    later = add_request(pia, None, "objection", received_on=D(2026, 3, 19), today=today)   # due 04-19
    views = open_requests(pia, today=today)
    assert [v.id for v in views] == [overdue, soon, later]
    assert [v.urgency for v in views] == ["overdue", "due_soon", "on_time"]
    assert [v.days_left for v in views] == [-10, 4, 30]
    assert views[0].handler == users["privacy"].username and views[0].contact_name == p.name
    assert views[2].contact_id is None and views[2].contact_name == ""
    assert deadline_summary(pia, today=today) == {"open": 3, "due_soon": 1, "overdue": 1}


def test_extension_once_within_the_first_month_with_a_reason(store, scopes, make_person):
    from store import audit
    from store.db import StoreError
    from store.errors import Invalid
    from store.rights import add_request, extend_request, get_request

    p = make_person()
    pia = scopes["privacy"]
    rid = add_request(pia, p.id, "access", received_on=D(2026, 1, 31), today=D(2026, 2, 1))
    with pytest.raises(Invalid):
        extend_request(pia, rid, "   ", today=D(2026, 2, 1))
    assert extend_request(pia, rid, "Mange henvendelser; svar kræver gennemgang af arkiv",
                          today=D(2026, 2, 28)) == D(2026, 4, 30)
    view = get_request(pia, rid, today=D(2026, 3, 1))
    assert view.extended and view.due_on == D(2026, 4, 30) and view.original_due_on == D(2026, 2, 28)
    assert view.urgency == "on_time"
    with pytest.raises(StoreError, match="already been extended"):
        extend_request(pia, rid, "igen", today=D(2026, 2, 28))
    # Too late: the person must be told within the first month.
    late = add_request(pia, p.id, "access", received_on=D(2026, 1, 10), today=D(2026, 2, 11))
    with pytest.raises(StoreError, match="within the first month"):
        extend_request(pia, late, "for sent", today=D(2026, 2, 11))
    # The reason is in the register, not in the audit trail.
    events = audit.history("request", rid)
    assert [e.action for e in events] == ["request.extend", "request.add"]
    assert "arkiv" not in events[0].detail


def test_close_and_list_all(store, scopes, make_person):
    from store.db import StoreError
    from store.rights import add_request, close_request, list_requests, open_requests

    p = make_person()
    admin = scopes["admin"]
    rid = add_request(admin, p.id, "rectification")
    close_request(admin, rid, "completed")
    assert open_requests(admin) == []
    [view] = list_requests(admin, status=None)
    assert view.status == "completed" and view.urgency == "closed" and view.closed_at is not None
    with pytest.raises(StoreError, match="already closed"):
        close_request(admin, rid)


@pytest.mark.parametrize("role", ["sales", "manager", "finance"])
def test_only_admin_and_privacy_handle_requests(store, scopes, make_person, role):
    from store.rights import add_request, list_requests
    from store.scope import Forbidden

    p = make_person()
    with pytest.raises(Forbidden):
        add_request(scopes[role], p.id, "access")
    with pytest.raises(Forbidden):
        list_requests(scopes[role])


def test_handler_must_be_admin_or_privacy(store, users, scopes, make_person):
    from store.db import StoreError
    from store.rights import add_request, assign_request, get_request

    p = make_person()
    with pytest.raises(StoreError, match="may not handle"):
        add_request(scopes["admin"], p.id, "access", handler_id=users["sales"].id)
    rid = add_request(scopes["admin"], p.id, "access")
    assign_request(scopes["admin"], rid, users["privacy"].id)
    assert get_request(scopes["admin"], rid).handler_id == users["privacy"].id


def test_unknown_contact_and_kind(store, scopes):
    from store.errors import Invalid
    from store.rights import add_request
    from store.scope import NotFound

    with pytest.raises(NotFound, match="contact 999 not found"):
        add_request(scopes["admin"], 999, "access")
    with pytest.raises(Invalid):
        add_request(scopes["admin"], None, "complaint")
    with pytest.raises(Invalid, match="future"):
        add_request(scopes["admin"], None, "access", received_on=dt.date.today() + dt.timedelta(days=1))


def test_privacy_sees_a_whole_record_only_while_handling_a_request(store, users, scopes, make_person):
    from store.rights import add_request, close_request
    from store.scope import Scope

    p = make_person()
    pia = scopes["privacy"]
    assert pia.subject_notes().count() == 0 and pia.invoices().count() == 0
    rid = add_request(pia, p.id, "access")
    assert pia.subject_notes().count() == 2  # the private note too
    assert pia.invoices().count() == 2
    close_request(pia, rid)
    assert pia.subject_notes().count() == 0
    # Sales never reach private notes of others through the subject-access path.
    assert Scope(users["sales"]).subject_notes().count() == 0
