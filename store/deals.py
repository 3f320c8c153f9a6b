"""Deals on a contact: list, create, move through the stages."""
from __future__ import annotations

from . import audit, changes, screening, validate
from .db import database, tuples
from .errors import Conflict, Invalid, Restricted
from .models import Deal, User, utcnow
from .processing import DEAL_STAGES
from .scope import Scope
from .views import DealView


def _view(d: Deal, names: dict[int | None, str]) -> DealView:
    return DealView(id=d.id, title=d.title, amount_minor=d.amount_minor, currency=d.currency,
                    stage=d.stage, owner=names.get(d.owner_id, ""), contact_id=d.contact_id,
                    version=d.version)


def deals_of(scope: Scope, contact_id: int) -> list[DealView]:
    scope.require("deal.read")
    scope.contact(contact_id)  # someone else's contact is refused (and audited), not shown empty
    names = dict(tuples(User.select(User.id, User.username)))
    q = scope.deals().where(Deal.contact == contact_id).order_by(Deal.created_at.desc(), Deal.id.desc())
    return [_view(d, names) for d in q]


def create_deal(scope: Scope, contact_id: int, *, title: str, amount_minor: int,
                stage: str = "new", currency: str = "DKK", allow_special: bool = False) -> int:
    """Create a deal; its title is screened like all free text (store/screening.py), and a
    restricted person (Art. 18) gets no new deal."""
    scope.require("deal.edit")
    title = validate.text("title", title, max_length=200, required=True)
    found = screening.screen_all({"deal_title": title}, allow_special=allow_special)
    stage = validate.choice("stage", stage, DEAL_STAGES)
    if not isinstance(amount_minor, int) or amount_minor < 0:
        raise Invalid("amount", "must be zero or more")
    with database.atomic():
        contact = scope.contact(contact_id)
        if contact.restricted_at is not None:
            raise Restricted(contact.id, "given new deals")
        deal = Deal.create(title=title, amount_minor=amount_minor, currency=currency, stage=stage,
                           owner=scope.user_id, contact=contact.id, company=contact.company_id)
        changes.record("deal", deal.id, "insert", session_id=scope.session_id)
        changes.record("contact", contact.id, "update", session_id=scope.session_id)
        audit.record(scope.user_id, "deal.create", "deal", deal.id, contact=contact.id)
        screening.flag(scope, "deal", deal.id, found)
    return deal.id


def set_stage(scope: Scope, deal_id: int, version: int, stage: str) -> int:
    scope.require("deal.edit")
    stage = validate.choice("stage", stage, DEAL_STAGES)
    with database.atomic():
        deal = scope.deal(deal_id)
        if deal.version != version:
            raise Conflict("deal", deal_id)
        Deal.update(stage=stage, version=Deal.version + 1, updated_at=utcnow()).where(
            Deal.id == deal_id).execute()
        changes.record("deal", deal_id, "update", session_id=scope.session_id)
        if deal.contact_id:
            changes.record("contact", deal.contact_id, "update", session_id=scope.session_id)
        audit.record(scope.user_id, "deal.stage", "deal", deal_id, stage=stage)
    return version + 1
