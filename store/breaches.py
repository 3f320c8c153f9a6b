"""The breach register (GDPR Art. 33 and 34): every personal-data breach, notified or not.

Art. 33(5) asks the controller to document every breach: the facts, its effects and the
remedial action, so that Datatilsynet can check compliance.  Each entry holds what
Art. 33(3) asks a notification to say (nature, categories and approximate numbers of
people and records, likely consequences, measures taken) and whether and when
Datatilsynet was notified; the deadline is 72 hours from becoming aware (Art. 33(1)),
shown as time left or as overdue.  Art. 34: whether and when the people were told.

Only the admin and privacy roles see or write it (`breach.read`, `breach.record`).
Audit rows name the breach by id and the changed fields by name: never their text.  The text
fields are screened like every free text: a CPR number is refused (a category such as "health
data" may be named: saying what leaked is the point).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import audit, changes, screening, validate
from .errors import Invalid, NotFound
from .models import Breach, User, utcnow
from .processing import CATEGORIES
from .scope import Scope

DEADLINE = dt.timedelta(hours=72)  # Art. 33(1): "not later than 72 hours after having become aware"
KINDS = ("confidentiality", "integrity", "availability")  # the three kinds of breach (EDPB 9/2022)
MAX_TEXT = 4000
# What a form may set; everything else is the register's own.
FIELDS = ("aware_at", "occurred_at", "kind", "nature", "data_categories", "people_approx", "records_approx",
          "consequences", "measures", "notified_at", "not_notified_reason", "people_told_at",
          "people_told_note")


@dataclass(frozen=True)
class BreachView:
    id: int
    aware_at: dt.datetime
    occurred_at: dt.datetime | None
    kind: str
    nature: str
    data_categories: tuple[str, ...]
    people_approx: int
    records_approx: int
    consequences: str
    measures: str
    notified_at: dt.datetime | None
    not_notified_reason: str
    people_told_at: dt.datetime | None
    people_told_note: str
    recorded_by: str
    recorded_at: dt.datetime
    updated_at: dt.datetime

    @property
    def deadline(self) -> dt.datetime:
        return self.aware_at + DEADLINE

    def time_left(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        """Time until the 72-hour deadline (negative: overdue); None once it no longer runs
        (Datatilsynet notified, or the decision not to notify written down)."""
        if self.notified_at is not None or self.not_notified_reason:
            return None
        return self.deadline - (now or utcnow())

    def status(self, now: dt.datetime | None = None) -> str:
        """notified / notified_late / not_notified / open / overdue."""
        if self.notified_at is not None:
            return "notified_late" if self.notified_at > self.deadline else "notified"
        if self.not_notified_reason:
            return "not_notified"
        left = self.time_left(now)
        return "overdue" if left is not None and left < dt.timedelta(0) else "open"


def _view(row: Breach, names: dict[int, str]) -> BreachView:
    who = names.get(row.recorded_by_id, "?") if row.recorded_by_id else "console"
    return BreachView(id=row.id, aware_at=row.aware_at, occurred_at=row.occurred_at, kind=row.kind,
                      nature=row.nature, data_categories=tuple(row.data_categories.split()),
                      people_approx=row.people_approx, records_approx=row.records_approx,
                      consequences=row.consequences, measures=row.measures, notified_at=row.notified_at,
                      not_notified_reason=row.not_notified_reason, people_told_at=row.people_told_at,
                      people_told_note=row.people_told_note, recorded_by=who, recorded_at=row.recorded_at,
                      updated_at=row.updated_at)


def _names() -> dict[int, str]:
    return {u.id: u.username for u in User.select(User.id, User.username)}


def _when(field: str, value, *, required: bool = False) -> dt.datetime | None:
    """A time as a datetime (UTC, no tzinfo), from a datetime or 'YYYY-MM-DD HH:MM' text."""
    if value in (None, ""):
        if required:
            raise Invalid(field, "is required")
        return None
    if isinstance(value, dt.datetime):
        when = value
    elif isinstance(value, dt.date):
        when = dt.datetime.combine(value, dt.time())
    else:
        try:
            when = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise Invalid(field, "must be a time as YYYY-MM-DD HH:MM (UTC)") from None
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when.replace(microsecond=0)


def _count(field: str, value) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        raise Invalid(field, "must be a whole number") from None
    if number < 0:
        raise Invalid(field, "must be zero or more")
    return number


def _categories(value) -> str:
    given = value.replace(",", " ").split() if isinstance(value, str) else list(value or ())
    for c in given:
        if c not in CATEGORIES:
            raise Invalid("data_categories", f"must be one of: {', '.join(CATEGORIES)}")
    return " ".join(dict.fromkeys(given))


def _clean(values: dict, now: dt.datetime) -> dict:
    """The form's values checked: each error names the field, never its text."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise Invalid(sorted(unknown)[0], "is not a field of a breach")
    out: dict = {}
    for key, value in values.items():
        if key in ("aware_at", "occurred_at", "notified_at", "people_told_at"):
            out[key] = _when(key, value, required=key == "aware_at")
            if out[key] is not None and out[key] > now + dt.timedelta(minutes=5):
                raise Invalid(key, "must not be in the future")
        elif key == "kind":
            out[key] = validate.choice("kind", value, KINDS)
        elif key in ("people_approx", "records_approx"):
            out[key] = _count(key, value)
        elif key == "data_categories":
            out[key] = _categories(value)
        else:
            out[key] = validate.multiline(key, value, max_length=MAX_TEXT)
            # what leaked may be health data, and saying so is the point; a CPR number never belongs here
            screening.screen(key, out[key], allow_special=True)
    return out


