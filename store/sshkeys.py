"""Staff SSH public keys: parse and validate a key line, fingerprint it, map it to a user.

sshd asks `minicrm ssh authorized-keys %u %t %k` which keys may log in; the
answer comes from here (`login_line`), so removing a key or revoking its user
takes effect at the next connection with no authorized_keys file to rewrite.

A key is accepted only if its type is one we trust (Ed25519, ECDSA on the NIST
curves, RSA of at least 3072 bits), its base64 blob decodes, the type written
inside the blob matches the type in front of it, and nothing trails the key
material.  One key belongs to one user only.  Fingerprints are SHA256 in the
format `ssh-keygen -lf` prints.  Audit rows name the key by id and fingerprint,
the user by id; the key's comment (often an e-mail address) is never logged.
Adding, removing and listing keys takes the actor's Scope and requires
`user.admin` (the console's scope holds it).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .db import StoreError, database, tuples
from .errors import InvalidKey, UnknownKey
from .models import SshKey, User, utcnow

if TYPE_CHECKING:
    from .scope import Scope

# audit and changes are imported by the functions that write: sshd runs the key look-up
# (`authorized_key_id`) twice per login, and it needs neither.

MIN_RSA_BITS = 3072
ECDSA_CURVES = {  # key type -> (curve name inside the blob, bits, encoded point length)
    "ecdsa-sha2-nistp256": ("nistp256", 256, 65),
    "ecdsa-sha2-nistp384": ("nistp384", 384, 97),
    "ecdsa-sha2-nistp521": ("nistp521", 521, 133),
}
KEY_TYPES = ("ssh-ed25519", *ECDSA_CURVES, "ssh-rsa")
_LABEL = {"ssh-ed25519": "ED25519", "ssh-rsa": "RSA", **{t: "ECDSA" for t in ECDSA_CURVES}}
_MAX_LINE = 16_384  # an RSA-16384 key is about 2,800 characters; anything longer is not a key
_MAX_COMMENT = 100
_B64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")


@dataclass(frozen=True)
class PublicKey:
    type: str
    blob: bytes
    bits: int
    comment: str = ""

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.blob)

    @property
    def base64(self) -> str:
        return base64.b64encode(self.blob).decode("ascii")

    @property
    def label(self) -> str:
        return _LABEL[self.type]

    def __repr__(self) -> str:
        return f"PublicKey({self.type}, {self.fingerprint})"


@dataclass(frozen=True)
class KeyView:
    id: int
    user_id: int
    username: str
    type: str
    bits: int
    fingerprint: str
    comment: str
    added_at: object
    last_used_at: object

    @property
    def label(self) -> str:
        return _LABEL.get(self.type, self.type)

    def keygen_line(self) -> str:
        """`256 SHA256:... comment (ED25519)`, as `ssh-keygen -lf` prints it."""
        return f"{self.bits} {self.fingerprint} {self.comment or 'no comment'} ({self.label})"


def fingerprint(blob: bytes) -> str:
    """SHA256 fingerprint of a key blob: `SHA256:` + unpadded base64, like ssh-keygen."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")


# --- parsing -------------------------------------------------------------------

