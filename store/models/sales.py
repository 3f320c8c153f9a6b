"""The sales work on a contact: deals, invoices, notes and follow-ups."""
from __future__ import annotations

from peewee import BigIntegerField, BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField
from playhouse.sqlite_ext import AutoIncrementField

from .base import BaseModel, personal, utcnow
from .people import Company, Contact
from .staff import User


class Deal(BaseModel):
    id = AutoIncrementField()
    title = personal(CharField(), "commercial", "sales", "relationship")
    amount_minor = personal(BigIntegerField(default=0), "commercial", "sales", "relationship")
    currency = CharField(default="DKK")
    stage = personal(CharField(default="new"), "commercial", "sales", "relationship")
    owner = ForeignKeyField(User, null=True, backref="deals", on_delete="SET NULL")
    owner_id: int | None
    contact = personal(ForeignKeyField(Contact, null=True, backref="deals", on_delete="SET NULL"),
                       "commercial", "sales", "relationship")
    contact_id: int | None
    company = ForeignKeyField(Company, null=True, backref="deals", on_delete="SET NULL")
    company_id: int | None
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    version = IntegerField(default=1)


class Invoice(BaseModel):
    id = AutoIncrementField()
    number = CharField(unique=True)
    issued_on = personal(DateField(), "financial", "bookkeeping", "bookkeeping_5y")
    due_on = DateField()
    amount_minor = personal(BigIntegerField(), "financial", "bookkeeping", "bookkeeping_5y")
    currency = CharField(default="DKK")
    paid_on = personal(DateField(null=True), "financial", "bookkeeping", "bookkeeping_5y")
    contact = personal(ForeignKeyField(Contact, null=True, backref="invoices", on_delete="SET NULL"),
                       "financial", "bookkeeping", "bookkeeping_5y")
    contact_id: int | None
    company = ForeignKeyField(Company, null=True, backref="invoices", on_delete="SET NULL")
    company_id: int | None
    # The billing identity as it was on the invoice: kept after erasure by law.
    billing_name = personal(CharField(), "financial", "bookkeeping", "bookkeeping_5y")
    billing_address = personal(CharField(default=""), "financial", "bookkeeping", "bookkeeping_5y")
    billing_email = personal(CharField(null=True), "financial", "bookkeeping", "bookkeeping_5y")
    billing_cvr = CharField(null=True)
    retain_until = DateField()  # end of financial year + 5 years
    retained_after_erasure = BooleanField(default=False)
    version = IntegerField(default=1)  # optimistic concurrency (store/invoices.py)


class Note(BaseModel):
    id = AutoIncrementField()
    contact = personal(ForeignKeyField(Contact, backref="notes", on_delete="CASCADE"),
                       "communication", "customer_relationship", "relationship")
    contact_id: int
    author = ForeignKeyField(User, null=True, on_delete="SET NULL")
    author_id: int | None
    category = CharField(default="other")
    body = personal(CharField(max_length=2000), "communication", "customer_relationship", "relationship")
    visibility = CharField(default="team")
    created_at = personal(DateTimeField(default=utcnow), "communication", "customer_relationship", "relationship")


class FollowUp(BaseModel):
    """A next action with a date on a contact (and optionally one of its deals), owned by a user
    (store/followups.py).  Goes with the person on erasure; moves with them on a merge."""
    id = AutoIncrementField()
    contact = personal(ForeignKeyField(Contact, backref="follow_ups", on_delete="CASCADE"),
                       "communication", "customer_relationship", "relationship")
    contact_id: int
    deal = personal(ForeignKeyField(Deal, null=True, backref="follow_ups", on_delete="CASCADE"),
                    "communication", "customer_relationship", "relationship")
    deal_id: int | None
    owner = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    owner_id: int | None
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_by_id: int | None
    due_on = personal(DateField(), "communication", "customer_relationship", "relationship")
    body = personal(CharField(max_length=200), "communication", "customer_relationship", "relationship")
    done_at = personal(DateTimeField(null=True), "communication", "customer_relationship", "relationship")
    created_at = personal(DateTimeField(default=utcnow), "communication", "customer_relationship",
                          "relationship")
    version = IntegerField(default=1)
