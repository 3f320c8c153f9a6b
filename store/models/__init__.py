"""Peewee models.  Each personal-data field declares its category, purpose and
retention rule (see processing.py); `personal_fields()` lists them all.

The schema itself is created by the numbered migrations in migrations/; a test
checks that the migrated schema and these models agree.

One module per domain (base, staff, people, sales, consent, compliance); every name is
re-exported here, so `from store.models import Contact` is how the rest of the store reads them.
"""
from __future__ import annotations

from collections.abc import Iterator

from peewee import Model

from .base import ROLES, BaseModel, personal, utcnow
from .compliance import (
    AccessReview,
    AuditEvent,
    AuditTruncation,
    Breach,
    Change,
    DataSubjectRequest,
    ErasureLedger,
    ErasureLedgerHash,
    ErasureProof,
)
from .consent import Campaign, CampaignRecipient, Consent, ConsentEvent, ConsentText, OptIn
from .people import (
    Company,
    Contact,
    ContactSearch,
    ContactTag,
    EmailAddress,
    ImportBatch,
    ImportChange,
    PhoneNumber,
    PossibleDuplicate,
    Tag,
)
from .sales import Deal, FollowUp, Invoice, Note
from .staff import LoginSession, RecoveryCode, SealingKey, SshKey, User

# The order the tables were added in (and are created in by tests); ContactSearch, the
# full-text index, is made by its migration and is no ordinary table.
MODELS: list[type[BaseModel]] = [
    User, RecoveryCode, LoginSession, Company, ImportBatch, Contact, EmailAddress, PhoneNumber,
    PossibleDuplicate, ImportChange, Tag, ContactTag,
    Deal, Invoice, Note, ConsentText, Consent, ConsentEvent, OptIn, Campaign, CampaignRecipient,
    DataSubjectRequest, ErasureLedger, ErasureLedgerHash,
    AuditEvent, Change, AccessReview,
    SshKey, SealingKey, ErasureProof, FollowUp, AuditTruncation, Breach,
]


def personal_fields() -> Iterator[tuple[type[Model], object]]:
    """Every (model, field) that holds personal data, with field.personal set."""
    for model in MODELS:
        for field in model._meta.sorted_fields:
            if getattr(field, "personal", None) is not None:
                yield model, field


__all__ = [
    "ROLES", "BaseModel", "personal", "utcnow", "MODELS", "personal_fields",
    "User", "RecoveryCode", "LoginSession", "SshKey", "SealingKey",
    "Company", "ImportBatch", "Contact", "EmailAddress", "PhoneNumber", "PossibleDuplicate", "ContactSearch",
    "ImportChange", "Tag", "ContactTag",
    "Deal", "Invoice", "Note", "FollowUp",
    "ConsentText", "Consent", "ConsentEvent", "OptIn", "Campaign", "CampaignRecipient",
    "DataSubjectRequest", "ErasureLedger", "ErasureLedgerHash", "ErasureProof", "AuditEvent", "AuditTruncation",
    "Change", "AccessReview", "Breach",
]
