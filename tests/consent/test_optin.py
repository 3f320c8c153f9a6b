"""Double opt-in in the store: a pending sign-up and a mail through a real SMTP sink, a
single-use hashed token, confirmation with its evidence, expiry, cool-down, the ledger."""
from __future__ import annotations

import datetime as dt
import re

import pytest

ADDRESS = "karen@firma.dk"


def _link_token(sink, to=ADDRESS, n=1) -> str:
    body = sink.wait_for_mail(to, n).get_content()
    return re.search(r"http://crm\.test/confirm/([\w-]+)", body).group(1)


def test_sign_up_mails_a_link_and_confirming_gives_consent_with_evidence(store, texts, sink, users):
    from store import consent, optin
    from store.db import database
    from store.models import Consent, Contact, OptIn
    from store.scope import Scope

    web = Scope.web()
    assert optin.sign_up(web, "newsletter", email=" Karen@Firma.dk ", name="Karen Blixen", ip="192.0.2.7",
                         user_agent="Firefox/140")
    mail = sink.wait_for_mail(ADDRESS)
    assert mail["Subject"] == "Bekræft din tilmelding" and mail["From"] == "nyhed@smedjen.dk"
    assert texts[("newsletter", "da")].wording in mail.get_content()
    token = _link_token(sink)
    assert len(token) >= 22  # >= 128 bits in base64
    (row,) = OptIn.select()
    assert token not in (row.token_hash, row.email) and row.token_hash == optin.hash_token(token)
    assert not database.execute_sql("SELECT 1 FROM opt_in WHERE token_hash = ?", (token,)).fetchone()
    assert Consent.select().count() == 0 and Contact.select().count() == 0  # nothing before the click

    seen = optin.pending(web, token)  # what a GET shows: reading only
    assert seen.purpose == "newsletter" and OptIn.select().count() == 1

    cid = optin.confirm(web, token, ip="198.51.100.4", user_agent="Firefox/140")
    (given,) = consent.consents_of(Scope(users["manager"]), cid)
    assert (given.status, given.method, given.text_id) == ("given", "web_double_opt_in",
                                                           texts[("newsletter", "da")].id)
    assert [e.event for e in given.events] == ["given", "requested"]
    assert "ip=192.0.2.7" in given.events[0].evidence and "ip=198.51.100.4" in given.events[0].evidence
    assert Contact.get_by_id(cid).email == ADDRESS and OptIn.select().count() == 0
    with pytest.raises(optin.LinkNotValid):  # single use
        optin.confirm(web, token)


def test_an_expired_link_confirms_nothing_and_is_deleted(store, texts, sink):
    from store import optin
    from store.models import AuditEvent, Consent, OptIn
    from store.scope import Scope

    web = Scope.web()
    optin.sign_up(web, "offers", email=ADDRESS, name="Karen")
    token = _link_token(sink)
    later = dt.datetime.now() + dt.timedelta(days=8)  # confirm_days = 7
    with pytest.raises(optin.LinkNotValid) as caught:
        optin.pending(web, token, now=later)
    assert caught.value.expired
    assert optin.expire(web, now=later) == 1
    assert OptIn.select().count() == 0 and Consent.select().count() == 0
    row = AuditEvent.select().where(AuditEvent.action == "consent.web_expired").get()
    assert row.detail == '{"count":1}'  # a count, no address


def test_no_second_mail_within_the_cool_down(store, texts, sink):
    from store import optin
    from store.scope import Scope

    web = Scope.web()
    assert optin.sign_up(web, "newsletter", email=ADDRESS, name="Karen")
    optin.confirm(web, _link_token(sink))
    assert not optin.sign_up(web, "newsletter", email=ADDRESS, name="Karen")  # confirmed just now
    assert optin.sign_up(web, "events", email=ADDRESS, name="Karen")  # another list is another question
    assert not optin.sign_up(web, "events", email=ADDRESS, name="Karen")  # pending: not mailed again
    assert len(sink.to(ADDRESS)) == 2


def test_bad_input_records_nothing(store, texts, sink):
    from store import optin
    from store.errors import Invalid
    from store.models import OptIn
    from store.scope import Scope

    web = Scope.web()
    for email, name in (("not-an-address", "Karen"), ("a" * 250 + "@firma.dk", "Karen"),
                        (ADDRESS, "Karen\r\nBcc: victim@example.com"), (ADDRESS, "")):
        with pytest.raises(Invalid):
            optin.sign_up(web, "newsletter", email=email, name=name)
    with pytest.raises(Invalid):
        optin.sign_up(web, "lottery", email=ADDRESS, name="Karen")
    assert OptIn.select().count() == 0 and sink.messages == []


def test_the_web_scope_can_do_nothing_else(store, users):
    from store import contacts
    from store.errors import Forbidden
    from store.scope import Scope

    web = Scope.web()
    with pytest.raises(Forbidden):
        contacts.create_contact(web, first_name="X")
    assert list(web.contacts()) == [] and list(web.consents()) == []


def test_an_erased_person_comes_back_only_through_a_confirmed_opt_in(store, texts, sink, users):
    from store import mailing, optin
    from store.db import database
    from store.models import ErasureLedger
    from store.rights import ledger
    from store.scope import Scope

    with database.atomic():
        ledger.add_entry(ADDRESS, None, "erasure")
    optin.sign_up(Scope.web(), "newsletter", email=ADDRESS, name="Karen")
    assert ledger.is_erased(email=ADDRESS)  # a sign-up alone changes nothing
    cid = optin.confirm(Scope.web(), _link_token(sink))
    assert not ledger.is_erased(email=ADDRESS) and ErasureLedger.select().count() == 0
    assert [r.contact_id for r in mailing.recipients(Scope(users["manager"]), "newsletter")] == [cid]
