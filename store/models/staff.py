"""Staff: the users, their recovery codes, login sessions, SSH keys and the sealed purpose keys."""
from __future__ import annotations

from peewee import BigIntegerField, BlobField, BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField
from playhouse.sqlite_ext import AutoIncrementField

from .base import BaseModel, personal, utcnow


class User(BaseModel):
    id = AutoIncrementField()
    username = personal(CharField(unique=True), "account", "security", "account")
    full_name = personal(CharField(default=""), "account", "security", "account")  # shown in lists
    role = CharField()
    password_hash = CharField(null=True)
    # set by a reset until the new password is chosen: the old one is refused as the new one
    previous_password_hash = CharField(null=True)
    must_change_password = BooleanField(default=True)
    totp_secret = BlobField(null=True)  # AES-GCM sealed, on top of SQLCipher
    totp_enrolled = BooleanField(default=False)
    totp_last_step = BigIntegerField(default=0)  # replay guard: last accepted step
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)
    auth_epoch = IntegerField(default=0)  # bumped on revoke/reset: live sessions end
    created_at = DateTimeField(default=utcnow)
    last_login_at = personal(DateTimeField(null=True), "account", "security", "account")


class RecoveryCode(BaseModel):
    id = AutoIncrementField()
    user = ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    user_id: int
    code_hash = CharField()
    used_at = DateTimeField(null=True)


class LoginSession(BaseModel):
    id = AutoIncrementField()
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    user_id: int
    started_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)
    source_addr = personal(CharField(null=True), "account", "security", "account")
    pid = IntegerField()
    auth_epoch = IntegerField(default=0)
    ended_at = DateTimeField(null=True)
    end_reason = CharField(null=True)


class SshKey(BaseModel):
    """A staff member's SSH public key; sshd asks for it via `minicrm ssh authorized-keys`."""
    id = AutoIncrementField()
    user = ForeignKeyField(User, backref="ssh_keys", on_delete="CASCADE")
    user_id: int
    key_type = CharField()
    blob = BlobField()
    bits = IntegerField()
    fingerprint = CharField(unique=True)  # SHA256, as `ssh-keygen -lf`: one key, one user
    comment = personal(CharField(default=""), "account", "security", "account")
    added_at = DateTimeField(default=utcnow)
    added_by = IntegerField(null=True)
    last_used_at = personal(DateTimeField(null=True), "account", "security", "account")


class SealingKey(BaseModel):
    """Purpose keys carried across a database rekey, sealed under the database key (store/keyring.py)."""
    id = AutoIncrementField()
    key_id = CharField()  # keyring.key_id of the database key that seals `sealed`
    purpose = CharField()
    sealed = BlobField()

    class Meta:
        indexes = ((("key_id", "purpose"), True),)
