"""`minicrm backup restore` killed after each step: the database is the old one or the restored
one, never missing or half-made, and the next start works."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from store import backup, runtime
from store.backup import restore
from store.scope import Scope


@pytest.mark.parametrize("step", restore.STEPS)
def test_restore_killed_after_each_step_leaves_the_old_or_the_restored_database(store, step):
    from store import audit
    from store.contacts import create_contact
    from store.db import database

    create_contact(Scope.console(), first_name="Before", last_name="Backup")
    manifest = backup.create_backup()
    create_contact(Scope.console(), first_name="After", last_name="Backup")
    runtime.close_store()

    env = dict(os.environ, MINICRM_CONFIG=str(store.source), MINICRM_TEST_KILL_AT=step)
    proc = subprocess.run([sys.executable, "-m", "console", "backup", "restore",
                           str(manifest.path_in(store.backup_dir))], env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == -signal.SIGKILL, proc.stderr

    runtime.open_store(store)
    names = {n for (n,) in database.execute_sql("SELECT first_name FROM contact")}
    restored = restore.STEPS.index(step) >= restore.STEPS.index("restore:swapped")
    assert names == ({"Before"} if restored else {"Before", "After"})
    assert audit.verify().ok
    # and a restore run again to its end works
    report = backup.restore_backup(manifest.path_in(store.backup_dir))
    assert report.replaced.exists()
    assert {n for (n,) in database.execute_sql("SELECT first_name FROM contact")} == {"Before"}
