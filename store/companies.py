"""Companies: the contact form links a contact to one by name and CVR.

`find_or_create` joins the caller's transaction when there is one
(contacts.save_contact): a save that is refused leaves no company behind.
"""
from __future__ import annotations

from . import audit, changes, contact_details, screening, search, validate
from .db import database
from .errors import Invalid
from .models import Company, utcnow
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


def set_address(scope: Scope, company_id: int, fields: dict, *, allow_special: bool = False) -> dict:
    """Change a company's address (any of address, postcode, city, country), cleaned and
    screened like the contact's own (store/contact_details.py); returns it as stored."""
    scope.require("company.edit")
    unknown = set(fields) - set(contact_details.ADDRESS_FIELDS)
    if unknown:
        raise Invalid(sorted(unknown)[0], "is not an address field")
    clean = contact_details.clean_address(fields)
    scope.company(company_id)  # outside the transaction, so an access.denied row is kept
    with database.atomic():
        scope.company(company_id)
        found = screening.screen_all({k: v for k, v in clean.items() if k in contact_details.SCREENED_ADDRESS},
                                     allow_special=allow_special)
        Company.update({**{getattr(Company, k): v for k, v in clean.items()}, Company.updated_at: utcnow()}).where(
            Company.id == company_id).execute()
        search.index_company(database, company_id)  # its contacts are found by its address
        changes.record("company", company_id, "update", session_id=scope.session_id)
        audit.record(scope.user_id, "company.edit", "company", company_id, fields=sorted(clean))
        screening.flag(scope, "company", company_id, found)
        company = Company.get_by_id(company_id)
    return {k: getattr(company, k) or "" for k in contact_details.ADDRESS_FIELDS}
