"""The audit trail: what is written, what is never written, that it cannot be
edited, that tampering behind the triggers is found, and that concurrent
writers keep one linear chain."""
from __future__ import annotations

import itertools
import json

import pytest

from store import audit, contacts
from store.db import database
from store.errors import Forbidden
from store.models import AuditEvent
from store.scope import Scope

CANARY = dict(first_name="Vibekanarie", last_name="Fjerbøllesen", title="Hemmelig stilling",
              email="vibe.fjer@kanarie-audit.dk", phone="+45 28 76 54 32")
CANARY_VALUES = ["vibekanarie", "fjerbøllesen", "fjerbollesen", "hemmelig", "kanarie-audit", "28765432",
                 "+4528765432", "rettetnavn", "ny@kanarie-audit.dk"]


def rows(**where) -> list[AuditEvent]:
    q = AuditEvent.select().order_by(AuditEvent.id)
    for key, value in where.items():
        q = q.where(getattr(AuditEvent, key) == value)
    return list(q)


def test_views_creates_edits_and_searches_are_audited_without_values(store, users):
    sales = Scope(users["sales"])
    cid = contacts.create_contact(sales, tags=["kanarie-tag"], **CANARY)
    (created,) = rows(action="contact.create")
    assert (created.actor_id, created.entity, created.entity_id) == (users["sales"].id, "contact", cid)
    assert json.loads(created.detail)["fields"] == sorted(["email", "first_name", "last_name", "owner_id",
                                                            "phone", "title"])

    contacts.get_contact(sales, cid)
    (viewed,) = rows(action="contact.view")
    assert (viewed.actor_id, viewed.entity_id) == (users["sales"].id, cid)

    version = contacts.get_contact(sales, cid, audit_view=False).version
    contacts.update_contact(sales, cid, version, last_name="Rettetnavn", email="ny@kanarie-audit.dk")
    (edited,) = rows(action="contact.edit")
    assert json.loads(edited.detail) == {"fields": ["email", "last_name"]}

    for typed in ("vibekanarie", "rettetnavn", "28 76 54 32"):
        assert contacts.search_contacts(sales, typed)
    assert rows(action="contact.search") == []       # buffered: no disk write per keystroke
    audit.flush()
    searches = rows(action="contact.search")
    assert [json.loads(s.detail) for s in searches] == [{"count": 3}]
    assert searches[0].actor_id == users["sales"].id

    contacts.set_tags(sales, cid, ["hemmelig-tag"])
    assert json.loads(rows(action="contact.tags")[0].detail) == {"count": 1}

    everything = json.dumps([[e.at.isoformat() if hasattr(e.at, "isoformat") else e.at, e.actor_id,
                              e.action, e.entity, e.entity_id, e.detail] for e in rows()]).lower()
    for value in CANARY_VALUES:
        assert value not in everything, value
    assert "kanarie-tag" not in everything and "hemmelig-tag" not in everything
    assert audit.verify().ok


def test_pending_searches_are_written_with_the_next_audit_row(store, users):
    sales = Scope(users["sales"])
    cid = contacts.create_contact(sales, first_name="Bo")
    contacts.search_contacts(sales, "bo")
    contacts.search_contacts(sales, "b")
    contacts.get_contact(sales, cid)
    actions = [e.action for e in rows()]
    assert actions[-2:] == ["contact.search", "contact.view"]


def test_denied_and_forbidden_access_is_audited(store, users):
    sales, finance = Scope(users["sales"]), Scope(users["finance"])
    other = contacts.create_contact(Scope(users["sales2"]), first_name="Anden")
    with pytest.raises(contacts.NotFound):
        contacts.get_contact(sales, other)
    with pytest.raises(Forbidden):
        contacts.create_contact(finance, first_name="X")
    (denied,) = rows(action="access.denied")
    assert (denied.actor_id, denied.entity, denied.entity_id) == (users["sales"].id, "contact", other)
    (forbidden,) = rows(action="access.forbidden")
    assert json.loads(forbidden.detail) == {"permission": "contact.create"}


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET detail = '{}' WHERE id = ?",
    "UPDATE audit_event SET actor_id = 99 WHERE id = ?",
    "DELETE FROM audit_event WHERE id = ?",
])
def test_the_trail_cannot_be_edited_or_deleted(store, users, statement):
    contacts.create_contact(Scope(users["admin"]), first_name="Ida")
    first = rows()[0]
    with pytest.raises(Exception, match="append-only"), database.atomic():
        database.execute_sql(statement, (first.id,))
    assert rows()[0].detail == first.detail
    assert audit.verify().ok


def test_tampering_behind_the_triggers_is_found_and_named(store, users, run_cli):
    admin = Scope(users["admin"])
    for n in range(5):
        contacts.create_contact(admin, first_name=f"Person{n}")
    target = rows(action="contact.create")[2]
    triggers = database.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'").fetchall()
    assert {name for name, _ in triggers} == {"audit_event_no_update", "audit_event_no_delete"}
    with database.atomic():
        database.execute_sql('DROP TRIGGER "audit_event_no_update"')
        database.execute_sql("UPDATE audit_event SET detail = ? WHERE id = ?", ('{"fields":[]}', target.id))
        database.execute_sql(dict(triggers)["audit_event_no_update"])
    report = audit.verify()
    assert not report.ok and report.first_broken == target.id

    from store.runtime import close_store

    close_store()
    proc = run_cli(store, "audit", "verify")
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith(f"minicrm: audit trail broken at row {target.id}: ")


def test_a_deleted_row_breaks_the_chain_at_the_next_row(store, users):
    admin = Scope(users["admin"])
    for n in range(5):
        contacts.create_contact(admin, first_name=f"Person{n}")
    ids = [e.id for e in rows()]
    with database.atomic():
        database.execute_sql('DROP TRIGGER "audit_event_no_delete"')
        database.execute_sql("DELETE FROM audit_event WHERE id = ?", (ids[2],))
    assert audit.verify().first_broken == ids[3]


def test_an_intact_trail_verifies_on_the_command_line(store, users, run_cli):
    contacts.create_contact(Scope(users["admin"]), first_name="Ok")
    n = len(rows())
    head = AuditEvent.select().order_by(AuditEvent.id.desc()).first().hash
    from store.runtime import close_store

    close_store()
    proc = run_cli(store, "audit", "verify")
    assert proc.returncode == 0, proc.stderr
    # the head hash lets an admin notice, later, rows cut off the newest end
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == f"audit trail intact: {n} rows, head {head[:16]}"
    assert lines[1].startswith("no checkpoints found")


WRITER = """
from store import audit
runtime.open_store()
print("ready", flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.005)
for n in range(100):
    audit.record(int(sys.argv[2]), "test.append", "thing", n, n=n)
print("done", flush=True)
"""


def test_four_processes_appending_at_once_keep_one_linear_chain(store, users, spawn_python, tmp_path):
    from store.runtime import close_store

    before = len(rows())
    close_store()
    go = tmp_path / "go"
    procs = [spawn_python(store, WRITER, go, writer) for writer in range(1, 5)]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready", p.stderr.read()
        go.touch()
        results = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    for p, (_out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err, err

    from store.runtime import open_store

    open_store(store)
    report = audit.verify()
    assert report.ok, report
    assert report.rows == before + 400
    chain = rows()
    assert len({e.prev_hash for e in chain}) == len(chain)            # no fork
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(chain))
    per_writer = {w: [e.entity_id for e in chain if e.actor_id == w and e.action == "test.append"]
                  for w in range(1, 5)}
    assert all(ids == list(range(100)) for ids in per_writer.values())
