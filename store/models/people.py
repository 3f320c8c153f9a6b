"""Customers: companies, contacts with their e-mails, phones, tags and search rows, imports, possible duplicates."""
from __future__ import annotations

from peewee import BareField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField
from playhouse.sqlite_ext import AutoIncrementField

from .base import BaseModel, personal, utcnow
from .staff import User


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
