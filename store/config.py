"""Load and validate the TOML configuration.

One schema below is the single source of truth: defaults, types and the
documentation in config.example.toml are checked against it by a test.
The program never starts half-configured: any problem is a ConfigError
that names the file and the key.
"""
from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError

DEFAULT_PATH = Path("/etc/minicrm/config.toml")
REQUIRED = object()  # marks a setting with no default
_PURPOSE = re.compile(r"[a-z][a-z0-9_]{0,39}")  # a purpose is a list name, a URL part and a vocabulary id


@dataclass(frozen=True)
class Setting:
    type: type | tuple[type, ...]
    default: Any
    doc: str
    choices: tuple = ()
    minimum: int | None = None
    check: Callable[[Any], str | None] | None = None  # what is wrong with a value, or None


def _month_day(value: str) -> str | None:
    """A financial year's last day as MM-DD (any year: 02-29 is refused)."""
    import datetime as dt

    try:
        dt.date.fromisoformat(f"2001-{value}")
    except ValueError:
        return f"must be a day of the year as MM-DD (such as 12-31 or 06-30), not {value!r}"
    return None


def _party_list(parts: int, what: str) -> Callable[[Any], str | None]:
    """A list of "a | b | c" strings, each with `parts` non-empty fields."""
    def check(value: list) -> str | None:
        for n, entry in enumerate(value, 1):
            fields = entry.split("|") if isinstance(entry, str) else []
            if len(fields) != parts or not all(f.strip() for f in fields):
                return f"entry {n} must be a string \"{what}\", not {entry!r}"
        return None
    return check


