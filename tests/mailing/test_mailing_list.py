"""A mailing list holds only people who consented to it, and never the restricted."""
import csv
import io

import pytest


def _person(scope, first, email, *, consent=None, withdrawn=False):
    from store.contacts import create_contact
    from store.db import database
    from store.models import Consent, utcnow

    cid = create_contact(scope, first_name=first, last_name="Test", email=email)
    if consent:
        with database.atomic():
            Consent.create(contact=cid, purpose=consent, channel="email",
                           status="withdrawn" if withdrawn else "given", given_at=utcnow(),
                           withdrawn_at=utcnow() if withdrawn else None, method="paper", text_version="v1")
    return cid


def test_only_consenting_usable_people_are_on_the_list(store, users):
    from store import mailing
    from store.rights import restrict_person
    from store.scope import Scope

    manager = Scope(users["manager"])
    yes = _person(manager, "Søren", "soren@firma.dk", consent="newsletter")
    _person(manager, "Mette", "mette@firma.dk", consent="newsletter", withdrawn=True)
    _person(manager, "Jens", "jens@firma.dk", consent="offers")
    _person(manager, "Lone", "lone@firma.dk")
    restricted = _person(manager, "Åse", "aase@firma.dk", consent="newsletter")
    restrict_person(Scope(users["privacy"]), restricted)
    formula = _person(manager, "=HYPERLINK", "x@firma.dk", consent="newsletter")

    out = io.BytesIO()
    assert mailing.write_list_csv(manager, "newsletter", out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8"))))
    assert [r["email"] for r in rows] == ["soren@firma.dk", "x@firma.dk"]
    assert rows[1]["first_name"] == "'=HYPERLINK"  # neutralised: no spreadsheet formula
    assert {yes, formula} == {r.contact_id for r in mailing.recipients(manager, "newsletter")}


def test_roles_and_unknown_lists(store, users):
    from store import mailing
    from store.db import StoreError
    from store.models import AuditEvent
    from store.scope import Forbidden, Scope

    for role in ("sales", "finance", "privacy"):
        with pytest.raises(Forbidden):
            mailing.write_list_csv(Scope(users[role]), "newsletter", io.BytesIO())
    with pytest.raises(StoreError, match="unknown mailing list"):
        mailing.recipients(Scope(users["admin"]), "../etc/passwd")
    mailing.write_list_csv(Scope(users["admin"]), "events", io.BytesIO())
    row = AuditEvent.select().where(AuditEvent.action == "mailing.export").get()
    assert row.actor_id == users["admin"].id and '"rows":0' in row.detail
