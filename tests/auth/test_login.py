"""Logging in: first login, password plus TOTP, recovery codes, replay, bad input,
and that every failure looks and costs the same."""
from __future__ import annotations

import time
import urllib.parse

import bcrypt
import pyotp
import pytest

from store import accounts, audit, auth, passwords, secretbox, totp
from store.models import LoginSession, RecoveryCode, User
from store.passwords import PasswordRejected
from store.runtime import derived_key
from store.scope import Scope

from .conftest import COMPANY, PASSWORD, audit_rows


@pytest.fixture
def auth_settings():
    return {"lockout_threshold": 50}  # bad-input tests make many failures in a row


def _secret_of(enrolment: auth.Enrolment) -> str:
    return urllib.parse.parse_qs(urllib.parse.urlparse(enrolment.uri).query)["secret"][0]


def test_first_login_sets_password_enrols_totp_and_starts_a_session(crm, monkeypatch):
    monkeypatch.setenv("SSH_CONNECTION", "192.0.2.7 51234 198.51.100.1 22")
    account = accounts.add_user(Scope.console(), "mette", "sales")

    first = auth.login("mette", account.one_time_password, "")
    assert isinstance(first, auth.FirstLogin)
    assert (first.username, first.role, first.needs_password, first.needs_totp) == ("mette", "sales", True, True)
    with pytest.raises(auth.AuthError):
        first.finish()  # not before the password and TOTP are done

    with pytest.raises(passwords.PasswordRejected) as rejected:
        first.set_password("nordlys aps 2026 hest")  # contains the company name from config
    assert rejected.value.code == "contains_company"
    first.set_password("Blå cykel i regnvejr")

    enrolment = first.start_totp()
    secret = _secret_of(enrolment)
    assert enrolment.uri.startswith("otpauth://totp/") and "mette" in enrolment.uri
    assert enrolment.qr.count("\n") > 10 and "\u2588" in enrolment.qr
    for shown in (repr(enrolment), repr(first)):
        assert secret not in shown and "otpauth" not in shown

    now = time.time()
    with pytest.raises(auth.CodeRejected):
        first.confirm_totp(next(c for c in ("123456", "654321") if c not in {
            pyotp.TOTP(secret).at(now + d) for d in (-30, 0, 30)}), now=now)
    codes = first.confirm_totp(pyotp.TOTP(secret).at(now), now=now)
    assert len(codes) == 10 and len(set(codes)) == 10

    session = first.finish(pid=4242)
    assert isinstance(session, auth.Session)
    row = LoginSession.get_by_id(session.id)
    assert (row.user_id, row.pid, row.source_addr, row.ended_at) == (account.user_id, 4242, "192.0.2.7", None)
    user = User.get_by_id(account.user_id)
    assert user.totp_enrolled and not user.must_change_password and user.last_login_at is not None
    assert RecoveryCode.select().where(RecoveryCode.user == user.id).count() == 10
    assert session.scope().user_id == account.user_id and session.scope().session_id == session.id

    # The TOTP secret is sealed at application level, bound to this user's row.
    blob = bytes(user.totp_secret)
    assert secret.encode() not in blob
    assert secretbox.open_sealed(derived_key("totp"), blob, aad=f"user:{user.id}".encode()) == secret.encode()
    with pytest.raises(secretbox.SealedDataError):
        secretbox.open_sealed(derived_key("totp"), blob, aad=f"user:{user.id + 1}".encode())

    # The one-time password is gone; the new one works with a code from the new secret.
    later = now + 90
    with pytest.raises(auth.LoginFailed):
        auth.login("mette", account.one_time_password, pyotp.TOTP(secret).at(later), now=later)
    again = auth.login("Mette", "Blå cykel i regnvejr", pyotp.TOTP(secret).at(later), now=later)
    assert isinstance(again, auth.Session)
    actions = [r.action for r in audit_rows()]
    for expected in ("login.first", "user.password_set", "totp.enrol_failed", "totp.enrolled", "login.ok"):
        assert expected in actions