# section -> key -> Setting.  Paths are resolved relative to the config file.
SCHEMA: dict[str, dict[str, Setting]] = {
    "database": {
        "path": Setting(str, REQUIRED, "The encrypted SQLite (SQLCipher) database file."),
        "key_file": Setting(str, REQUIRED, "File holding the 256-bit database key (mode 0600)."),
        "cache_mb": Setting(int, 64, "Page cache per connection, in MiB (decrypted pages).", minimum=2),
        "busy_timeout_ms": Setting(int, 10_000, "How long a write waits for another process's write lock "
                                   "before saying 'the database is busy; try again'.", minimum=100),
    },
    "company": {
        "name": Setting(str, "", "Your company's legal name (privacy notice, password rules)."),
        "cvr": Setting(str, "", "Your company's CVR number."),
        "address": Setting(str, "", "Your company's postal address."),
        "email": Setting(str, "", "Where data subjects write to you."),
        "dpo": Setting(str, "", "Data protection contact, if any."),
    },
    "auth": {
        "password_min_length": Setting(int, 12, "Minimum password length (never below 8).", minimum=8),
        "bcrypt_cost": Setting(int, 12, "bcrypt cost factor (never below 12).", minimum=12),
        "lockout_threshold": Setting(int, 5, "Consecutive failures before the account locks.", minimum=1),
        "lockout_minutes": Setting(int, 15, "How long a locked account stays locked.", minimum=1),
        "idle_lock_minutes": Setting(int, 15, "Idle time before the screen locks.", minimum=1),
        "session_max_hours": Setting(int, 12, "Forced re-authentication after this long.", minimum=1),
    },
    "ui": {
        "language": Setting(str, "", "'da' or 'en'; empty means from the locale.", choices=("", "da", "en")),
        "demo": Setting(bool, False, "Demo mode: the login screen shows demo accounts. Never in production."),
    },
    "import": {
        "default_region": Setting(str, "DK", "Region for phone numbers written without a country code."),
    },
    "export": {
        "folder": Setting(str, "exports", "Where data-subject export bundles are written (mode 0700)."),
        "ssh_address": Setting(str, "crm@server", "The service account and host staff connect to: "
                               "the app shows `ssh <this> export fetch ...` to fetch a bundle."),
    },
    "consent": {
        "purposes": Setting(list, ["newsletter", "offers", "events"],
                            "Consent purposes, one mailing list each (lower-case words)."),
        "repermission_months": Setting(int, 24, "Consent older than this is flagged for re-permission.",
                                       minimum=1),
    },
    "mail": {
        "host": Setting(str, "", "SMTP server for confirmation mails and campaigns; empty: no mail is sent."),
        "port": Setting(int, 587, "SMTP port (587 STARTTLS, 465 implicit TLS).", minimum=1),
        "security": Setting(str, "starttls", "'starttls', 'tls' (implicit) or 'none' (a local relay only).",
                            choices=("starttls", "tls", "none")),
        "username": Setting(str, "", "SMTP login; empty: no authentication."),
        "password_file": Setting(str, "", "File holding the SMTP password (mode 0600)."),
        "from_address": Setting(str, "", "The sender address of every mail."),
        "helo_name": Setting(str, "", "The name this server greets the SMTP server with (EHLO); "
                             "empty: the domain of from_address."),
        "timeout_seconds": Setting(int, 30, "Give up on the SMTP server after this long.", minimum=1),
        "campaign_per_minute": Setting(int, 60, "Campaign mails sent per minute at most.", minimum=1),
    },
    "web": {
        "bind": Setting(str, "127.0.0.1:8080", "HOST:PORT the opt-in endpoint listens on (behind a proxy)."),
        "base_url": Setting(str, "", "The public address of the endpoint, used in links in mails."),
        "privacy_url": Setting(str, "", "Link to the company's privacy notice, shown on the form."),
        "trusted_proxies": Setting(list, [], "Proxy addresses whose X-Forwarded-For is believed."),
        "frame_ancestors": Setting(list, [], "Sites allowed to embed the form in a frame."),
        "confirm_days": Setting(int, 7, "Days a confirmation link stays valid.", minimum=1),
        "cooldown_hours": Setting(int, 24, "No second mail to the same address and purpose within this.",
                                  minimum=1),
        "per_address_per_hour": Setting(int, 3, "Sign-ups per e-mail address per hour.", minimum=1),
        "per_ip_per_hour": Setting(int, 30, "Sign-ups per source IP per hour.", minimum=1),
    },
    "backup": {
        "folder": Setting(str, "backups", "Where `minicrm backup create` writes encrypted backups (mode 0700)."),
        "keep_daily": Setting(int, 7, "Keep the newest backup of each of this many days.", minimum=1),
        "keep_weekly": Setting(int, 4, "Keep the newest backup of each of this many ISO weeks.", minimum=0),
        "keep_monthly": Setting(int, 12, "Keep the newest backup of each of this many months.", minimum=0),
    },
    # How long data is kept: the retention jobs and the Art. 15 report both read these (store/retention.py).
    "retention": {
        "financial_year_end": Setting(str, "12-31", "Last day of the financial year, MM-DD; invoices are kept "
                                      "5 years from its end (bogføringsloven § 10).", check=_month_day),
        "inactive_archive_months": Setting(int, 24, "Months without activity before a contact is archived.",
                                           minimum=1),
        "archived_erase_months": Setting(int, 12, "Months an archived contact is kept before it is erased.",
                                         minimum=1),
        "consent_proof_years": Setting(int, 2, "Years the proof of a consent is kept after its withdrawal.",
                                       minimum=1),
        "erasure_proof_years": Setting(int, 5, "Years the proof kept after an erasure (keyed hashes, dates, "
                                       "text versions, methods) is kept.", minimum=1),
        "export_bundle_days": Setting(int, 7, "Days a person's export bundle stays in export.folder before "
                                      "the hygiene job deletes it.", minimum=1),
        "audit_years": Setting(int, 5, "Years audit rows are kept; older ones are dropped with a checkpoint "
                               "of the last one, so the chain still verifies.", minimum=1),
    },
    # Who receives the data (Art. 15(1)(c)) and transfers outside the EU/EEA (Art. 15(2)): named in the report.
    "recipients": {
        "processors": Setting(list, [], 'Processors, each "name | role | country".',
                              check=_party_list(3, "name | role | country")),
        "sub_processors": Setting(list, [], 'Sub-processors your processors use, each '
                                  '"name | role | country | processor it works for" (the DPA and the '
                                  'processors list name them).',
                                  check=_party_list(4, "name | role | country | processor")),
        "others": Setting(list, [], 'Other recipients, each "name | role | country".',
                          check=_party_list(3, "name | role | country")),
        "third_country_transfers": Setting(list, [], 'Transfers outside the EU/EEA, each '
                                           '"recipient | country | safeguard".',
                                           check=_party_list(3, "recipient | country | safeguard")),
    },
    "audit": {
        "checkpoint_file": Setting(str, "audit-checkpoints.jsonl",
                                   "Where `minicrm audit checkpoint` appends the audit head; copy it "
                                   "off the machine."),
        "syslog": Setting(bool, True, "Also send each audit checkpoint to the system log (the journal)."),
    },
}


