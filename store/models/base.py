"""What every model shares: the base class bound to the database, `utcnow`, the roles, and
`personal(...)`, which marks a field as personal data (category, purpose, retention)."""
from __future__ import annotations

import datetime as dt
from typing import TypeVar

from peewee import Field, Model

from ..db import database
from ..processing import PersonalData

_AnyField = TypeVar("_AnyField", bound=Field)

ROLES = ("admin", "manager", "sales", "finance", "privacy")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def personal(field: _AnyField, category: str, purpose: str, retention: str) -> _AnyField:
    """Mark a field as personal data; the metadata travels with the field."""
    field.personal = PersonalData(category, purpose, retention)  # type: ignore[attr-defined]  # our own tag on peewee's field
    return field


# Each model writes out its `id = AutoIncrementField()`: SQLite AUTOINCREMENT, so an id is never
# handed out twice (an erased person's id given to a new one would inherit their history; see
# migrations/m*_ids_never_reused.py).  Each model also annotates the raw key
# peewee sets beside each foreign key (`company` -> `company_id: int | None`), so a type checker
# knows them: the annotations are types only, peewee reads none of them.
class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False
