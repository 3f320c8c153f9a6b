"""The Art. 32 measures in force, read from the running installation (never stated from memory).

Encryption from SQLCipher's own pragmas and the file's first bytes, two-factor login and the
account rules from the accounts and the config, the audit chain checked now, backups and their
last verified date from the audit trail (store.backup.last_verified).  Read-only: no row is written.
"""
from __future__ import annotations

import stat
from dataclasses import dataclass

from .. import audit
from ..bilingual import Bilingual as B
from ..db import database
from ..models import ROLES, AccessReview, User
from ..processing import SECURITY_MEASURES, backup_status
from .texts import MEASURES

_PLAIN_SQLITE = b"SQLite format 3\x00"  # an unencrypted file starts with this


@dataclass(frozen=True)
class InForce:
    id: str
    title: B
    status: B  # the measure as read now


def _pragma(name: str) -> str:
    row = database.execute_sql(f"PRAGMA {name}").fetchone()
    return str(row[0]) if row and row[0] is not None else ""


def _encryption(config) -> InForce:
    with open(config.db_path, "rb") as f:
        encrypted = f.read(16) != _PLAIN_SQLITE
    if not encrypted or not _pragma("cipher_version"):
        return InForce("encryption", MEASURES["encryption"], MEASURES["encryption_off"])
    try:
        key_mode = stat.filemode(config.key_path.stat().st_mode)
    except OSError:
        key_mode = "?"
    on = {"1": "on"}
    values = {"version": _pragma("cipher_version"), "cipher": _pragma("cipher"),
              "page_size": _pragma("cipher_page_size"), "hmac": _pragma("cipher_hmac_algorithm"),
              "temp": "temp_store=" + {"2": "memory"}.get(_pragma("temp_store"), _pragma("temp_store")),
              "secure_delete": "secure_delete=" + on.get(_pragma("secure_delete"), "off"), "key_mode": key_mode}
    return InForce("encryption", MEASURES["encryption"], _filled(MEASURES["encryption_on"], values))


def _filled(text: B, values: dict) -> B:
    return B(text.da.format(**values), text.en.format(**values))


def _access(config) -> InForce:
    active = User.select().where(User.revoked_at.is_null())
    values = {"enrolled": active.where(User.totp_enrolled == True).count(),  # noqa: E712  # peewee SQL
              "active": active.count(), "min_length": config["auth.password_min_length"],
              "lockout": config["auth.lockout_threshold"], "lockout_minutes": config["auth.lockout_minutes"],
              "idle": config["auth.idle_lock_minutes"], "session": config["auth.session_max_hours"],
              "roles": len(ROLES)}
    return InForce("access", MEASURES["access"], _filled(MEASURES["access_on"], values))


def _audit() -> InForce:
    report = audit.verify()
    if report.ok:
        return InForce("audit", MEASURES["audit"], _filled(MEASURES["audit_ok"], {"rows": report.rows}))
    return InForce("audit", MEASURES["audit"], _filled(MEASURES["audit_broken"], {"row": report.first_broken}))


def _backups(config) -> InForce:
    en, da = backup_status()
    values = {"daily": config["backup.keep_daily"], "weekly": config["backup.keep_weekly"],
              "monthly": config["backup.keep_monthly"]}
    text = MEASURES["backups_kept"]
    return InForce("backups", MEASURES["backups"], B(text.da.format(status=da, **values),
                                                     text.en.format(status=en, **values)))


def _organisational() -> InForce:
    last = AccessReview.select(AccessReview.reviewed_at).order_by(AccessReview.reviewed_at.desc()).first()
    when = B(f"{last.reviewed_at:%Y-%m-%d}", f"{last.reviewed_at:%Y-%m-%d}") if last else MEASURES["never"]
    text = MEASURES["organisational_text"]
    return InForce("organisational", MEASURES["organisational"],
                   B(text.da.format(review=when.da), text.en.format(review=when.en)))


def in_force(config) -> list[InForce]:
    """Each measure with what the system shows of it now."""
    rotation = SECURITY_MEASURES["key_rotation"]
    return [_encryption(config), _access(config), _audit(), _backups(config),
            InForce("key_rotation", MEASURES["key_rotation"], B(rotation.da, rotation.en)), _organisational()]