class _Reader:
    """Reads the SSH wire format (RFC 4251): uint32-length-prefixed strings and mpints."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def string(self, what: str) -> bytes:
        if self.pos + 4 > len(self.data):
            raise InvalidKey(f"the key data is cut short (no {what})")
        (length,) = struct.unpack(">I", self.data[self.pos:self.pos + 4])
        start, end = self.pos + 4, self.pos + 4 + length
        if end > len(self.data):
            raise InvalidKey(f"the key data is cut short (in {what})")
        self.pos = end
        return self.data[start:end]

    def mpint(self, what: str) -> int:
        raw = self.string(what)
        if raw and raw[0] & 0x80:
            raise InvalidKey(f"the key's {what} is negative")
        return int.from_bytes(raw, "big")

    def end(self) -> None:
        if self.pos != len(self.data):
            raise InvalidKey("the key data has trailing bytes after the key")


def parse_public_key(line: str) -> PublicKey:
    """One line as in a `.pub` file or authorized_keys (without options): `type base64 [comment]`."""
    if not isinstance(line, str) or not line.strip():
        raise InvalidKey("no public key given (paste the one line of the .pub file)")
    if len(line) > _MAX_LINE:
        raise InvalidKey("that is far too long to be a public key")
    text = line.strip()
    if "\n" in text or "\r" in text:
        raise InvalidKey("a public key is one line; paste only the .pub file's line")
    if text.startswith("-----BEGIN"):
        raise InvalidKey("that is a private key or a PEM file; give the public key (the .pub file)")
    parts = text.split(None, 2)
    key_type = parts[0]
    if key_type not in KEY_TYPES:
        if "=" in key_type or "," in key_type or '"' in key_type:
            raise InvalidKey("authorized_keys options are not accepted; give just `type key [comment]`")
        if key_type.startswith(("ssh-dss", "sk-", "ssh-ed448")) or "-cert-v01@" in key_type:
            raise InvalidKey(f"key type {_printable(key_type, 40)} is not accepted; "
                             f"use one of: {', '.join(KEY_TYPES)}")
        raise InvalidKey(f"unknown key type {_printable(key_type, 40)}; use one of: {', '.join(KEY_TYPES)}")
    if len(parts) < 2:
        raise InvalidKey("the key data is missing after the key type")
    encoded = parts[1]
    if not _B64.match(encoded):
        raise InvalidKey("the key data is not valid base64")
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidKey("the key data is not valid base64") from None
    comment = _clean_comment(parts[2] if len(parts) > 2 else "")
    return PublicKey(key_type, blob, _check_blob(key_type, blob), comment)


def parse_blob(key_type: str, encoded: str) -> PublicKey:
    """The `%t %k` pair sshd hands the AuthorizedKeysCommand (same checks, no comment)."""
    return parse_public_key(f"{key_type} {encoded}")


def _check_blob(key_type: str, blob: bytes) -> int:
    """Validate the key material; returns its size in bits."""
    r = _Reader(blob)
    try:
        inner = r.string("key type").decode("ascii")
    except UnicodeDecodeError:
        raise InvalidKey("the key data does not start with a key type") from None
    if inner != key_type:
        raise InvalidKey(f"the key says it is {key_type} but its data holds a "
                         f"{_printable(inner, 40) or 'blank'} key")
    if key_type == "ssh-ed25519":
        if len(r.string("public key")) != 32:
            raise InvalidKey("an Ed25519 public key is 32 bytes; this one is not")
        r.end()
        return 256
    if key_type in ECDSA_CURVES:
        curve, bits, point_len = ECDSA_CURVES[key_type]
        if r.string("curve name") != curve.encode():
            raise InvalidKey(f"the key type says {curve} but the key data names another curve")
        point = r.string("public point")
        r.end()
        if len(point) != point_len or point[0] != 4:
            raise InvalidKey(f"the {curve} public point is malformed")
        _check_with_cryptography(key_type, blob)
        return bits
    # ssh-rsa: e then n
    e = r.mpint("exponent")
    n = r.mpint("modulus")
    r.end()
    bits = n.bit_length()
    if e < 3 or e % 2 == 0 or n % 2 == 0:
        raise InvalidKey("the RSA key's numbers are not a valid RSA key")
    if bits < MIN_RSA_BITS:
        raise InvalidKey(f"RSA keys must have at least {MIN_RSA_BITS} bits; this one has {bits} "
                         "(make a new one with: ssh-keygen -t ed25519)")
    return bits


def _check_with_cryptography(key_type: str, blob: bytes) -> None:
    """The point must lie on the curve (our parser checks only its length)."""
    from cryptography.hazmat.primitives.serialization import load_ssh_public_key

    try:
        load_ssh_public_key(f"{key_type} {base64.b64encode(blob).decode()}".encode())
    except (ValueError, TypeError):
        raise InvalidKey("the ECDSA public point is not on its curve") from None


def _clean_comment(comment: str) -> str:
    """Comments are shown in the terminal: no control characters, bounded length."""
    comment = "".join(ch for ch in comment.strip() if ch.isprintable())
    return comment[:_MAX_COMMENT]


def _printable(text: str, limit: int) -> str:
    return repr("".join(ch for ch in text if ch.isprintable())[:limit])


# --- the store -------------------------------------------------------------------

def _view(key: SshKey, username: str) -> KeyView:
    return KeyView(id=key.id, user_id=key.user_id, username=username, type=key.key_type,
                   bits=key.bits, fingerprint=key.fingerprint, comment=key.comment or "",
                   added_at=key.added_at, last_used_at=key.last_used_at)


def add_key(scope: Scope, username: str, public_key_line: str) -> KeyView:
    """Register a staff member's public key (audited); one key, one user."""
    from . import audit, changes
    from .accounts import find_user

    scope.require("user.admin")
    key = parse_public_key(public_key_line)
    with scope.transaction():
        user = find_user(username)
        if user.revoked_at is not None:
            raise StoreError(f"user #{user.id} is revoked; a revoked user gets no keys")
        taken = SshKey.get_or_none(SshKey.fingerprint == key.fingerprint)
        if taken is not None:
            owner = "this user" if taken.user_id == user.id else "another user"
            raise StoreError(f"this key ({key.fingerprint}) is already registered to {owner} "
                             f"as key {taken.id}; a key belongs to one user only")
        row = SshKey.create(user=user.id, key_type=key.type, blob=key.blob, bits=key.bits,
                            fingerprint=key.fingerprint, comment=key.comment, added_by=scope.user_id)
        changes.record("ssh_key", row.id, "insert")
        audit.record(scope.user_id, "ssh_key.add", "user", user.id, key_id=row.id,
                     fingerprint=key.fingerprint, type=key.type, bits=key.bits)
    return _view(row, user.username)


