"""Companies: the contact form links a contact to one by name and CVR.

`find_or_create` joins the caller's transaction when there is one
(contacts.save_contact): a save that is refused leaves no company behind.
"""
from __future__ import annotations

from . import audit, changes, screening, validate
from .db import database
from .errors import Invalid
from .models import Company
from .scope import Scope


def find_or_create(scope: Scope, name: str | None, cvr: str | None = None, *,
                   allow_special: bool = False) -> int | None:
    """The company with this CVR (or, without one, this exact name), created if new.

    Returns None when both are empty: the contact then has no company.  A new
    company's name is screened like all free text (store/screening.py).
    """
    scope.require("company.edit")
    name = validate.text("company", name, max_length=200)
    cvr = validate.cvr(cvr, field="company_cvr")
    if not name and not cvr:
        return None
    with database.atomic():
        if cvr:
            company = Company.get_or_none(Company.cvr == cvr)
        else:
            company = Company.get_or_none((Company.name == name) & Company.cvr.is_null())
        if company is not None:
            return company.id
        if not name:
            raise Invalid("company", "is required")
        found = screening.screen_all({"company": name}, allow_special=allow_special)  # only a new name is written
        company = Company.create(name=name, cvr=cvr)
        changes.record("company", company.id, "insert", session_id=scope.session_id)
        audit.record(scope.user_id, "company.create", "company", company.id, cvr=bool(cvr))
        screening.flag(scope, "company", company.id, found)
    return company.id
