"""`minicrm rekey` killed at every step: one of the two keys opens the file, and the next
start finishes or undoes the job so that logins and the ledger work."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from store import backup, rekey, runtime
from store.backup import files
from store.db import read_key_file
from store.errors import StoreError
from store.scope import Scope

from .conftest import login_with_totp


def _opens(path, key_file) -> bool:
    try:
        key = read_key_file(key_file)
        with files.opened(path, key) as conn:
            return not files.integrity_problems(conn)
    except StoreError:  # a key file half-written, or a key that does not open it
        return False


@pytest.mark.parametrize("step", rekey.STEPS)
def test_rekey_killed_after_each_step_leaves_a_file_one_of_the_two_keys_opens(store, totp_user, step):
    from store.auth.sessions import Session
    from store.contacts import create_contact
    from store.rights import erase_person, is_erased

    for n in range(5):
        create_contact(Scope.console(), first_name=f"Keep{n}", last_name="Hansen")
    gone = create_contact(Scope.console(), first_name="Gone", last_name="Person", email="gone@example.dk")
    erase_person(Scope.console(), gone, legal_basis="art17_1a")
    backup.create_backup()
    old_key = read_key_file(store.key_path)
    runtime.close_store()

    env = dict(os.environ, MINICRM_CONFIG=str(store.source), MINICRM_TEST_KILL_AT=step)
    proc = subprocess.run([sys.executable, "-m", "console", "rekey"], env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == -signal.SIGKILL, proc.stderr

    pending = rekey.pending_key_path(store)
    assert _opens(store.db_path, store.key_path) or _opens(store.db_path, pending)

    runtime.open_store(store)  # finishes or undoes the stopped rekey
    assert not pending.exists() and not rekey.staging_path(store).exists()
    moved_on = read_key_file(store.key_path) != old_key
    assert moved_on == (rekey.STEPS.index(step) >= rekey.STEPS.index("database-swapped"))
    assert isinstance(login_with_totp(*totp_user), Session)
    assert is_erased(email="gone@example.dk")
    from store.db import database

    assert database.execute_sql("SELECT count(*) FROM contact WHERE first_name LIKE 'Keep%'").fetchone()[0] == 5