def remove_key(scope: Scope, key_id: int) -> None:
    """Delete a key (audited): new connections with it are refused at once, and the
    sessions it opened end at their next check (see `key_in_use`)."""
    from . import audit, changes

    scope.require("user.admin")
    with scope.transaction():
        row = SshKey.get_or_none(SshKey.id == key_id)
        if row is None:
            raise UnknownKey(f"no SSH key with id {key_id}")
        SshKey.delete().where(SshKey.id == key_id).execute()
        changes.record("ssh_key", key_id, "delete")
        audit.record(scope.user_id, "ssh_key.remove", "user", row.user_id, key_id=key_id,
                     fingerprint=row.fingerprint)


def keys_of(scope: Scope, username: str, *, audited: bool = False) -> list[KeyView]:
    """One user's keys; `audited` records the listing (the console's)."""
    from . import audit
    from .accounts import find_user

    scope.require("user.admin")
    user = find_user(username)
    views = [_view(k, user.username) for k in SshKey.select().where(SshKey.user == user.id)
             .order_by(SshKey.id)]
    if audited:
        audit.record(scope.user_id, "ssh_key.list", "user", user.id, count=len(views))
    return views


def all_keys(scope: Scope, *, audited: bool = False) -> list[KeyView]:
    """Everybody's keys; `audited` records the listing (the console's)."""
    from . import audit

    scope.require("user.admin")
    names = dict(tuples(User.select(User.id, User.username)))
    views = [_view(k, names.get(k.user_id, "")) for k in SshKey.select().order_by(SshKey.id)]
    if audited:
        audit.record(scope.user_id, "ssh_key.list", "user", None, count=len(views))
    return views


# --- what sshd and the session ask ---------------------------------------------------

def _active_key(key_type: str, encoded: str) -> SshKey | None:
    try:
        key = parse_blob(key_type, encoded)
    except InvalidKey:
        return None
    row = (SshKey.select(SshKey, User).join(User)
           .where((SshKey.fingerprint == key.fingerprint) & User.revoked_at.is_null()).first())
    # the fingerprint is a hash of the blob; compare the blob too, so a collision cannot pass
    if row is None or bytes(row.blob) != key.blob or row.key_type != key.type:
        return None
    return row


def authorized_key_id(key_type: str, encoded: str) -> int | None:
    """The id of this key if it belongs to an active (not revoked) user, else None.

    Read-only: sshd runs this once per key a client offers.
    """
    row = _active_key(key_type, encoded)
    return row.id if row is not None else None


def key_in_use(key_id: int) -> bool:
    """Still registered, to a user who is not revoked (a cheap check made every second)."""
    return (SshKey.select(SshKey.id).join(User)
            .where((SshKey.id == key_id) & User.revoked_at.is_null()).exists())


def user_of_key(key_id: int) -> User:
    """The active user a key belongs to; UnknownKey if it was removed or the user revoked."""
    row = (SshKey.select(SshKey, User).join(User)
           .where((SshKey.id == key_id) & User.revoked_at.is_null()).first())
    if row is None:
        raise UnknownKey("this SSH key is no longer allowed to log in")
    return row.user


def note_used(key_id: int) -> None:
    with database.atomic():
        SshKey.update(last_used_at=utcnow()).where(SshKey.id == key_id).execute()
