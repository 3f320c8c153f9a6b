"""Consent and mailing: consent texts, consents with their events, opt-ins, campaigns and recipients."""
from __future__ import annotations

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField
from playhouse.sqlite_ext import AutoIncrementField

from .base import BaseModel, personal, utcnow
from .people import Contact
from .staff import User


class ConsentText(BaseModel):
    """One published wording of a consent text: never changed, never deleted (a trigger refuses)."""
    id = AutoIncrementField()
    purpose = CharField()
    language = CharField()  # da/en
    version = IntegerField()  # 1, 2, ... per purpose and language
    wording = TextField()
    sha256 = CharField()  # of the UTF-8 wording: what the person saw, provably
    published_at = DateTimeField(default=utcnow)
    published_by = ForeignKeyField(User, null=True, on_delete="SET NULL")  # None: the console
    published_by_id: int | None

    class Meta:
        indexes = ((("purpose", "language", "version"), True),)

    @property
    def label(self) -> str:
        return f"{self.purpose}-{self.language}-v{self.version}"


class Consent(BaseModel):
    id = AutoIncrementField()
    contact = personal(ForeignKeyField(Contact, backref="consents", on_delete="CASCADE"),
                       "consent", "marketing", "consent_proof")
    contact_id: int
    purpose = personal(CharField(), "consent", "marketing", "consent_proof")
    channel = personal(CharField(default="email"), "consent", "marketing", "consent_proof")
    status = personal(CharField(default="pending"), "consent", "marketing", "consent_proof")
    given_at = personal(DateTimeField(null=True), "consent", "compliance", "consent_proof")
    withdrawn_at = personal(DateTimeField(null=True), "consent", "compliance", "consent_proof")
    method = personal(CharField(null=True), "consent", "compliance", "consent_proof")
    text_version = personal(CharField(null=True), "consent", "compliance", "consent_proof")
    updated_at = DateTimeField(default=utcnow)
    # the exact text agreed to (consent_texts.py); None only on rows older than texts as data
    text = personal(ForeignKeyField(ConsentText, null=True, on_delete="RESTRICT"),
                    "consent", "compliance", "consent_proof")
    text_id: int | None
    proof_missing = personal(BooleanField(default=False), "consent", "compliance", "consent_proof")

    class Meta:
        indexes = ((("contact", "purpose", "channel"), True),)


class ConsentEvent(BaseModel):
    id = AutoIncrementField()
    consent = personal(ForeignKeyField(Consent, backref="events", on_delete="CASCADE"),
                       "consent", "compliance", "consent_proof")
    consent_id: int
    at = personal(DateTimeField(default=utcnow), "consent", "compliance", "consent_proof")
    event = personal(CharField(), "consent", "compliance", "consent_proof")  # requested/given/withdrawn
    method = personal(CharField(null=True), "consent", "compliance", "consent_proof")
    text_version = personal(CharField(null=True), "consent", "compliance", "consent_proof")
    evidence = personal(CharField(null=True, max_length=1000), "consent", "compliance", "consent_proof")
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    actor_id: int | None
    text = personal(ForeignKeyField(ConsentText, null=True, on_delete="RESTRICT"),
                    "consent", "compliance", "consent_proof")
    text_id: int | None


class OptIn(BaseModel):
    """A web sign-up waiting for its confirmation click; deleted when confirmed or expired."""
    id = AutoIncrementField()
    purpose = personal(CharField(), "consent", "marketing", "opt_in_pending")
    text = personal(ForeignKeyField(ConsentText, on_delete="RESTRICT"), "consent", "compliance", "opt_in_pending")
    text_id: int
    email = personal(CharField(index=True), "contact_details", "marketing", "opt_in_pending")
    first_name = personal(CharField(default=""), "identity", "marketing", "opt_in_pending")
    last_name = personal(CharField(default=""), "identity", "marketing", "opt_in_pending")
    token_hash = CharField(unique=True)  # SHA-256 of the link's token: the database never holds the token
    requested_at = personal(DateTimeField(default=utcnow), "consent", "compliance", "opt_in_pending")
    expires_at = DateTimeField(index=True)
    ip = personal(CharField(default=""), "consent", "compliance", "opt_in_pending")
    user_agent = personal(CharField(default=""), "consent", "compliance", "opt_in_pending")


class Campaign(BaseModel):
    """One marketing mail to a list; its recipients are fixed when it starts (resumable)."""
    id = AutoIncrementField()
    list_name = CharField()
    subject = CharField()
    body_sha256 = CharField()  # the same send again resumes this campaign
    started_at = DateTimeField(default=utcnow)
    started_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    started_by_id: int | None
    finished_at = DateTimeField(null=True)


class CampaignRecipient(BaseModel):
    id = AutoIncrementField()
    campaign = ForeignKeyField(Campaign, backref="recipients", on_delete="CASCADE")
    campaign_id: int
    contact = personal(ForeignKeyField(Contact, on_delete="CASCADE"), "consent", "marketing", "consent_proof")
    contact_id: int
    # pending -> sending -> sent | failed, or pending -> skipped (withdrew meanwhile);
    # a row left in 'sending' by a crash is never sent again
    state = CharField(default="pending")
    at = DateTimeField(null=True)

    class Meta:
        indexes = ((("campaign", "contact"), True),)
