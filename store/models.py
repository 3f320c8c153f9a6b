"""Peewee models.  Each personal-data field declares its category, purpose and
retention rule (see processing.py); `personal_fields()` lists them all.

The schema itself is created by the numbered migrations in migrations/; a test
checks that the migrated schema and these models agree.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TypeVar

from peewee import (
    BareField,
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    Field,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)
from playhouse.sqlite_ext import AutoIncrementField

from .db import database
from .processing import PersonalData

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


# --- staff -----------------------------------------------------------------

class User(BaseModel):
    id = AutoIncrementField()
    username = personal(CharField(unique=True), "account", "security", "account")
    full_name = personal(CharField(default=""), "account", "security", "account")  # shown in lists
    role = CharField()
    password_hash = CharField(null=True)
    # set by a reset until the new password is chosen: the old one is refused as the new one
    previous_password_hash = CharField(null=True)
    must_change_password = BooleanField(default=True)
    totp_secret = BlobField(null=True)  # AES-GCM sealed, on top of SQLCipher
    totp_enrolled = BooleanField(default=False)
    totp_last_step = BigIntegerField(default=0)  # replay guard: last accepted step
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)
    auth_epoch = IntegerField(default=0)  # bumped on revoke/reset: live sessions end
    created_at = DateTimeField(default=utcnow)
    last_login_at = personal(DateTimeField(null=True), "account", "security", "account")


class RecoveryCode(BaseModel):
    id = AutoIncrementField()
    user = ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    user_id: int
    code_hash = CharField()
    used_at = DateTimeField(null=True)


class LoginSession(BaseModel):
    id = AutoIncrementField()
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    user_id: int
    started_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)
    source_addr = personal(CharField(null=True), "account", "security", "account")
    pid = IntegerField()
    auth_epoch = IntegerField(default=0)
    ended_at = DateTimeField(null=True)
    end_reason = CharField(null=True)


# --- customers --------------------------------------------------------------

class Company(BaseModel):
    id = AutoIncrementField()
    name = personal(CharField(), "professional", "customer_relationship", "relationship")
    cvr = CharField(null=True, unique=True)
    address = personal(CharField(null=True), "contact_details", "customer_relationship", "relationship")
    postcode = personal(CharField(null=True), "contact_details", "customer_relationship", "relationship")
    city = personal(CharField(null=True), "contact_details", "customer_relationship", "relationship")
    country = personal(CharField(null=True), "contact_details", "customer_relationship", "relationship")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)


class ImportBatch(BaseModel):
    id = AutoIncrementField()
    file_name = CharField()
    imported_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    imported_by_id: int | None
    imported_at = DateTimeField(default=utcnow)
    lawful_basis = CharField()
    undone_at = DateTimeField(null=True)
    # resumable imports (store/importing/batch.py): running | done | failed
    state = CharField(default="done")
    progress = TextField(null=True)  # JSON: options, position in the file, counts so far
    file_sha256 = CharField(null=True)
    finished_at = DateTimeField(null=True)


class Contact(BaseModel):
    id = AutoIncrementField()
    first_name = personal(CharField(), "identity", "customer_relationship", "relationship")
    last_name = personal(CharField(default=""), "identity", "customer_relationship", "relationship")
    title = personal(CharField(default=""), "identity", "customer_relationship", "relationship")
    email = personal(CharField(null=True), "contact_details", "customer_relationship", "relationship")
    phone = personal(CharField(null=True), "contact_details", "customer_relationship", "relationship")
    company = personal(ForeignKeyField(Company, null=True, backref="contacts", on_delete="SET NULL"),
                       "professional", "customer_relationship", "relationship")
    company_id: int | None
    owner = ForeignKeyField(User, null=True, backref="contacts", on_delete="SET NULL")
    owner_id: int | None
    lifecycle = CharField(default="lead")
    source = personal(CharField(default="manual"), "provenance", "compliance", "relationship")
    import_batch = personal(ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL"),
                            "provenance", "compliance", "relationship")
    import_batch_id: int | None
    lawful_basis = personal(CharField(default="legitimate_interest"), "provenance", "compliance", "relationship")
    created_at = personal(DateTimeField(default=utcnow), "provenance", "customer_relationship", "relationship")
    updated_at = DateTimeField(default=utcnow)
    last_activity_at = personal(DateTimeField(default=utcnow), "professional", "customer_relationship", "relationship")
    archived_at = DateTimeField(null=True)
    restricted_at = DateTimeField(null=True)  # Art. 18: kept, not used
    version = IntegerField(default=1)  # optimistic concurrency
    # the primary e-mail's and phone's labels (the others: EmailAddress, PhoneNumber)
    email_label = personal(CharField(default="other"), "contact_details", "customer_relationship", "relationship")
    phone_label = personal(CharField(default="other"), "contact_details", "customer_relationship", "relationship")
    # the postal address (street lines in `address`, as on Company); see contact_details.py
    address = personal(CharField(null=True), "contact_details", "customer_relationship", "relationship")
    postcode = personal(CharField(null=True), "contact_details", "customer_relationship", "relationship")
    city = personal(CharField(null=True), "contact_details", "customer_relationship", "relationship")
    country = personal(CharField(null=True), "contact_details", "customer_relationship", "relationship")

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


# A contact's other e-mails and phones: the primary ones are `Contact.email`/`Contact.phone`
# (migrations/m0018_contact_points.py, store/contact_details.py).
class EmailAddress(BaseModel):
    id = AutoIncrementField()
    contact = personal(ForeignKeyField(Contact, backref="emails", on_delete="CASCADE", index=False),
                       "contact_details", "customer_relationship", "relationship")
    contact_id: int
    email = personal(CharField(index=True), "contact_details", "customer_relationship", "relationship")
    label = personal(CharField(default="other"), "contact_details", "customer_relationship", "relationship")
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("contact", "email"), True),)


class PhoneNumber(BaseModel):
    id = AutoIncrementField()
    contact = personal(ForeignKeyField(Contact, backref="phones", on_delete="CASCADE", index=False),
                       "contact_details", "customer_relationship", "relationship")
    contact_id: int
    phone = personal(CharField(index=True), "contact_details", "customer_relationship", "relationship")
    label = personal(CharField(default="other"), "contact_details", "customer_relationship", "relationship")
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("contact", "phone"), True),)


class PossibleDuplicate(BaseModel):
    """A contact an import kept apart although it shares an e-mail or a phone (only one of
    them) with `other`, who has another name: for the hygiene merge screen to decide."""
    id = AutoIncrementField()
    contact = ForeignKeyField(Contact, backref="+", on_delete="CASCADE")
    contact_id: int
    other = ForeignKeyField(Contact, backref="+", on_delete="CASCADE")
    other_id: int
    shared = CharField()  # email | phone
    import_batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL")
    import_batch_id: int | None
    found_at = DateTimeField(default=utcnow)
    resolved_at = DateTimeField(null=True)


class ContactSearch(BaseModel):
    """The FTS5 index (see search.py); created by a migration, joined on rowid."""
    rowid = IntegerField(primary_key=True)
    contact_search = BareField()  # FTS5's hidden column named after the table: `x MATCH ?`

    class Meta:
        table_name = "contact_search"


class ImportChange(BaseModel):
    """Old values of a contact an import updated, for `import undo`."""
    id = AutoIncrementField()
    batch = ForeignKeyField(ImportBatch, backref="changes", on_delete="CASCADE")
    batch_id: int
    contact = personal(ForeignKeyField(Contact, on_delete="CASCADE"), "provenance", "compliance", "relationship")
    contact_id: int
    old_values = personal(TextField(), "provenance", "compliance", "relationship")  # JSON of field -> value
    version_after = IntegerField()


class Tag(BaseModel):
    id = AutoIncrementField()
    name = CharField(unique=True)


class ContactTag(BaseModel):
    id = AutoIncrementField()
    contact = personal(ForeignKeyField(Contact, backref="contact_tags", on_delete="CASCADE"),
                       "professional", "sales", "relationship")
    contact_id: int
    tag = ForeignKeyField(Tag, on_delete="CASCADE")
    tag_id: int

    class Meta:
        indexes = ((("contact", "tag"), True),)


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


class DataSubjectRequest(BaseModel):
    id = AutoIncrementField()
    contact = personal(ForeignKeyField(Contact, null=True, backref="requests", on_delete="SET NULL"),
                       "provenance", "compliance", "relationship")
    contact_id: int | None
    kind = CharField()
    received_on = DateField()
    due_on = DateField()
    extension_reason = CharField(null=True)
    status = CharField(default="open")
    handler = ForeignKeyField(User, null=True, on_delete="SET NULL")
    handler_id: int | None
    closed_at = DateTimeField(null=True)
    # who asked and how (codes: requests.REQUESTERS, CHANNELS), never free text
    requester = CharField(null=True)
    channel = CharField(null=True)
    # Art. 12(6): how the identity was verified (a code) and by whom; nothing is exported
    # or erased for the request before these are set
    identity_method = CharField(null=True)
    identity_verified_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    identity_verified_by_id: int | None
    identity_verified_at = DateTimeField(null=True)
    bundle_name = CharField(null=True)  # the export bundle attached (a generated file name)
    exported_at = DateTimeField(null=True)
    outcome_detail = CharField(null=True)  # e.g. "erased: ledger entry 12" (ids and codes only)


# --- compliance machinery (no personal data) ---------------------------------

class ErasureLedger(BaseModel):
    """Keyed hashes only: the erased person is recognised, never named."""
    id = AutoIncrementField()
    email_hmac = CharField(null=True, index=True)
    phone_hmac = CharField(null=True, index=True)
    erased_at = DateTimeField(default=utcnow)
    legal_basis = CharField()
    keep_until = DateField(null=True)  # erased_at + retention.erasure_proof_years; then purged


class ErasureLedgerHash(BaseModel):
    """The keyed hash of every e-mail and phone an erased person had (the entry's two
    columns hold the primary ones); the hash itself says which kind it is."""
    id = AutoIncrementField()
    ledger_entry = ForeignKeyField(ErasureLedger, backref="hashes", on_delete="CASCADE")
    ledger_entry_id: int
    hmac = CharField(index=True)


class AuditEvent(BaseModel):
    """Append-only and hash-chained; people appear only as ids."""
    id = AutoIncrementField()
    at = DateTimeField(default=utcnow)
    actor_id = IntegerField(null=True)
    action = CharField()
    entity = CharField(null=True)
    entity_id = IntegerField(null=True)
    detail = TextField(default="{}")  # canonical JSON: field names, counts, never values
    prev_hash = CharField()
    hash = CharField()


class Change(BaseModel):
    """The change feed other sessions poll to refresh what they show."""
    seq = AutoIncrementField()
    at = DateTimeField(default=utcnow)
    entity = CharField()
    entity_id = IntegerField()
    op = CharField()  # insert/update/delete
    session_id = IntegerField(null=True)  # the login session that wrote; no FK: the feed outlives sessions


class AccessReview(BaseModel):
    id = AutoIncrementField()
    reviewed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    reviewed_by_id: int | None
    reviewed_at = DateTimeField(default=utcnow)
    summary = TextField(default="{}")


MODELS = [
    User, RecoveryCode, LoginSession, Company, ImportBatch, Contact, EmailAddress, PhoneNumber,
    PossibleDuplicate, ImportChange, Tag, ContactTag,
    Deal, Invoice, Note, ConsentText, Consent, ConsentEvent, OptIn, Campaign, CampaignRecipient,
    DataSubjectRequest, ErasureLedger, ErasureLedgerHash,
    AuditEvent, Change, AccessReview,
]


def personal_fields() -> Iterator[tuple[type[Model], object]]:
    """Every (model, field) that holds personal data, with field.personal set."""
    for model in MODELS:
        for field in model._meta.sorted_fields:
            if getattr(field, "personal", None) is not None:
                yield model, field


class SshKey(BaseModel):
    """A staff member's SSH public key; sshd asks for it via `minicrm ssh authorized-keys`."""
    id = AutoIncrementField()
    user = ForeignKeyField(User, backref="ssh_keys", on_delete="CASCADE")
    user_id: int
    key_type = CharField()
    blob = BlobField()
    bits = IntegerField()
    fingerprint = CharField(unique=True)  # SHA256, as `ssh-keygen -lf`: one key, one user
    comment = personal(CharField(default=""), "account", "security", "account")
    added_at = DateTimeField(default=utcnow)
    added_by = IntegerField(null=True)
    last_used_at = personal(DateTimeField(null=True), "account", "security", "account")


