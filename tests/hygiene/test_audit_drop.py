"""Audit rows older than `retention.audit_years` are dropped, and the chain still verifies:
the last dropped row's hash is kept inside and noted in the checkpoint file outside."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from store import audit, audit_retention, checkpoints, hygiene, runtime
from store.db import database
from store.models import AuditEvent, AuditTruncation
from store.scope import Scope

NOW = dt.datetime(2030, 6, 1, 3, 30)


def _old_rows(n: int, at: str) -> None:
    with database.atomic():
        for i in range(n):
            audit._append(None, "demo.old", "contact", i, {"count": i}, at=at)


def test_old_rows_go_and_audit_verify_still_passes(store, run_cli):
    _old_rows(20, "2024-01-01 10:00:00")
    checkpoints.take(store)  # a checkpoint of a row that is about to be dropped
    _old_rows(10, "2024-02-01 10:00:00")
    _old_rows(5, "2025-07-01 10:00:00")  # younger than 5 years on NOW: kept
    last_old = AuditEvent.select().where(AuditEvent.at < "2025-06-01").order_by(AuditEvent.id.desc()).first()
    assert hygiene.due(NOW)["audit_rows"] == last_old.id

    assert hygiene.apply_job(Scope.console(), "audit_rows", NOW) == last_old.id
    assert AuditEvent.select().where(AuditEvent.id <= last_old.id).count() == 0
    (truncation,) = AuditTruncation.select()
    assert (truncation.through_id, truncation.through_hash) == (last_old.id, last_old.hash)
    assert audit.verify().ok
    # the dropped head is noted outside the database too
    lines = [json.loads(x) for x in checkpoints.checkpoint_file(store).read_text().splitlines()]
    assert lines[-1]["kind"] == audit_retention.DROP_KIND and lines[-1]["seq"] == last_old.id
    assert hygiene.due(NOW)["audit_rows"] == 0  # idempotent

    runtime.close_store()
    proc = run_cli(store, "audit", "verify")
    assert proc.returncode == 0, proc.stderr
    assert "audit trail intact" in proc.stdout
    assert "dropped under retention.audit_years" in proc.stderr  # the older checkpoint, set aside


def test_a_kept_row_still_cannot_be_deleted(store):
    _old_rows(3, "2020-01-01 10:00:00")
    _old_rows(2, "2030-01-01 10:00:00")
    audit_retention.drop_expired(Scope.console(), NOW)
    kept = AuditEvent.select().order_by(AuditEvent.id).first()
    with pytest.raises(Exception, match="append-only"), database.atomic():
        AuditEvent.delete().where(AuditEvent.id == kept.id).execute()
    with pytest.raises(Exception, match="append-only"), database.atomic():
        AuditTruncation.delete().execute()


def test_a_rewritten_dropped_head_is_caught(store, run_cli):
    """A checkpoint noting the last dropped row disagrees with a forged truncation note."""
    _old_rows(4, "2020-01-01 10:00:00")
    _old_rows(1, "2030-01-01 10:00:00")
    audit_retention.drop_expired(Scope.console(), NOW)
    (row,) = AuditTruncation.select()
    database.execute_sql('DROP TRIGGER "audit_truncation_no_update"')
    database.execute_sql("UPDATE audit_truncation SET through_hash = ?", ("f" * 64,))
    report = checkpoints.verify_everything(store)
    assert not report.ok and report.first.row <= row.through_id + 1


def test_a_backup_taken_after_a_drop_verifies(store):
    """The backup's own chain check starts from the dropped head too (store/backup/files.py)."""
    from store.backup.create import create_backup
    from store.backup.verify import verify_backup

    _old_rows(6, "2020-01-01 10:00:00")
    _old_rows(2, "2030-01-01 10:00:00")
    assert audit_retention.drop_expired(Scope.console(), NOW) == 6
    manifest = create_backup(rotate=False)
    report = verify_backup(store.backup_dir / manifest.file)
    assert report.ok, report.problems
