"""The audit trail anchored outside the database: the two attacks a reviewer made with the
database key (cut the newest rows off; delete every access.denied row and recompute the
chain) both pass the bare hash chain, and `minicrm audit verify` names them against a
checkpoint.  Everything through the real `minicrm` program on a real SQLCipher file."""
from __future__ import annotations

import csv
import io
import json

import pytest

from store import audit, contacts, runtime
from store.db import database
from store.errors import NotFound
from store.models import AuditEvent
from store.scope import Scope


def _rows() -> list[AuditEvent]:
    return list(AuditEvent.select().order_by(AuditEvent.id))


def _without_triggers(statements) -> None:
    """What someone holding the key does: drop the triggers, change history, put them back."""
    triggers = database.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'").fetchall()
    with database.atomic():
        database.execute_sql('DROP TRIGGER "audit_event_no_update"')
        database.execute_sql('DROP TRIGGER "audit_event_no_delete"')
        statements()
        for (sql,) in triggers:
            database.execute_sql(sql)


def _as_a_restore_leaves_it(last: int) -> None:
    """A restored backup ends at `last`, its id counter with it (the whole file is replaced)."""
    database.execute_sql("DELETE FROM audit_event WHERE id > ?", (last,))
    database.execute_sql("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_event'", (last,))


def _recompute_chain() -> None:
    prev = audit.GENESIS
    for e in _rows():
        at = e.at if isinstance(e.at, str) else e.at.isoformat(sep=" ")
        digest = audit._digest(at, e.actor_id, e.action, e.entity, e.entity_id, e.detail, prev)
        database.execute_sql("UPDATE audit_event SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, e.id))
        prev = digest


@pytest.fixture
def trail(store, users):
    """A trail of about 60 rows with some access.denied rows among them."""
    sales, other = Scope(users["sales"]), Scope(users["sales2"])
    hidden = contacts.create_contact(other, first_name="Skjult")
    for n in range(30):
        cid = contacts.create_contact(sales, first_name=f"Kunde{n}")
        if n % 7 == 3:
            with pytest.raises(NotFound):
                contacts.get_contact(sales, hidden)
        contacts.get_contact(sales, cid)
    return store


def _checkpoint(run_cli, config) -> dict:
    runtime.close_store()
    proc = run_cli(config, "audit", "checkpoint")
    assert proc.returncode == 0, proc.stderr
    assert "audit checkpoint: row " in proc.stdout
    runtime.open_store(config)
    path = config.source.parent / "audit-checkpoints.jsonl"
    return json.loads(path.read_text().splitlines()[-1])


def _verify(run_cli, config):
    runtime.close_store()
    return run_cli(config, "audit", "verify")


def test_a_checkpoint_notes_the_head_outside_the_database(trail, run_cli):
    point = _checkpoint(run_cli, trail)
    newest = _rows()[-1]
    assert (point["seq"], point["head"], point["rows"]) == (newest.id, newest.hash, len(_rows()))
    assert (trail.source.parent / "audit-checkpoints.jsonl").stat().st_mode & 0o777 == 0o640
    proc = _verify(run_cli, trail)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1] == "agrees with 1 checkpoints (found: 1 in the checkpoint file)"


def test_cutting_off_the_newest_20_rows_is_named_against_the_checkpoint(trail, run_cli):
    point = _checkpoint(run_cli, trail)
    ids = [e.id for e in _rows()]
    _without_triggers(lambda: database.execute_sql("DELETE FROM audit_event WHERE id > ?", (ids[-21],)))
    assert audit.verify().ok  # the bare chain cannot see it: that was the reviewer's finding
    proc = _verify(run_cli, trail)
    assert proc.returncode == 1
    first = proc.stderr.splitlines()[0]
    assert first.startswith(f"minicrm: audit trail broken at row {ids[-20]}: rows {ids[-20]}-{point['seq']} "
                            f"are missing"), first
    assert "checkpoint file" in first


def test_cut_rows_written_over_by_new_ones_are_still_found(trail, run_cli):
    """New rows after the cut: ids are never reused (AUTOINCREMENT), so the cut rows stay a gap
    and the checkpoint's row is gone."""
    point = _checkpoint(run_cli, trail)
    ids = [e.id for e in _rows()]
    _without_triggers(lambda: database.execute_sql("DELETE FROM audit_event WHERE id > ?", (ids[-21],)))
    for n in range(25):
        audit.record(None, "test.filler", n=n)
    assert audit.verify().ok
    proc = _verify(run_cli, trail)
    assert proc.returncode == 1
    assert f"rows {ids[-20]}-{point['seq']} are missing" in proc.stderr
    assert f"row {point['seq']}, " in proc.stderr and "is gone" in proc.stderr


