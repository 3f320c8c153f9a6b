"""Compliance machinery: data-subject requests, the erasure ledger and its proofs, the audit chain,
the change feed, access reviews and breaches."""
from __future__ import annotations

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField
from playhouse.sqlite_ext import AutoIncrementField

from .base import BaseModel, personal, utcnow
from .people import Contact
from .staff import User


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


class AuditTruncation(BaseModel):
    """The head of audit rows dropped after `retention.audit_years` (store/audit_retention.py): the
    chain is verified from this row's hash on.  Append-only (a trigger refuses changes)."""
    id = AutoIncrementField()
    through_id = IntegerField()  # the last dropped audit row
    through_hash = CharField()   # its hash: the next row's prev_hash
    rows = IntegerField()
    before = DateField()         # rows older than this day went
    at = DateTimeField(default=utcnow)


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
