"""What happens at the SSH door, recorded by the store: refusals, batch commands, and a
session that lives only as long as the key it came in with.

The console's batch commands and the SSH session write no audit rows themselves:
they tell this module what happened.  Rows name the key and the user by id and
the command by its name, never its text (a client's words could name a person).
"""
from __future__ import annotations

from typing import cast

from . import audit, auth, sshkeys


def refused(key_id: int, reason: str, command: str, *, user_id: int | None = None, **detail) -> None:
    """Record that a connection with this key was turned away (`reason`: a short code)."""
    audit.record(user_id, "ssh.refused", "ssh_key", key_id, reason=reason, command=command, **detail)


def batch_ran(user_id: int, key_id: int, command: str, *, ok: bool, **detail) -> None:
    """Record a batch command that ran (ok or not), with its counts."""
    audit.record(user_id, "ssh.batch", "ssh_key", key_id, command=command, ok=ok, **detail)


class KeyBoundSession(auth.Session):
    """A Session that also ends when the SSH key it came in with is removed."""

    key_id: int

    def check(self, now=None) -> None:
        super().check(now)
        if not sshkeys.key_in_use(self.key_id):
            self.end("key_removed")
            raise auth.SessionEnded("revoked")


def bind_to_key(session: auth.Session, key_id: int) -> KeyBoundSession:
    """The logged-in session, from now on also ended by removing `key_id` (or revoking its user)."""
    session.__class__ = KeyBoundSession
    bound = cast(KeyBoundSession, session)  # the same object, now of the subclass
    bound.key_id = key_id
    return bound
