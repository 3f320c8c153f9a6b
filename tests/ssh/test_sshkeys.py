"""Parsing, validating and registering staff SSH public keys (no sshd here)."""
from __future__ import annotations

import base64
import struct

import pytest

from store import sshkeys
from store.sshkeys import InvalidKey, parse_public_key

ACCEPTED = ("ed25519", "ecdsa256", "ecdsa384", "ecdsa521", "rsa3072")


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _line(key_type: str, blob: bytes, comment: str = "") -> str:
    return f"{key_type} {base64.b64encode(blob).decode()} {comment}".strip()


# --- parsing ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ACCEPTED)
def test_accepted_types_parse_with_the_fingerprint_ssh_keygen_prints(keys, kind):
    key = parse_public_key(keys.line(kind))
    bits, fp, *_ = keys.keygen_fingerprint(kind).split()
    assert key.fingerprint == fp
    assert key.bits == int(bits)
    assert key.comment == f"{kind}-0@laptop"
    assert f"{key.type} {key.base64}" == " ".join(keys.line(kind).split()[:2])


def test_key_view_prints_like_ssh_keygen(keys):
    key = parse_public_key(keys.line("ecdsa384"))
    view = sshkeys.KeyView(1, 1, "x", key.type, key.bits, key.fingerprint, key.comment, None, None)
    assert view.keygen_line() == keys.keygen_fingerprint("ecdsa384")


def test_short_rsa_is_refused_with_the_reason(keys):
    with pytest.raises(InvalidKey, match="at least 3072 bits; this one has 2048"):
        parse_public_key(keys.line("rsa2048"))


def test_embedded_type_must_match_the_declared_type(keys):
    ed = parse_public_key(keys.line("ed25519"))
    with pytest.raises(InvalidKey, match="says it is ssh-rsa but its data holds a 'ssh-ed25519'"):
        parse_public_key(_line("ssh-rsa", ed.blob))
    p256 = parse_public_key(keys.line("ecdsa256"))
    with pytest.raises(InvalidKey, match="says it is ecdsa-sha2-nistp384"):
        parse_public_key(_line("ecdsa-sha2-nistp384", p256.blob))


