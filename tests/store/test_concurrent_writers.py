"""Many session processes writing the same file at once: nobody sees
"database is locked", and no update is lost."""
from __future__ import annotations

import json

import pytest

from store import contacts
from store.db import database
from store.models import Contact
from store.scope import Scope

PROCESSES = 8
TRANSACTIONS = 200

EDITOR = """
import json
from store import contacts
from store.models import User
from store.scope import Scope
runtime.open_store()
scope = Scope(User.get_by_id(int(sys.argv[2])))
cid = int(sys.argv[3])
print("ready", flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.005)
conflicts = 0
for n in range(int(sys.argv[4])):
    while True:
        current = scope.contact(cid)            # read the counter and the version it belongs to
        try:
            contacts.update_contact(scope, cid, current.version, title=str(int(current.title) + 1))
            break
        except contacts.Conflict:
            conflicts += 1                      # someone saved first: read again, try again
print(json.dumps({"conflicts": conflicts}), flush=True)
"""

COUNTER = """
import json
runtime.open_store()
print("ready", flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.005)
for n in range(int(sys.argv[2])):
    with database.atomic():                     # BEGIN IMMEDIATE: read-modify-write under the lock
        (value,) = database.execute_sql("SELECT n FROM test_counter WHERE id = 1").fetchone()
        database.execute_sql("UPDATE test_counter SET n = ? WHERE id = 1", (value + 1,))
print(json.dumps({"conflicts": 0}), flush=True)
"""


def run_together(spawn_python, config, go, code, argv_of) -> list[dict]:
    """Start PROCESSES snippets, release them at once, return their JSON reports."""
    procs = [spawn_python(config, code, go, *argv_of(i)) for i in range(PROCESSES)]
    try:
        for p in procs:
            line = p.stdout.readline().strip()
            assert line == "ready", p.stderr.read()
        go.touch()
        outputs = [p.communicate(timeout=300) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    reports = []
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert "locked" not in err.lower() and "busy" not in err.lower(), err
        assert p.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


@pytest.mark.slow
def test_optimistic_edits_from_many_processes_lose_nothing(store, users, spawn_python, tmp_path):
    manager = Scope(users["manager"])
    cid = contacts.create_contact(manager, first_name="Tæller", title="0")
    from store.runtime import close_store

    close_store()
    reports = run_together(spawn_python, store, tmp_path / "go", EDITOR,
                           lambda i: (users["manager"].id, cid, TRANSACTIONS))

    from store import audit
    from store.runtime import open_store

    open_store(store)
    contact = Contact.get_by_id(cid)
    assert int(contact.title) == PROCESSES * TRANSACTIONS           # no lost update
    assert contact.version == 1 + PROCESSES * TRANSACTIONS
    assert sum(r["conflicts"] for r in reports) > 0                  # they really collided
    from store.models import AuditEvent

    assert AuditEvent.select().where(AuditEvent.action == "contact.edit").count() == PROCESSES * TRANSACTIONS
    assert audit.verify().ok
    assert [r.id for r in contacts.search_contacts(manager, "tæller")] == [cid]


@pytest.mark.slow
def test_read_modify_write_in_immediate_transactions_loses_nothing(store, spawn_python, tmp_path):
    with database.atomic():
        database.execute_sql("CREATE TABLE test_counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        database.execute_sql("INSERT INTO test_counter VALUES (1, 0)")
    from store.runtime import close_store, open_store

    close_store()
    run_together(spawn_python, store, tmp_path / "go", COUNTER, lambda i: (TRANSACTIONS,))
    open_store(store)
    (value,) = database.execute_sql("SELECT n FROM test_counter WHERE id = 1").fetchone()
    assert value == PROCESSES * TRANSACTIONS
