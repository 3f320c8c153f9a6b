"""Withdrawals from an external mail tool, applied by import (issue 13).

A Mailchimp "unsubscribed" export (UNSUB_TIME column) or "cleaned" export
(CLEAN_TIME) names people who must not be mailed again: each given e-mail
consent of theirs for the list is withdrawn with the tool's own time and the
file and line as evidence.  Rows are applied in short transactions; a line
that cannot be used is reported by number and changes nothing.  Addresses
never appear in the report (only counts and line numbers).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from . import consent as consents
from .consent_texts import purposes
from .errors import ImportFileError, Invalid
from .models import Consent, Contact, utcnow
from .scope import Scope
from .validate import choice
from .validate import email as valid_email

BATCH = 500
_EMAIL_HEADERS = ("email address", "e-mail address", "email", "e-mail")
_KINDS = (("unsub_time", "unsubscribed"), ("clean_time", "cleaned"))


@dataclass
class WithdrawalReport:
    kind: str
    withdrawn: int = 0
    not_given: int = 0  # known person, but no given consent for the list (already withdrawn, or never)
    unknown: int = 0  # no contact with that address
    problems: list[str] = field(default_factory=list)  # "line 7: not an e-mail address"


def _time(value: str) -> dt.datetime | None:
    try:
        at = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at


def apply_withdrawals(scope: Scope, path: Path, list_name: str = "newsletter",
                      now: dt.datetime | None = None) -> WithdrawalReport:
    scope.require("consent.write")
    list_name = choice("list", list_name, purposes())
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(path.name, "not UTF-8 (export it again from the mail tool as CSV)") from None
    except OSError as exc:
        raise ImportFileError(path.name, f"cannot read ({exc.strerror})") from None
    rows = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(rows, [])]
    email_col = next((header.index(h) for h in _EMAIL_HEADERS if h in header), None)
    found = next(((header.index(col), kind) for col, kind in _KINDS if col in header), None)
    if email_col is None or found is None:
        raise ImportFileError(path.name, "not an unsubscribed or cleaned export (needs an 'Email Address' "
                              "column and UNSUB_TIME or CLEAN_TIME)", line=1)
    time_col, kind = found
    report = WithdrawalReport(kind)
    now = now or utcnow()
    batch: list[tuple[int, str, dt.datetime | None]] = []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            address = valid_email(row[email_col] if email_col < len(row) else "")
        except Invalid:
            address = None
        if not address:
            report.problems.append(f"line {line}: not an e-mail address")
            continue
        batch.append((line, address, _time(row[time_col]) if time_col < len(row) else None))
        if len(batch) >= BATCH:
            _apply(scope, batch, list_name, path.name, report, now)
            batch = []
    if batch:
        _apply(scope, batch, list_name, path.name, report, now)
    return report


def _apply(scope: Scope, batch, list_name: str, file_name: str, report: WithdrawalReport,
           now: dt.datetime) -> None:
    with scope.transaction():
        for line, address, at in batch:
            people = [c.id for c in scope.contacts().where(Contact.email == address)]
            if not people:
                report.unknown += 1
                continue
            given = list(scope.consents().where(Consent.contact.in_(people) & (Consent.purpose == list_name)
                                                & (Consent.channel == "email") & (Consent.status == "given")))
            if not given:
                report.not_given += 1
                continue
            for row in given:
                # the tool's time, but never before the consent it ends (the history stays in order)
                when = max(at, row.given_at or at) if at and at <= now else now
                consents.withdraw(row, method="import", actor=scope.user_id, now=when, session_id=scope.session_id,
                                  evidence=f"{file_name}, line {line}: {report.kind} at {at or 'no time given'}")
            report.withdrawn += 1