def test_deleting_every_access_denied_row_and_recomputing_the_chain_is_named(trail, run_cli):
    _checkpoint(run_cli, trail)
    denied = [e.id for e in _rows() if e.action == "access.denied"]
    assert len(denied) >= 3

    def tamper():
        database.execute_sql("DELETE FROM audit_event WHERE action = 'access.denied'")
        _recompute_chain()

    _without_triggers(tamper)
    assert audit.verify().ok  # recomputed: the bare chain is whole again
    proc = _verify(run_cli, trail)
    assert proc.returncode == 1
    first = proc.stderr.splitlines()[0]
    assert first == (f"minicrm: audit trail broken at row {denied[0]}: row {denied[0]} is missing "
                     f"(deleted: audit rows are never removed)")
    assert "is not the row the checkpoint file" in proc.stderr  # the head was rewritten too


def test_renumbering_the_rows_as_well_is_still_found(trail, run_cli):
    """No gap left in the ids either: only the checkpoint can tell."""
    point = _checkpoint(run_cli, trail)
    for n in range(12):  # the trail goes on past the checkpoint's row, renumbered or not
        audit.record(None, "test.after", n=n)

    def tamper():
        database.execute_sql("DELETE FROM audit_event WHERE action = 'access.denied'")
        for new_id, e in enumerate(_rows(), 1):
            database.execute_sql("UPDATE audit_event SET id = ? WHERE id = ?", (new_id, e.id))
        _recompute_chain()

    _without_triggers(tamper)
    assert audit.verify().ok
    proc = _verify(run_cli, trail)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"minicrm: audit trail broken at row {point['seq']}: row {point['seq']} "
                                  f"is not the row the checkpoint file")


def test_a_copy_shipped_off_the_machine_and_a_backup_manifest_are_checked_too(trail, run_cli, tmp_path):
    point = _checkpoint(run_cli, trail)
    shipped = tmp_path / "offsite.jsonl"
    local = trail.source.parent / "audit-checkpoints.jsonl"
    shipped.write_text(local.read_text())
    local.unlink()  # the attacker removes the local file as well
    manifests = tmp_path / "copied-manifests"  # not backup.folder: given with --manifests
    manifests.mkdir()
    (manifests / "crm-2026-12-02.json").write_text(json.dumps(
        {"created_at": "2026-12-02T03:00:00Z", "audit_head": [point["seq"], point["head"]]}))
    ids = [e.id for e in _rows()]
    _without_triggers(lambda: database.execute_sql("DELETE FROM audit_event WHERE id > ?", (ids[-4],)))
    runtime.close_store()
    proc = run_cli(trail, "audit", "verify", "--checkpoints", str(shipped), "--manifests", str(manifests))
    assert proc.returncode == 1
    assert f"{shipped} line 1" in proc.stderr
    assert "backup manifest" in proc.stderr
    proc = run_cli(trail, "audit", "verify")  # no checkpoint left: the id counter still tells
    assert proc.returncode == 1 and "the database numbered rows up to" in proc.stderr


def test_a_restore_marker_sets_older_checkpoints_aside(trail, run_cli):
    from store import checkpoints

    _checkpoint(run_cli, trail)
    ids = [e.id for e in _rows()]
    _without_triggers(lambda: _as_a_restore_leaves_it(ids[-6]))
    checkpoints.note_restore(trail)  # what a backup restore writes: the trail now legitimately ends here
    proc = _verify(run_cli, trail)
    assert proc.returncode == 0, proc.stderr
    assert "predate the restore" in proc.stderr


def test_a_backup_restore_row_explains_the_rows_the_restore_took_back(trail, run_cli):
    """store.backup's restore writes `backup.restore` with the backup's audit head."""
    _checkpoint(run_cli, trail)
    ids = [e.id for e in _rows()]
    _without_triggers(lambda: _as_a_restore_leaves_it(ids[-6]))
    audit.record(None, "backup.restore", file="minicrm-x.db", audit_head=ids[-6], replaced_head=ids[-1])
    proc = _verify(run_cli, trail)
    assert proc.returncode == 0, proc.stderr
    assert f"(back to row {ids[-6]}) and were set aside" in proc.stderr


def test_the_export_for_an_auditor_is_the_rows_as_they_are_with_safe_cells(trail, run_cli, tmp_path):
    audit.record(None, "=HYPERLINK(\"http://x\")", "contact", 1)
    expected = _rows()
    runtime.close_store()
    out = tmp_path / "audit.csv"
    proc = run_cli(trail, "audit", "export", "--since", "2000-01-01", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{len(expected)} audit rows exported to {out}"
    table = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [int(r["id"]) for r in table] == [e.id for e in expected]
    assert table[-1]["action"] == "'=HYPERLINK(\"http://x\")"
    assert table[0]["hash"] == expected[0].hash
    assert "Kunde" not in out.read_text() and "Skjult" not in out.read_text()
    later = run_cli(trail, "audit", "export", "--since", "2999-01-01")
    assert later.returncode == 0 and later.stdout.strip().splitlines() == [
        "id,at,actor_id,action,entity,entity_id,detail,prev_hash,hash"]
    again = run_cli(trail, "audit", "export", "--since", "2000-01-01", "--output", str(out))
    assert again.returncode != 0  # an earlier export is never overwritten
    runtime.open_store(trail)
    assert [e.action for e in _rows()][-2:] == ["audit.export", "audit.export"]
