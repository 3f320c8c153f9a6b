"""The staff directory as the UI needs it: owner choices and the access review."""
from __future__ import annotations

import datetime as dt
import json

from peewee import Column, fn

from . import audit, changes
from .db import tuples
from .models import ROLES, AccessReview, Contact, Deal, User, utcnow
from .scope import Scope, role_permissions
from .views import AccessReviewUser, AccessReviewView, OwnerChoice

INACTIVE_DAYS = 90


def owner_choices(scope: Scope) -> list[OwnerChoice]:
    """Active users who can own contacts (for filters and reassigning)."""
    scope.check_session()
    if not scope.can("contact.read"):
        return []
    q = (User.select(User.id, User.username, User.role, User.full_name)
         .where(User.revoked_at.is_null() & User.role.in_(["admin", "manager", "sales"]))
         .order_by(Column(User, "sort_name"), User.id))  # Danish order of the names shown
    if scope.role == "sales":  # a sales user sees only their own contacts
        q = q.where(User.id == scope.user_id)
    return [OwnerChoice(u.id, u.username, u.role, u.full_name) for u in q]


def access_review(scope: Scope, now: dt.datetime | None = None) -> AccessReviewView:
    scope.require("user.admin")
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=INACTIVE_DAYS)
    owned = dict(tuples(Contact.select(Contact.owner, fn.COUNT(Contact.id)).group_by(Contact.owner)))
    deals = dict(tuples(Deal.select(Deal.owner, fn.COUNT(Deal.id)).group_by(Deal.owner)))
    users = []
    for u in User.select().order_by(User.username):
        seen = u.last_login_at or None
        inactive = (seen < cutoff) if seen else (u.created_at < cutoff)
        users.append(AccessReviewUser(id=u.id, username=u.username, role=u.role, last_login_at=seen,
                                      revoked=u.revoked_at is not None,
                                      inactive=inactive and u.revoked_at is None,
                                      contacts_owned=owned.get(u.id, 0), deals_owned=deals.get(u.id, 0),
                                      sees_invoices="invoice.read" in role_permissions(u.role),
                                      full_name=u.full_name))
    last = AccessReview.select().order_by(AccessReview.reviewed_at.desc()).first()
    by = ""
    if last is not None and last.reviewed_by_id:
        who = User.get_or_none(User.id == last.reviewed_by_id)
        by = who.username if who else ""
    return AccessReviewView(users=tuple(users),
                            roles=tuple((r, tuple(sorted(role_permissions(r)))) for r in ROLES),
                            last_reviewed_at=last.reviewed_at if last else None, last_reviewed_by=by)


def record_access_review(scope: Scope, now: dt.datetime | None = None) -> int:
    """The admin confirms the review was done; the summary holds counts, not names."""
    view = access_review(scope, now)
    summary = {
        "users": len(view.users),
        "active": sum(1 for u in view.users if not u.revoked),
        "inactive_90_days": sum(1 for u in view.users if u.inactive),
        "admins": sum(1 for u in view.users if u.role == "admin" and not u.revoked),
        "see_invoices": sum(1 for u in view.users if u.sees_invoices and not u.revoked),
        "revoked_owning": sum(1 for u in view.users if u.revoked_owning),
        "roles": {r: sum(1 for u in view.users if u.role == r and not u.revoked) for r in ROLES},
    }
    with scope.transaction():
        review = AccessReview.create(reviewed_by=scope.user_id, reviewed_at=now or utcnow(),
                                     summary=json.dumps(summary, sort_keys=True))
        changes.record("access_review", review.id, "insert")
        audit.record(scope.user_id, "access.review", "access_review", review.id,
                     inactive=summary["inactive_90_days"], admins=summary["admins"],
                     see_invoices=summary["see_invoices"], revoked_owning=summary["revoked_owning"])
    return review.id