@pytest.mark.parametrize("text, reason", [
    ("", "no public key given"),
    ("   ", "no public key given"),
    ("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "ssh-dss' is not accepted"),
    ("sk-ssh-ed25519@openssh.com AAAA", "is not accepted"),
    ("ssh-ed25519-cert-v01@openssh.com AAAA", "is not accepted"),
    ("foo-key AAAA", "unknown key type 'foo-key'"),
    ('command="/bin/sh" ssh-ed25519 AAAA', "options are not accepted"),
    ("restrict,pty ssh-ed25519 AAAA", "options are not accepted"),
    ("ssh-ed25519", "key data is missing"),
    ("ssh-ed25519 not*base64", "not valid base64"),
    ("ssh-ed25519 QUJ", "not valid base64"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----", "private key"),
    ("ssh-ed25519 AAAA\nssh-ed25519 AAAA", "one line"),
])
def test_malformed_lines_are_refused_with_one_clear_reason(text, reason):
    with pytest.raises(InvalidKey, match=reason) as err:
        parse_public_key(text)
    assert "\n" not in str(err.value)


def test_truncated_trailing_and_wrong_sized_blobs_are_refused(keys):
    blob = parse_public_key(keys.line("ed25519")).blob
    with pytest.raises(InvalidKey, match="cut short"):
        parse_public_key(_line("ssh-ed25519", blob[:-5]))
    with pytest.raises(InvalidKey, match="trailing bytes"):
        parse_public_key(_line("ssh-ed25519", blob + b"\0"))
    with pytest.raises(InvalidKey, match="32 bytes"):
        parse_public_key(_line("ssh-ed25519", _string(b"ssh-ed25519") + _string(b"x" * 31)))


def test_ecdsa_point_must_be_on_the_curve(keys):
    blob = parse_public_key(keys.line("ecdsa256")).blob
    bad = bytearray(blob)
    bad[-1] ^= 0x01  # y no longer matches x
    with pytest.raises(InvalidKey, match="not on its curve"):
        parse_public_key(_line("ecdsa-sha2-nistp256", bytes(bad)))
    wrong_curve = (_string(b"ecdsa-sha2-nistp256") + _string(b"nistp384") + _string(b"\x04" + b"\1" * 64))
    with pytest.raises(InvalidKey, match="names another curve"):
        parse_public_key(_line("ecdsa-sha2-nistp256", wrong_curve))


def test_rsa_with_even_exponent_is_refused():
    n = (1 << 3071) | 1
    mp = lambda v: _string(v.to_bytes((v.bit_length() + 8) // 8, "big"))
    with pytest.raises(InvalidKey, match="not a valid RSA key"):
        parse_public_key(_line("ssh-rsa", _string(b"ssh-rsa") + mp(4) + mp(n)))
    assert parse_public_key(_line("ssh-rsa", _string(b"ssh-rsa") + mp(65537) + mp(n))).bits == 3072


def test_comment_loses_control_characters(keys):
    typ, b64 = keys.line("ed25519").split()[:2]
    key = parse_public_key(f"{typ} {b64} evil\x1b[2Jname\x07")
    assert key.comment == "evil[2Jname"


def test_errors_never_echo_the_key_material(keys):
    typ, b64 = keys.line("rsa2048").split()[:2]
    with pytest.raises(InvalidKey) as err:
        parse_public_key(f"{typ} {b64}")
    assert b64[10:40] not in str(err.value)


# --- the store ----------------------------------------------------------------------------

def test_add_list_remove_are_audited(store, users, keys):
    from store.models import AuditEvent
    from store.scope import Scope

    sales = users["sales"]
    view = sshkeys.add_key(Scope.console(), sales.username, keys.line("ed25519"))
    assert view.user_id == sales.id and view.fingerprint.startswith("SHA256:")
    assert [k.id for k in sshkeys.keys_of(Scope.console(), sales.username)] == [view.id]
    sshkeys.remove_key(Scope.console(), view.id)
    assert sshkeys.keys_of(Scope.console(), sales.username) == []
    rows = list(AuditEvent.select().where(AuditEvent.action.startswith("ssh_key."))
                .order_by(AuditEvent.id))
    assert [r.action for r in rows] == ["ssh_key.add", "ssh_key.remove"]
    assert all(r.entity == "user" and r.entity_id == sales.id for r in rows)
    assert "laptop" not in rows[0].detail  # the comment is never logged
    assert view.fingerprint in rows[0].detail


def test_one_key_belongs_to_one_user(store, users, keys):
    from store.db import StoreError
    from store.scope import Scope

    sshkeys.add_key(Scope.console(), users["sales"].username, keys.line("ecdsa256"))
    with pytest.raises(StoreError, match="already registered to another user"):
        sshkeys.add_key(Scope.console(), users["manager"].username, keys.line("ecdsa256"))
    with pytest.raises(StoreError, match="already registered to this user"):
        sshkeys.add_key(Scope.console(), users["sales"].username, keys.line("ecdsa256"))


def test_only_admins_manage_keys(store, users, keys):
    from store.scope import Forbidden, Scope

    with pytest.raises(Forbidden):
        sshkeys.add_key(Scope(users["manager"]), users["sales"].username, keys.line("ed25519"))
    with pytest.raises(Forbidden):
        sshkeys.add_key(Scope(users["sales"]), users["sales"].username, keys.line("ed25519"))
    view = sshkeys.add_key(Scope(users["admin"]), users["sales"].username, keys.line("ed25519"))
    with pytest.raises(Forbidden):
        sshkeys.remove_key(Scope(users["privacy"]), view.id)


def test_unknown_user_and_key_are_one_line_errors(store, users, keys):
    from store.accounts import UnknownUser
    from store.scope import Scope

    with pytest.raises(UnknownUser):
        sshkeys.add_key(Scope.console(), "nobody", keys.line("ed25519"))
    with pytest.raises(sshkeys.UnknownKey, match="no SSH key with id 999"):
        sshkeys.remove_key(Scope.console(), 999)


def test_authorized_only_while_key_exists_and_user_active(store, users, keys):
    from store.db import database
    from store.models import User, utcnow
    from store.scope import Scope

    sales = users["sales"]
    typ, b64 = keys.line("ed25519").split()[:2]
    assert sshkeys.authorized_key_id(typ, b64) is None
    view = sshkeys.add_key(Scope.console(), sales.username, keys.line("ed25519"))
    assert sshkeys.authorized_key_id(typ, b64) == view.id
    assert sshkeys.key_in_use(view.id)
    assert sshkeys.user_of_key(view.id).id == sales.id
    assert sshkeys.authorized_key_id("ssh-rsa", b64) is None  # type must match too
    assert sshkeys.authorized_key_id(typ, "garbage!") is None
    with database.atomic():
        User.update(revoked_at=utcnow()).where(User.id == sales.id).execute()
    assert sshkeys.authorized_key_id(typ, b64) is None
    assert not sshkeys.key_in_use(view.id)
    with pytest.raises(sshkeys.UnknownKey):
        sshkeys.user_of_key(view.id)


def test_a_revoked_user_gets_no_new_keys(store, users, keys):
    from store.db import StoreError, database
    from store.models import User, utcnow
    from store.scope import Scope

    with database.atomic():
        User.update(revoked_at=utcnow()).where(User.id == users["sales"].id).execute()
    with pytest.raises(StoreError, match="revoked"):
        sshkeys.add_key(Scope.console(), users["sales"].username, keys.line("ed25519"))


def test_migration_matches_the_model(store):
    from store.db import database
    from store.models import SshKey

    columns = {c.name for c in database.get_columns("ssh_key")}
    assert columns == {f.column_name for f in SshKey._meta.sorted_fields}
    indexes = {i.name: i.unique for i in database.get_indexes("ssh_key")}
    assert indexes == {"ssh_key_user_id": False, "ssh_key_fingerprint": True}