def test_enrolled_user_logs_in_with_password_and_code(crm, make_user):
    anna = make_user("anna")
    now = time.time()
    session = auth.login("anna", PASSWORD, anna.code(now), now=now, source_addr="203.0.113.9")
    assert (session.user_id, session.username, session.role) == (anna.id, "anna", "sales")
    assert LoginSession.get_by_id(session.id).source_addr == "203.0.113.9"
    assert User.get_by_id(anna.id).totp_last_step == int(now // 30)
    for shown in (repr(session), repr(session.scope())):
        assert PASSWORD not in shown and anna.secret not in shown


def test_failures_are_indistinguishable_and_each_audited(crm, make_user, monkeypatch):
    anna = make_user("anna")
    now = time.time()
    good = anna.code(now)
    assert auth.login("anna", PASSWORD, good, now=now)

    checks = []
    real_checkpw = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda *a: checks.append(1) or real_checkpw(*a))
    wrong_code = anna.wrong_code(now)
    attempts = {
        "unknown user": ("nobody-here", PASSWORD, good),
        "wrong password": ("anna", PASSWORD + "x", good),
        "wrong code": ("anna", PASSWORD, wrong_code),
        "replayed code": ("anna", PASSWORD, good),
    }
    messages = {}
    for what, (name, password, code) in attempts.items():
        checks.clear()
        with pytest.raises(auth.LoginFailed) as failed:
            auth.login(name, password, code, now=now)
        messages[what] = str(failed.value)
        assert len(checks) == 1, f"{what}: one bcrypt check, like every other failure"
    assert len(set(messages.values())) == 1, messages

    failed_rows = audit_rows("login.failed")
    assert [r.actor_id for r in failed_rows] == [None, anna.id, anna.id, anna.id]
    assert '"unknown_user":true' in failed_rows[0].detail
    assert [r.detail.split('"reason":"')[1].split('"')[0] for r in failed_rows[1:]] == [
        "password", "code", "replay"]
    everything = " ".join(f"{r.action} {r.entity} {r.detail}" for r in audit_rows())
    assert "nobody-here" not in everything and PASSWORD not in everything and good not in everything
    assert audit.verify().ok


def test_clock_skew_of_one_step_only(crm, make_user):
    anna = make_user("anna")
    now = time.time()
    with pytest.raises(auth.LoginFailed):
        auth.login("anna", PASSWORD, anna.code(now - 60), now=now)  # two steps old
    assert auth.login("anna", PASSWORD, anna.code(now - 30), now=now)  # one step old


def test_recovery_code_works_once_and_regenerating_kills_the_old_ones(crm, make_user):
    anna = make_user("anna")
    now = time.time()
    session = auth.login("anna", PASSWORD, anna.code(now), now=now)
    codes = auth.regenerate_recovery_codes(session.scope())
    assert len(codes) == 10

    rescued = auth.login("anna", PASSWORD, codes[3].upper(), now=now)
    assert rescued.recovery_codes_left == 9
    with pytest.raises(auth.LoginFailed):
        auth.login("anna", PASSWORD, codes[3], now=now)

    fresh = auth.regenerate_recovery_codes(rescued.scope())
    assert not set(fresh) & set(codes)
    with pytest.raises(auth.LoginFailed):
        auth.login("anna", PASSWORD, codes[4], now=now)
    assert RecoveryCode.select().where(RecoveryCode.user == anna.id).count() == 10
    assert audit_rows("recovery_codes.regenerated") and audit_rows("login.recovery_code")


BAD_PASSWORDS = {"empty": "", "huge": "x" * 1_000_000, "control": "Grøn hest\x00på taget 7",
                 "newline": PASSWORD + "\n", "not text": None}
BAD_CODES = {"empty": "", "letters": "abcdef", "five digits": "12345", "seven digits": "1234567",
             "huge": "1" * 1_000_000, "control": "12\x0034", "arabic digits": "١٢٣٤٥٦"}


def test_bad_input_is_a_plain_login_failure(crm, make_user):
    anna = make_user("anna")
    for password in BAD_PASSWORDS.values():
        with pytest.raises(auth.LoginFailed):
            auth.login("anna", password, anna.code())
    for code in BAD_CODES.values():
        with pytest.raises(auth.LoginFailed):
            auth.login("anna", PASSWORD, code)
    for name in ("", "a" * 1_000_000, "anna\x00\x1b[31m"):
        with pytest.raises(auth.LoginFailed):
            auth.login(name, PASSWORD, anna.code())
    assert len(audit_rows("login.failed")) == len(BAD_PASSWORDS) + len(BAD_CODES) + 3
    assert User.get_by_id(anna.id).failed_logins == len(BAD_PASSWORDS) + len(BAD_CODES)
    assert not audit_rows("login.locked")  # the code path was exercised, not the lock


NEW_PASSWORD_REFUSALS = [
    ("", "empty"), ("x" * 1_000_000, "too_long"), ("Grøn hest\tpå taget 7", "control_chars"),
    ("Grøn hest\x1b[2Jtaget", "control_chars"), ("kort", "too_short"),
    ("mette2026!!!xyz", "contains_username"), ("password1234", "common"),
]