MODELS.append(SshKey)


class SealingKey(BaseModel):
    """Purpose keys carried across a database rekey, sealed under the database key (store/keyring.py)."""
    id = AutoIncrementField()
    key_id = CharField()  # keyring.key_id of the database key that seals `sealed`
    purpose = CharField()
    sealed = BlobField()

    class Meta:
        indexes = ((("key_id", "purpose"), True),)


MODELS.append(SealingKey)


class ErasureProof(BaseModel):
    """Kept after an erasure to prove an earlier consent: one row per consent event, without
    the person (no name, address or evidence text), recognised only through the ledger's
    keyed hashes; deleted with its ledger entry once `keep_until` has come."""
    id = AutoIncrementField()
    ledger_entry = ForeignKeyField(ErasureLedger, backref="proofs", on_delete="CASCADE")
    ledger_entry_id: int
    purpose = CharField()
    channel = CharField()
    event = CharField()  # requested/given/withdrawn
    at = DateTimeField()
    method = CharField(null=True)
    text_version = CharField(null=True)
    keep_until = DateField()


MODELS.append(ErasureProof)


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


MODELS.append(FollowUp)


class AuditTruncation(BaseModel):
    """The head of audit rows dropped after `retention.audit_years` (store/audit_retention.py): the
    chain is verified from this row's hash on.  Append-only (a trigger refuses changes)."""
    id = AutoIncrementField()
    through_id = IntegerField()  # the last dropped audit row
    through_hash = CharField()   # its hash: the next row's prev_hash
    rows = IntegerField()
    before = DateField()         # rows older than this day went
    at = DateTimeField(default=utcnow)


MODELS.append(AuditTruncation)


class Breach(BaseModel):
    """One personal-data breach (GDPR Art. 33(5)): every breach is documented, notified or not.

    Free text names people by id only (the form says so); the audit rows name field names only."""
    id = AutoIncrementField()
    aware_at = DateTimeField()  # when we became aware: the 72-hour deadline counts from here
    occurred_at = DateTimeField(null=True)
    kind = CharField()  # confidentiality / integrity / availability
    nature = TextField()
    data_categories = CharField(default="")  # processing.CATEGORIES ids, space-separated
    people_approx = IntegerField(default=0)
    records_approx = IntegerField(default=0)
    consequences = TextField(default="")
    measures = TextField(default="")
    notified_at = DateTimeField(null=True)  # Datatilsynet
    not_notified_reason = TextField(default="")  # why not (Art. 33(1): unlikely to result in a risk), or late
    people_told_at = DateTimeField(null=True)  # Art. 34
    people_told_note = TextField(default="")
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    recorded_by_id: int | None
    recorded_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)


MODELS.append(Breach)
