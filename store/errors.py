"""The one error family: everything the store raises on purpose is a `StoreError`.

A front end catches `StoreError` once and shows `str(exc)` (or a translation
keyed by the class and its fields): every message here names fields, rules and
ids, never a person's data, a password, a code or a key.  Anything that is not
a `StoreError` is a bug, shown as "unexpected error (<class>)" without text.

    StoreError
      NotFound        the row does not exist, or not for this user (deliberately the same)
      Forbidden       the role may not do this at all
      Conflict        someone else changed the record first
      Invalid         a value breaks a rule: `.field` and `.message` (also a ValueError)
        PasswordRejected, TotpSecretError, ValueProblem, MappingError, SavedMappingError
      ConfigError, KeyFileError, WrongKey, SealedDataError
      DatabaseBusy    another process held the write lock past the busy timeout
      AuthError       login, lockout, revocation, sessions
      ImportFileError, ImportRefused     a file or an import as a whole
      InvalidKey, UnknownKey, UnknownUser, NoOpenRequest, NotGiven, Restricted
      CprInText, SpecialCategory (both Invalid): free text screened on every write
      CommandFailed, CommandRefused      the server console and the SSH batch commands
"""
from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path
from typing import Any


class StoreError(Exception):
    """A problem a person can act on; the message holds no personal data or secret.

    `__rich__` lets Textual's crash handler show only this message instead of a
    traceback with every frame's locals (which could hold passwords or keys).
    """

    def __rich__(self) -> Any:
        from rich.text import Text  # only when something renders it: the store never loads rich

        return Text(f"{type(self).__name__}: {self}")


class NotFound(StoreError):
    """The row does not exist, or not for this user (deliberately the same)."""


class Forbidden(StoreError):
    """The role may not do this at all."""


class Conflict(StoreError):
    """Someone else saved the record first; nothing of this attempt was written."""

    def __init__(self, what: str, row_id: int, by: str | None = None, at: object = None) -> None:
        when = at.strftime("%Y-%m-%d %H:%M") if isinstance(at, (dt.datetime, dt.date)) else ""
        text = f"{what} {row_id} was changed by {by or 'someone else'}"
        super().__init__(f"{text} at {when}" if when else text)
        self.what, self.row_id, self.by, self.at = what, row_id, by, at

    @property
    def contact_id(self) -> int:  # the contact form's name for row_id
        return self.row_id


