"""`minicrm rekey`: the old key stops opening the file, every sealed secret still works."""
from __future__ import annotations

import stat

import pytest

from store import backup, rekey
from store.backup import files
from store.db import key_opens_file, read_key_file
from store.errors import WrongKey
from store.scope import Scope

from .conftest import login_with_totp


def test_after_a_rekey_the_old_key_fails_and_a_user_logs_in_with_totp(store, totp_user):
    from store.auth.sessions import Session
    from store.contacts import create_contact
    from store.rights import erase_person, is_erased

    gone = create_contact(Scope.console(), first_name="Gone", last_name="Person", email="gone@example.dk")
    erase_person(Scope.console(), gone, legal_basis="art17_1a")
    old_key = read_key_file(store.key_path)
    old_backup = backup.create_backup()

    report = rekey.rekey()

    new_key = read_key_file(store.key_path)
    assert new_key == report.new_key != old_key
    assert stat.S_IMODE(store.key_path.stat().st_mode) == 0o600
    assert key_opens_file(store.db_path, old_key) is False
    with pytest.raises(WrongKey):
        files.connect(store.db_path, old_key)
    assert report.totp_resealed == 1
    assert isinstance(login_with_totp(*totp_user), Session)
    assert is_erased(email="gone@example.dk")  # the ledger's hashes still recognise the erased
    # the backup taken before is re-encrypted: it verifies under the new key, not the old
    path = old_backup.path_in(store.backup_dir)
    assert report.reencrypted == [path] and not report.still_old
    assert backup.verify_backup(path).ok
    assert not backup.verify_backup(path, old_key, record=False).ok
    assert not rekey.pending_key_path(store).exists() and not rekey.staging_path(store).exists()


def test_two_rekeys_in_a_row_keep_totp_and_the_ledger(store, totp_user):
    from store.auth.sessions import Session
    from store.contacts import create_contact
    from store.rights import erase_person, is_erased

    gone = create_contact(Scope.console(), first_name="Gone", last_name="Twice", email="twice@example.dk")
    erase_person(Scope.console(), gone, legal_basis="art17_1a")
    rekey.rekey()
    rekey.rekey()
    assert isinstance(login_with_totp(*totp_user), Session)
    assert is_erased(email="twice@example.dk")
    from store import audit

    assert audit.verify().ok


def test_a_backup_kept_elsewhere_from_before_a_rekey_restores_with_the_old_key(store, totp_user, tmp_path):
    import os

    from store.auth.sessions import Session
    from store.contacts import create_contact
    from store.errors import StoreError
    from store.rights import erase_person, is_erased

    create_contact(Scope.console(), first_name="Kept", last_name="Person", email="kept@example.dk")
    later = create_contact(Scope.console(), first_name="Later", last_name="Gone", email="later@example.dk")
    offsite = tmp_path / "offsite"
    manifest = backup.create_backup(offsite)
    old_key_file = tmp_path / "old.key"
    fd = os.open(old_key_file, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, store.key_path.read_bytes())
    os.close(fd)
    report = rekey.rekey()
    assert report.reencrypted == []  # not in backup.folder: the rekey cannot know about it
    erase_person(Scope.console(), later, legal_basis="art17_1a")

    path = manifest.path_in(offsite)
    with pytest.raises(StoreError, match="does not open"):
        backup.restore_backup(path)
    restored = backup.restore_backup(path, key=read_key_file(old_key_file))

    assert restored.erased_again == [later] and is_erased(email="later@example.dk")
    assert key_opens_file(store.db_path, read_key_file(store.key_path)) is True
    assert isinstance(login_with_totp(*totp_user), Session)
