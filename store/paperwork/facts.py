"""What the documents state, gathered in one place: the config, the field metadata, the rules.

* categories of personal data, purposes and the data subjects: from each field's
  `models.personal(...)` metadata (`models.personal_fields()`), never a hand list;
* retention: `store.retention` (the figures the retention jobs and the Art. 15 report use);
* controller, recipients, sub-processors, transfers: the `[company]` and `[recipients]` settings;
* where they came from: the config file's path and a SHA-256 of its validated settings.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from .. import retention
from ..models import personal_fields


@dataclass(frozen=True)
class Party:
    name: str
    role: str
    country: str
    works_for: str = ""  # a sub-processor's processor


@dataclass(frozen=True)
class Transfer:
    recipient: str
    country: str
    safeguard: str


@dataclass
class Facts:
    config_path: str
    config_digest: str
    generated_at: dt.datetime
    company: dict[str, str]
    rules: retention.Rules
    # category id -> [(table, column)], in the models' order
    categories: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    purposes: dict[str, set[str]] = field(default_factory=dict)  # purpose id -> category ids
    retention_of: dict[str, set[str]] = field(default_factory=dict)  # category id -> retention ids
    subjects: list[str] = field(default_factory=list)
    processors: list[Party] = field(default_factory=list)
    sub_processors: list[Party] = field(default_factory=list)
    others: list[Party] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    mailing_lists: list[str] = field(default_factory=list)  # consent.purposes: one list each

    def safeguard_of(self, name: str) -> str:
        """The safeguard listed for a recipient's third-country transfer, or ''."""
        for t in self.transfers:
            if t.recipient.casefold() == name.casefold():
                return f"{t.country}: {t.safeguard}"
        return ""

    def subs_of(self, processor: str) -> list[Party]:
        return [s for s in self.sub_processors if s.works_for.casefold() == processor.casefold()]


def _subject_of(meta) -> str:
    """Who a field is about, from its metadata: staff accounts, web sign-ups, or customers."""
    if meta.category == "account":
        return "staff"
    if meta.retention == "opt_in_pending":
        return "signups"
    return "customers"


def settings_digest(values: dict) -> str:
    """SHA-256 of the validated settings (canonical JSON): which config a document came from."""
    canonical = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _parties(entries: list[str], parts: int) -> list[Party]:
    out = []
    for entry in entries:
        fields = [f.strip() for f in entry.split("|")]
        out.append(Party(*fields[:parts]))
    return out


def gather(config, now: dt.datetime | None = None) -> Facts:
    from ..models import utcnow

    recipients = config.values["recipients"]
    facts = Facts(config_path=str(config.source), config_digest=settings_digest(config.values),
                  generated_at=(now or utcnow()).replace(microsecond=0),
                  company={k: str(v).strip() for k, v in config.values["company"].items()},
                  rules=retention.from_settings(config.values["retention"], config.values["web"]["confirm_days"]),
                  processors=_parties(recipients["processors"], 3),
                  sub_processors=_parties(recipients.get("sub_processors", []), 4),
                  others=_parties(recipients["others"], 3),
                  transfers=[Transfer(*(f.strip() for f in t.split("|")))
                             for t in recipients["third_country_transfers"]],
                  mailing_lists=list(config.values["consent"]["purposes"]))
    subjects: list[str] = []
    for model, fld in personal_fields():
        meta = fld.personal  # type: ignore[attr-defined]  # models.personal's tag
        facts.categories.setdefault(meta.category, [])
        pair = (model._meta.table_name, fld.name)  # type: ignore[attr-defined]
        if pair not in facts.categories[meta.category]:
            facts.categories[meta.category].append(pair)
        facts.purposes.setdefault(meta.purpose, set()).add(meta.category)
        facts.retention_of.setdefault(meta.category, set()).add(meta.retention)
        subject = _subject_of(meta)
        if subject not in subjects:
            subjects.append(subject)
    facts.subjects = [s for s in ("customers", "signups", "staff") if s in subjects]
    return facts