class Invalid(StoreError, ValueError):
    """A value that breaks a rule.  `field` names it, `message` says the rule (never the value)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


# -- values with their own vocabulary ------------------------------------------------------

class PasswordRejected(Invalid):
    """The password breaks the policy.

    ``str(exc)`` is a plain-English reason; ``exc.code`` is a stable key of
    `store.passwords.REJECTION_MESSAGES` and ``exc.params`` holds the values used in
    the message (e.g. ``{"min_length": 12}``) for translation.  Never the password.
    """

    def __init__(self, code: str, **params: object) -> None:
        from .passwords import REJECTION_MESSAGES  # the texts live with the policy

        self.code = code
        self.params = dict(params)
        super().__init__("password", REJECTION_MESSAGES[code].format(**params))
        self.args = (self.message,)

    def __str__(self) -> str:
        return self.message


class TotpSecretError(Invalid):
    """The TOTP secret is not valid base32 or is too short (the message holds no part of it)."""

    def __init__(self, message: str) -> None:
        super().__init__("totp_secret", message)
        self.args = (message,)

    def __str__(self) -> str:
        return self.message


class ValueProblem(Invalid):
    """An imported value that cannot be used; ``str()`` is the reason (without the value)."""

    def __init__(self, message: str) -> None:
        super().__init__("", message)


class MappingError(Invalid):
    """A column mapping or target that cannot be used."""

    def __init__(self, message: str) -> None:
        super().__init__("", message)


class SavedMappingError(Invalid):
    """A saved mapping name or file that cannot be used."""

    def __init__(self, message: str) -> None:
        super().__init__("", message)


# -- set-up and secrets --------------------------------------------------------------------

class ConfigError(StoreError):
    """A configuration problem a person can fix; the message names file and key."""


class KeyFileError(StoreError):
    """The key file is missing, malformed or readable by others."""


class WrongKey(StoreError):
    """The key does not open this database (nothing was touched)."""


class DatabaseBusy(StoreError):
    """Another process held the database past the busy timeout; nothing of this attempt was written.

    The one form in which SQLite's "database is locked" reaches a person (store/db.py
    turns every busy OperationalError into it, after retrying up to the timeout)."""

    MESSAGE = "the database is busy; try again"

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class SealedDataError(StoreError):
    """A sealed blob could not be opened: malformed, unknown version, wrong key, wrong
    associated data, or tampered with.  The message never contains the key or the data."""


# -- logins and sessions --------------------------------------------------------------------

class EndReason(enum.StrEnum):
    """Why a session ended: stored in `login_session.end_reason`, shown by the UI."""

    LOGOUT = "logout"
    REVOKED = "revoked"
    ENDED = "ended"  # by an administrator, or a reason not known here
    RESET = "reset"  # password or second factor reset
    EXPIRED = "expired"
    ROLE_CHANGED = "role_changed"
    HANGUP = "hangup"  # the terminal went away
    KEY_REMOVED = "key_removed"  # the SSH key that opened it was removed
    ERROR = "error"

    @classmethod
    def of(cls, value: object) -> EndReason:
        try:
            return cls(str(value))
        except ValueError:
            return cls.ENDED


class AuthError(StoreError):
    """A login problem; str(e) is safe to show (no names, no secrets)."""


class LoginFailed(AuthError):
    """Unknown user, wrong password, wrong or replayed code: deliberately one message."""

    MESSAGE = "Login failed: wrong user name, password or code."

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class AccountLocked(AuthError):
    def __init__(self, until: dt.datetime) -> None:
        self.until = until  # naive UTC
        super().__init__("This account is locked after too many failed logins; "
                         f"try again after {until:%H:%M} UTC.")


class AccountRevoked(AuthError):
    def __init__(self) -> None:
        super().__init__("This account has been closed by an administrator.")


class SessionEnded(AuthError):
    """The session this scope belongs to is over; the UI shows the message and leaves."""

    MESSAGES = {
        EndReason.REVOKED: "Your access has been revoked by an administrator.",
        EndReason.ENDED: "This session was ended.",
        EndReason.RESET: "Your password or two-factor login was reset; please log in again.",
        EndReason.EXPIRED: "This session is too old; please log in again.",
        EndReason.ROLE_CHANGED: "Your role was changed; please log in again.",
    }

    def __init__(self, reason: object) -> None:
        reason = EndReason.of(reason)
        self.reason = reason if reason in self.MESSAGES else EndReason.ENDED
        super().__init__(self.MESSAGES[self.reason])


class CodeRejected(AuthError):
    """An enrolment code that does not match the new secret (nothing is counted)."""

    def __init__(self) -> None:
        super().__init__("That code does not match. Check that the phone's clock is right "
                         "and enter the code shown now.")


class NoSuchSession(AuthError):
    pass


class UnknownUser(StoreError):
    """No staff account by that name or id."""


class InvalidKey(StoreError):
    """The text is not a public key we accept; the message says why (never echoes the key)."""


class UnknownKey(StoreError):
    """No SSH key with that id."""


# -- imports -------------------------------------------------------------------------------

class ImportFileError(StoreError):
    """The file as a whole cannot be read: empty, binary, truncated, wrong encoding,
    no header, a field over the size limit, an unknown sheet ...

    ``str(err)`` reads ``"<file>, line <n>, column <c>: <reason>"`` (the parts that are
    known).  May be raised when the reader is opened *or* while iterating (a streamed
    file can turn out to be truncated at its end): treat the whole import as failed.
    """

    def __init__(self, path: str | Path, reason: str, *, line: int | None = None,
                 column: str | int | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.line = line
        self.column = column
        super().__init__(self._message())

    def _message(self) -> str:
        from .text import visible  # a file's name is text from outside: never an escape sequence

        where = [visible(Path(self.path).name)]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            col = self.column
            where.append(f"column {col}" if isinstance(col, int) else f"column {col!r}")
        return ", ".join(where) + ": " + self.reason


class ImportRefused(StoreError):
    """The import as a whole cannot go ahead (nothing was written)."""


# -- data-subject rights and consent -------------------------------------------------------

class NoOpenRequest(StoreError):
    """A privacy officer acts on a person only while handling an open request about them."""


class IdentityNotVerified(StoreError):
    """Nothing is exported or erased for a request before the person's identity is verified (Art. 12(6))."""


class NotGiven(StoreError):
    """There is no given consent to withdraw."""


class Restricted(StoreError):
    """The person's processing is restricted (Art. 18): kept, not used, nothing new added."""

    def __init__(self, contact_id: int, what: str = "used") -> None:
        super().__init__(f"contact {contact_id} is restricted (Art. 18): it may not be {what}")
        self.contact_id = contact_id


class CprInText(Invalid):
    """A CPR number in free text: never stored (databeskyttelsesloven § 11)."""

    def __init__(self, field: str) -> None:
        super().__init__(field, "holds a CPR number; CPR numbers are never stored in free text")


class SpecialCategory(Invalid):
    """Free text that may hold special-category data (Art. 9): saved only when the user
    confirms ("save anyway", `allow_special=True`); the record is then flagged and audited.
    `kinds` are codes (health, religion, union, ...), never the text."""

    def __init__(self, field: str, kinds: tuple[str, ...]) -> None:
        super().__init__(field, f"may hold special-category data ({', '.join(kinds)}); "
                                "save anyway to keep it (it is flagged for the hygiene report)")
        self.kinds = kinds


# -- the server console (console/) --------------------------------------------------------

class CommandFailed(StoreError):
    """A console command that cannot go ahead; the message says why in one line."""


class CommandRefused(StoreError):
    """An SSH batch command that may not run.  `reason` is a short code for the audit row,
    `command` the command's name (never its text, which could name a person)."""

    def __init__(self, message: str, reason: str, command: str = "unknown") -> None:
        super().__init__(message)
        self.reason, self.command = reason, command
