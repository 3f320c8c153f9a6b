"""Rectification (Art. 16): validated, audited by field name, and seen by every open session at once."""
from __future__ import annotations

import json

import pytest

WATCH = """
runtime.open_store()
from store.changes import Watcher
from store.models import Contact

contact_id = int(sys.argv[1])
watcher = Watcher()
print("ready", flush=True)
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    for change in watcher.poll():
        if (change.entity, change.entity_id, change.op) == ("contact", contact_id, "update"):
            c = Contact.get_by_id(contact_id)
            print("seen", c.first_name, c.email, c.version, flush=True)
            sys.exit(0)
    time.sleep(0.05)
print("timeout", flush=True)
sys.exit(1)
"""


def test_a_correction_reaches_another_process(store, users, scopes, make_person, handled_by, spawn_python):
    from store.contacts import get_contact, update_contact
    from store.models import AuditEvent

    p = make_person()
    handled_by("privacy", p.id, "rectification")
    session = spawn_python(store, WATCH, p.id)
    try:
        assert session.stdout.readline().strip() == "ready", session.stderr.read()
        version = get_contact(scopes["privacy"], p.id, audit_view=False).version
        new_version = update_contact(scopes["privacy"], p.id, version, first_name="Rettet",
                                     email="Rettet.Navn@Example.DK")
        out, err = session.communicate(timeout=60)
    finally:
        if session.poll() is None:
            session.kill()
            session.wait()
    assert session.returncode == 0, err
    assert out.split() == ["seen", "Rettet", "rettet.navn@example.dk", str(new_version)]
    event = (AuditEvent.select().where((AuditEvent.action == "contact.edit") & (AuditEvent.entity_id == p.id))
             .get())
    assert event.actor_id == users["privacy"].id
    assert json.loads(event.detail) == {"fields": ["email", "first_name"]}  # names, not values


def test_a_correction_is_validated_and_limited_to_who_the_person_is(store, scopes, make_person, handled_by):
    from store.contacts import get_contact, update_contact
    from store.errors import Invalid
    from store.scope import Forbidden

    p = make_person()
    handled_by("privacy", p.id, "rectification")
    version = get_contact(scopes["privacy"], p.id, audit_view=False).version
    with pytest.raises(Invalid, match="email"):
        update_contact(scopes["privacy"], p.id, version, email="karen(at)x.dk")
    with pytest.raises(Invalid, match="phone"):
        update_contact(scopes["privacy"], p.id, version, phone="12")
    with pytest.raises(Forbidden):  # the sales pipeline is not the person's identity
        update_contact(scopes["privacy"], p.id, version, lifecycle="customer")
    assert get_contact(scopes["privacy"], p.id, audit_view=False).email == p.email
