"""The change feed: what one session process commits, another one's Watcher sees
on its next poll (the TUI polls every second)."""
from __future__ import annotations

import json
import os

from store import changes, contacts
from store.changes import Watcher
from store.models import LoginSession
from store.scope import Scope

WRITER = """
import json
import os
from store import contacts
from store.models import User
from store.scope import Scope
runtime.open_store()
scope = Scope(User.get_by_id(int(sys.argv[1])))
new = contacts.create_contact(scope, first_name="Fra", last_name="Andenproces")
edited = int(sys.argv[2])
version = scope.contact(edited).version
contacts.update_contact(scope, edited, version, title="Ændret")
print(json.dumps({"new": new}))
"""


def test_another_process_write_is_seen_on_the_next_poll(store, users, run_python):
    manager = Scope(users["manager"])
    existing = contacts.create_contact(manager, first_name="Eksisterende")
    watcher = Watcher()
    assert watcher.poll() == []                       # nothing new yet

    proc = run_python(store, WRITER, users["manager"].id, existing)
    new = json.loads(proc.stdout)["new"]

    seen = [(c.entity, c.entity_id, c.op) for c in watcher.poll()]
    assert seen == [("contact", new, "insert"), ("contact", existing, "update")]
    assert watcher.poll() == []                       # each change once
    row = contacts.get_contact(manager, existing, audit_view=False)
    assert row.title == "Ændret"                      # and the data is there to show


def test_nothing_committed_means_no_reads(store, users):
    watcher = Watcher()
    seq = watcher.seq
    for _ in range(3):
        assert watcher.poll() == []
    assert watcher.seq == seq


def test_a_watcher_started_late_skips_history_and_pages_through_bursts(store, users, run_python):
    manager = Scope(users["manager"])
    for n in range(3):
        contacts.create_contact(manager, first_name=f"Før{n}")
    watcher = Watcher()                               # starts from now: old changes are not news
    run_python(store, """
        from store import changes
        runtime.open_store()
        with database.atomic():
            changes.record_many("contact", range(1000, 1025), "update")
    """)
    first = watcher.poll(limit=10)
    second = watcher.poll(limit=10)
    third = watcher.poll(limit=10)
    assert [c.entity_id for c in first + second + third] == list(range(1000, 1025))
    assert watcher.poll(limit=10) == []
    assert changes.latest_seq() == watcher.seq


def test_a_sessions_own_changes_are_not_news_to_it(store, users, run_python):
    manager = Scope(users["manager"])
    existing = contacts.create_contact(manager, first_name="Eksisterende")
    # two live sessions of the manager's (the store refuses a scope whose session is not live)
    seven, eight = (LoginSession.create(user=users["manager"], pid=os.getpid(),
                                        auth_epoch=users["manager"].auth_epoch).id for _ in range(2))
    mine, theirs = Watcher(own_session=seven), Watcher(own_session=eight)
    run_python(store, """
        from store import contacts
        from store.models import User
        from store.scope import Scope
        runtime.open_store()
        scope = Scope(User.get_by_id(int(sys.argv[1])), session_id=int(sys.argv[3]))
        contacts.update_contact(scope, int(sys.argv[2]), 1, title="Min egen")
    """, users["manager"].id, existing, seven)
    assert mine.poll() == []                          # the session that wrote is not told
    assert [(c.entity, c.entity_id, c.session_id) for c in theirs.poll()] == [("contact", existing, seven)]
    run_python(store, """
        from store import contacts
        from store.models import User
        from store.scope import Scope
        runtime.open_store()
        contacts.update_contact(Scope(User.get_by_id(int(sys.argv[1]))), int(sys.argv[2]), 2, title="Konsol")
    """, users["admin"].id, existing)                 # no session (the console): news to every session
    assert [c.entity_id for c in mine.poll()] == [existing]
    assert [c.entity_id for c in theirs.poll()] == [existing]