def _check_whole(row: dict) -> None:
    if not row.get("nature"):
        raise Invalid("nature", "is required")
    for key in ("occurred_at", "notified_at", "people_told_at"):
        if key == "occurred_at":
            if row.get(key) and row[key] > row["aware_at"]:
                raise Invalid(key, "is after the time we became aware of the breach")
        elif row.get(key) and row[key] < row["aware_at"] - dt.timedelta(days=1):
            raise Invalid(key, "is before the time we became aware of the breach")


def record_breach(scope: Scope, *, now: dt.datetime | None = None, **values) -> BreachView:
    """Add a breach to the register (one transaction, audited with field names only)."""
    scope.require("breach.record")
    now = now or utcnow()
    row = {"kind": "confidentiality", "data_categories": "", "people_approx": 0, "records_approx": 0,
           "consequences": "", "measures": "", "not_notified_reason": "", "people_told_note": ""}
    row.update(_clean(values, now))
    if "aware_at" not in row:
        raise Invalid("aware_at", "is required")
    _check_whole(row)
    with scope.transaction():
        breach = Breach.create(**row, recorded_by=scope.user_id, recorded_at=now, updated_at=now)
        changes.record("breach", breach.id, "insert", session_id=scope.session_id)
        audit.record(scope.user_id, "breach.record", "breach", breach.id, kind=row["kind"],
                     notified=row.get("notified_at") is not None, fields=sorted(k for k, v in row.items() if v))
    return _view(Breach.get_by_id(breach.id), _names())


def update_breach(scope: Scope, breach_id: int, *, now: dt.datetime | None = None, **values) -> BreachView:
    """Change what a breach entry says (a notification made, people told, measures taken)."""
    scope.require("breach.record")
    now = now or utcnow()
    cleaned = _clean(values, now)
    with scope.transaction():
        breach = Breach.get_or_none(Breach.id == breach_id)
        if breach is None:
            raise NotFound(f"breach {breach_id} not found")
        merged = {k: getattr(breach, k) for k in FIELDS} | cleaned
        merged["data_categories"] = merged["data_categories"] or ""
        _check_whole(merged)
        changed = sorted(k for k, v in cleaned.items() if getattr(breach, k) != v)
        if changed:
            for key in changed:
                setattr(breach, key, cleaned[key])
            breach.updated_at = now
            breach.save()
            changes.record("breach", breach.id, "update", session_id=scope.session_id)
            audit.record(scope.user_id, "breach.update", "breach", breach.id, fields=changed)
    return _view(Breach.get_by_id(breach_id), _names())


def get_breach(scope: Scope, breach_id: int) -> BreachView:
    scope.require("breach.read")
    row = Breach.get_or_none(Breach.id == breach_id)
    if row is None:
        raise NotFound(f"breach {breach_id} not found")
    audit.record_view(scope.user_id, "breach.view", "breach", breach_id)
    return _view(row, _names())


def list_breaches(scope: Scope) -> list[BreachView]:
    """Every breach, the newest awareness first."""
    scope.require("breach.read")
    names = _names()
    return [_view(r, names) for r in Breach.select().order_by(Breach.aware_at.desc(), Breach.id.desc())]


__all__ = ["BreachView", "DEADLINE", "KINDS", "FIELDS", "record_breach", "update_breach", "get_breach",
           "list_breaches"]
