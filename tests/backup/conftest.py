"""A user with a real password and TOTP secret, for proving a rekey keeps logins working.

The password hash is computed once per worker at the production cost (bcrypt is slow)."""
from __future__ import annotations

import pyotp
import pytest

PASSWORD = "Grøn hest på taget 7"  # passes the policy


@pytest.fixture(scope="session")
def password_hash() -> str:
    from store import passwords

    return passwords.hash_password(PASSWORD, cost=12)


@pytest.fixture
def totp_user(store, password_hash):
    """(username, TOTP secret) of an enrolled seller whose password is PASSWORD."""
    from store import secretbox, totp
    from store.db import database
    from store.models import User
    from store.runtime import derived_key

    secret = totp.new_secret()
    with database.atomic():
        user = User.create(username="rekey-seller", role="sales", password_hash=password_hash,
                           must_change_password=False)
        sealed = secretbox.seal(derived_key("totp"), secret.encode(), aad=f"user:{user.id}".encode())
        User.update(totp_secret=sealed, totp_enrolled=True).where(User.id == user.id).execute()
    return user.username, secret


def login_with_totp(username: str, secret: str):
    import time

    from store.auth.login import login

    # a fresh step each time: a code is accepted once per 30 s step
    return login(username, PASSWORD, pyotp.TOTP(secret).at(time.time()), pid=0)
