"""The batch-command parser (SSH_ORIGINAL_COMMAND) and the single-use code check,
without sshd: parsing never runs anything, and a TOTP code works once."""
from __future__ import annotations

import time

import pyotp
import pytest

from console.batch import parse
from store.errors import CommandRefused as Refused


@pytest.mark.parametrize("line, name, permission, target, dry_run, otp", [
    ("import --otp 123456", "import", "import", None, False, "123456"),
    ("import --dry-run --otp=123456", "import", "import", None, True, "123456"),
    ("export person 42 --otp 123456", "export person", "person.export", "42", False, "123456"),
    ("export fetch 7 --otp 123456", "export fetch", "person.export", "7", False, "123456"),
    ("mailing export 'Nyhedsbrev 2026' --otp 123456", "mailing export", "mailing.export",
     "Nyhedsbrev 2026", False, "123456"),
])
def test_allowed_commands(line, name, permission, target, dry_run, otp):
    cmd = parse(line)
    assert (cmd.name, cmd.permission, cmd.target, cmd.dry_run, cmd.otp) == (
        name, permission, target, dry_run, otp)


def test_import_options():
    cmd = parse("import --format vcard --name 'Kontakter fra Søren.vcf' --otp 1")
    assert cmd.fmt == "vcard" and cmd.file_name == "Kontakter fra Søren.vcf"


@pytest.mark.parametrize("line, reason", [
    ("", "empty"),
    ("/bin/sh", "unknown_command"),
    ("scp -f data/crm.key", "unknown_command"),
    ("internal-sftp", "unknown_command"),
    ("export contact 1 --otp 1", "unknown_command"),
    ("export person 1", "no_code"),
    ("export person --otp 1", "bad_arguments"),
    ("export person 1 2 --otp 1", "bad_arguments"),
    ("export person -1 --otp 1", "bad_arguments"),
    ("export person ١٢ --otp 1", "bad_arguments"),  # Arabic-Indic digits are not an id
    ("export fetch 7", "no_code"),
    ("export fetch --otp 1", "bad_arguments"),
    ("export fetch ../bundle.zip --otp 1", "bad_arguments"),
    ("export fetch 7 8 --otp 1", "bad_arguments"),
    ("import --otp", "bad_arguments"),
    ("import --dry-run=yes --otp 1", "bad_arguments"),
    ("import --format exe --otp 1", "bad_arguments"),
    ("import --name ../../etc/passwd --otp 1", "bad_arguments"),
    ("import --name .hidden --otp 1", "bad_arguments"),
    ("import file.csv --otp 1", "bad_arguments"),
    ("mailing export --otp 1", "bad_arguments"),
    ("import --otp 1 'unclosed", "unparsable"),
    ("import --otp 1\nrm -rf /", "control_chars"),
    ("import --otp 1" + " x" * 600, "too_long"),
])
def test_refusals_say_why_in_one_line(line, reason):
    with pytest.raises(Refused) as err:
        parse(line)
    assert err.value.reason == reason
    assert "\n" not in str(err.value) and str(err.value).startswith("refused")


def test_shell_syntax_is_just_words():
    """`;`, `$( )`, backticks and pipes are never interpreted: they make the command invalid."""
    for line in ("import --otp 1; id", "import --otp 1 | tee x", "`id`"):
        with pytest.raises(Refused):
            parse(line)
    assert parse("import --otp $(id)").otp == "$(id)"  # a literal: the code check refuses it


# --- the single-use code (store.auth.verify_fresh_code) ----------------------------------

@pytest.fixture
def enrolled(store):
    """A user with a password and an enrolled TOTP secret (made the way the login expects)."""
    from store import accounts, passwords, secretbox
    from store.auth import factors
    from store.db import database
    from store.models import User
    from store.scope import Scope

    secret = pyotp.random_base32()
    made = accounts.add_user(Scope.console(), "sofie", "admin")
    hashed = passwords.hash_password("a long test password 42", cost=12)
    with database.atomic():
        User.update(password_hash=hashed, must_change_password=False, totp_enrolled=True,
                    totp_secret=secretbox.seal(factors.totp_key(), secret.encode(), aad=factors.aad(made.user_id))
                    ).where(User.id == made.user_id).execute()
    return made.user_id, pyotp.TOTP(secret)


def test_a_code_used_to_log_in_cannot_be_reused_for_a_batch_command(enrolled):
    from store import auth

    user_id, totp = enrolled
    now = time.time()
    step = int(now // 30)
    code = totp.at(step * 30)
    session = auth.login("sofie", "a long test password 42", code, now=now)
    assert isinstance(session, auth.Session)
    assert auth.verify_fresh_code(user_id, code, now=now) is False
    following = totp.at((step + 1) * 30)
    assert auth.verify_fresh_code(user_id, following, now=now) is True
    assert auth.verify_fresh_code(user_id, following, now=now) is False


def test_wrong_codes_count_towards_the_lockout_and_are_audited(enrolled):
    from store import auth
    from store.models import AuditEvent, User

    user_id, totp = enrolled
    right = totp.now()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    assert auth.verify_fresh_code(user_id, wrong) is False
    assert auth.verify_fresh_code(user_id, "not a code") is False
    assert User.get_by_id(user_id).failed_logins == 2
    assert AuditEvent.select().where(AuditEvent.action == "batch.code_failed").count() == 2
    assert auth.verify_fresh_code(user_id, right) is True
    assert User.get_by_id(user_id).failed_logins == 0


def test_recovery_codes_are_not_accepted_in_batch_mode(enrolled):
    from store import auth
    from store.auth import factors
    from store.db import database
    from store.models import RecoveryCode

    user_id, _ = enrolled
    with database.atomic():
        codes = factors.replace_recovery_codes(user_id)
    assert auth.verify_fresh_code(user_id, codes[0]) is False
    assert RecoveryCode.select().where(RecoveryCode.used_at.is_null(False)).count() == 0


def test_a_revoked_user_is_told_so_only_with_a_right_code(enrolled):
    from store import auth
    from store.scope import Scope

    user_id, totp = enrolled
    auth.revoke(Scope.console(), "sofie")
    wrong = f"{(int(totp.now()) + 1) % 1_000_000:06d}"
    assert auth.verify_fresh_code(user_id, wrong) is False
    with pytest.raises(auth.AccountRevoked):
        auth.verify_fresh_code(user_id, totp.now())