@dataclass(frozen=True)
class Config:
    source: Path
    values: dict[str, dict[str, Any]]

    def __getitem__(self, dotted: str) -> Any:
        section, key = dotted.split(".", 1)
        return self.values[section][key]

    @property
    def db_path(self) -> Path:
        return self._path(self["database.path"])

    @property
    def key_path(self) -> Path:
        return self._path(self["database.key_file"])

    @property
    def export_dir(self) -> Path:
        return self._path(self["export.folder"])

    @property
    def mail_password_path(self) -> Path | None:
        return self._path(self["mail.password_file"]) if self["mail.password_file"] else None

    @property
    def backup_dir(self) -> Path:
        return self._path(self["backup.folder"])

    def _path(self, value: str) -> Path:
        p = Path(value).expanduser()
        return p if p.is_absolute() else (self.source.parent / p)


def find_config(explicit: str | os.PathLike | None = None) -> Path:
    """--config, then $MINICRM_CONFIG, then /etc/minicrm/config.toml."""
    for candidate in (explicit, os.environ.get("MINICRM_CONFIG")):
        if candidate:
            path = Path(candidate)
            if not path.is_file():
                raise ConfigError(f"{path}: no such config file")
            return path
    if DEFAULT_PATH.is_file():
        return DEFAULT_PATH
    raise ConfigError(
        f"no config file: pass --config, set MINICRM_CONFIG, or create {DEFAULT_PATH}"
    )


def load_config(explicit: str | os.PathLike | None = None) -> Config:
    path = find_config(explicit)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    return Config(path.resolve(), validate(raw, path))


def validate(raw: dict, path: Path | str) -> dict[str, dict[str, Any]]:
    for section in raw:
        if section not in SCHEMA:
            if not isinstance(raw[section], dict):  # a key written above every [section]
                raise ConfigError(f"{path}: unknown key {section} (settings go under a [section])")
            raise ConfigError(f"{path}: unknown section [{section}]")
        if not isinstance(raw[section], dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
    values: dict[str, dict[str, Any]] = {}
    for section, settings in SCHEMA.items():
        given = raw.get(section, {})
        for key in given:
            if key not in settings:
                raise ConfigError(f"{path}: unknown key {section}.{key}")
        values[section] = {}
        for key, setting in settings.items():
            name = f"{section}.{key}"
            if key not in given:
                if setting.default is REQUIRED:
                    raise ConfigError(f"{path}: missing required key {name}")
                values[section][key] = list(setting.default) if isinstance(setting.default, list) \
                    else setting.default
                continue
            value = given[key]
            # bool is an int in Python; a TOML `true` for an int setting is still wrong
            if not isinstance(value, setting.type) or (
                setting.type is int and isinstance(value, bool)
            ):
                want = setting.type.__name__ if isinstance(setting.type, type) else "value"
                raise ConfigError(f"{path}: {name} must be {_tomltype(want)}, not {value!r}")
            if isinstance(value, list) and not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{path}: {name} must be a list of strings, not {value!r}")
            if setting.choices and value not in setting.choices:
                allowed = ", ".join(repr(c) for c in setting.choices)
                raise ConfigError(f"{path}: {name} must be one of {allowed}, not {value!r}")
            if setting.minimum is not None and isinstance(value, int) and value < setting.minimum:
                raise ConfigError(f"{path}: {name} must be at least {setting.minimum}, not {value}")
            if setting.default is REQUIRED and value == "":
                raise ConfigError(f"{path}: {name} must not be empty")
            problem = setting.check(value) if setting.check is not None else None
            if problem:
                raise ConfigError(f"{path}: {name} {problem}")
            values[section][key] = value
    bad = [p for p in values["consent"]["purposes"] if not _PURPOSE.fullmatch(p)]
    if bad or not values["consent"]["purposes"]:
        raise ConfigError(f"{path}: consent.purposes must be lower-case words (a-z, 0-9, _), "
                          f"at least one, not {bad or '[]'!r}")
    return values


def _tomltype(pyname: str) -> str:
    return {"str": "a string", "int": "an integer", "bool": "a boolean (true/false)",
            "list": "a list of strings"}.get(pyname, pyname)


def write_config(path: Path, db_path: str, key_file: str, **sections: dict[str, Any]) -> None:
    """Write a minimal config file (used by `minicrm init --new-config` and the demo)."""
    lines = ["[database]", f"path = {_toml_str(db_path)}", f"key_file = {_toml_str(key_file)}"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in sections.pop("database", {}).items()]
    lines.append("")
    for section, items in sections.items():
        lines.append(f"[{section}]")
        for key, value in items.items():
            lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_value(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return _toml_str(str(v))