def test_first_login_refuses_bad_new_passwords(crm, make_user, password_hash):
    make_user("mette", enrolled=False)
    first = auth.login("mette", PASSWORD, None)
    for password, code in NEW_PASSWORD_REFUSALS:
        with pytest.raises(passwords.PasswordRejected) as rejected:
            first.set_password(password)
        assert rejected.value.code == code, password[:20]
        assert not password or password[:20] not in str(rejected.value)
    assert User.get_by_id(first.user_id).password_hash == password_hash  # nothing was stored


def test_first_login_rejects_malformed_enrolment_codes(crm, make_user):
    make_user("mette", enrolled=False)
    first = auth.login("mette", PASSWORD, "")
    assert (first.needs_password, first.needs_totp) == (False, True)
    with pytest.raises(auth.AuthError):
        first.confirm_totp("123456")  # before start_totp
    first.start_totp()
    for code in BAD_CODES.values():
        with pytest.raises(auth.CodeRejected):
            first.confirm_totp(code)
    assert not User.get_by_id(first.user_id).totp_enrolled


def test_password_reset_keeps_asking_for_the_enrolled_code(crm, make_user):
    """After reset-password the one-time password alone is not enough: TOTP stays enrolled."""
    anna = make_user("anna")
    otp = auth.reset_password(Scope.console(), "anna")
    now = time.time()
    with pytest.raises(auth.LoginFailed):
        auth.login("anna", otp, "", now=now)
    first = auth.login("anna", otp, anna.code(now), now=now)
    assert (first.needs_password, first.needs_totp) == (True, False)
    with pytest.raises(auth.AuthError):
        first.start_totp()
    with pytest.raises(PasswordRejected) as refused:  # the one-time password may not stay
        first.set_password(otp)
    assert refused.value.code == "same_as_old"
    first.set_password("Et helt nyt kodeord her")
    assert isinstance(first.finish(), auth.Session)


def test_after_a_reset_the_previous_password_is_refused_as_the_new_one(crm, make_user):
    """Issue 16: the reset must end the old password, not let the user choose it again."""
    anna = make_user("anna")
    otp = auth.reset_password(Scope.console(), "anna")
    auth.reset_password(Scope.console(), "anna")  # a second reset before the first was used
    otp = auth.reset_password(Scope.console(), "anna")
    now = time.time()
    with pytest.raises(auth.LoginFailed):  # the previous password no longer logs in
        auth.login("anna", PASSWORD, anna.code(now), now=now)
    first = auth.login("anna", otp, anna.code(now + 30), now=now + 30)
    with pytest.raises(PasswordRejected) as refused:
        first.set_password(PASSWORD)
    assert refused.value.code == "same_as_old"
    first.set_password("Et helt nyt kodeord her")
    user = User.get_by_id(anna.id)
    assert user.previous_password_hash is None  # not kept once the new one is chosen
    assert isinstance(first.finish(), auth.Session)


def test_first_login_ends_when_an_admin_resets_meanwhile(crm, make_user):
    make_user("mette", enrolled=False)
    first = auth.login("mette", PASSWORD, "")
    first.start_totp()
    auth.revoke(Scope.console(), "mette")
    with pytest.raises(auth.SessionEnded) as ended:
        first.set_password("Blå cykel i regnvejr")
    assert ended.value.reason == "revoked"


def test_demo_enrolment_sets_known_credentials_and_is_audited(crm):
    account = accounts.add_user(Scope.console(), "demo-sales", "sales")
    secret = totp.new_secret()
    auth.enrol_for_demo(Scope.console(), "demo-sales", "demo-password-1", secret)
    now = time.time()
    session = auth.login("demo-sales", "demo-password-1", pyotp.TOTP(secret).at(now), now=now)
    assert session.user_id == account.user_id
    assert [r.entity_id for r in audit_rows("user.demo_enrol")] == [account.user_id]
    with pytest.raises(totp.TotpSecretError):
        auth.enrol_for_demo(Scope.console(), "demo-sales", "demo-password-1", "not base32!")
    with pytest.raises(accounts.UnknownUser):
        auth.enrol_for_demo(Scope.console(), "nobody", "demo-password-1", secret)


def test_demo_enrolment_is_refused_outside_demo_mode(tmp_path):
    from store import runtime
    from store.config import load_config, write_config

    write_config(tmp_path / "c.toml", "crm.db", "crm.key")
    runtime.create_store(load_config(tmp_path / "c.toml"))
    try:
        with pytest.raises(auth.AuthError, match="demo"):
            auth.enrol_for_demo(Scope.console(), "admin", "x", totp.new_secret())
    finally:
        runtime.close_store()


def test_company_name_comes_from_config(crm):
    assert crm["company.name"] == COMPANY
