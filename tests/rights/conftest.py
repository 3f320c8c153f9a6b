"""Fixtures for the data-subject rights: a person with one of everything.

The shared fixtures in tests/conftest.py give a fresh encrypted store
(`store`) and one user per role (`users`).  Here: scopes per role, and
`make_person`, which files a person with a company, deals, notes (a private
one by another user), invoices (one still under the Bookkeeping Act, one past
it), consents with evidence, tags, an import batch with an import change, and
a request.  Every value carries a unique token so a test can look for it
anywhere, down to the raw bytes of the database.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pytest

_serial = itertools.count(1)


@dataclass
class Person:
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str           # E.164, as stored
    old_email: str       # only in the import change's old values
    note_token: str      # only in a team note
    private_token: str   # only in a private note by another user
    evidence_token: str  # only in a consent event's evidence
    company_id: int
    invoice_kept: int    # issued recently: kept after erasure
    invoice_expired: int  # issued long ago: its retention has run out
    deal_id: int
    batch_id: int
    billing_email: str   # the company's billing address on the kept invoice
    tokens: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@pytest.fixture
def scopes(users) -> dict:
    from store.scope import Scope

    return {name: Scope(user) for name, user in users.items()}


@pytest.fixture
def console():
    from store.scope import Scope

    return Scope.console()


def _word(prefix: str, n: int) -> str:
    """A made-up word no other data contains (letters only, so FTS keeps it whole)."""
    digest = hashlib.sha256(f"{prefix}{n}".encode()).hexdigest()
    letters = "".join(chr(ord("a") + int(c, 16) % 26) for c in digest[:10])
    return prefix + letters


@pytest.fixture
def make_person(users):
    """make_person(**overrides) -> Person, filed through the store's own write paths."""
    from store import contacts
    from store.db import database
    from store.models import Company, Consent, ConsentEvent, Deal, ImportBatch, ImportChange, Invoice, Note, User
    from store.scope import Scope

    manager = Scope(users["manager"])

    def make(*, phone: str = "+4529876543") -> Person:
        n = next(_serial)
        first, last = _word("Zy", n).capitalize(), _word("Qu", n).capitalize()
        email = f"{first.lower()}.{last.lower()}@example.dk"
        old_email = f"{_word('ol', n)}@example.dk"
        tokens = {k: _word(k[:2], n) for k in ("note", "private", "evidence", "company", "followup", "street")}
        # a second e-mail and phone and an address of their own (contact_details.py)
        tokens["other_email"] = f"{_word('an', n)}@privat.example"
        tokens["other_phone"] = f"+4586{n % 1000000:06d}"
        with database.atomic():
            company = Company.create(name=f"{tokens['company'].capitalize()} ApS", cvr=None,
                                     address="Østergade 1", postcode="8000", city="Århus C")
            batch = ImportBatch.create(file_name="kunder.csv", imported_by=users["sales"].id,
                                       lawful_basis="legitimate_interest")
        cid = contacts.create_contact(manager, first_name=first, last_name=last, title="Indkøber",
                                      email=email, phone=phone, company_id=company.id,
                                      owner_id=users["sales"].id, tags=["vip", "messe-2026"])
        with database.atomic():
            from store.models import Contact

            Contact.update(import_batch=batch.id, source="import:kunder.csv", address=f"{tokens['street']}vej 1",
                           postcode="8000", city="Aarhus C", country="Danmark",
                           email_label="work").where(Contact.id == cid).execute()
            from store.models import EmailAddress, PhoneNumber

            EmailAddress.create(contact=cid, email=tokens["other_email"], label="private", position=1)
            PhoneNumber.create(contact=cid, phone=tokens["other_phone"], label="mobile", position=1)
            ImportChange.create(batch=batch.id, contact=cid, version_after=2,
                                old_values=f'{{"email": "{old_email}"}}')
            deal = Deal.create(title="Serviceaftale 2026", amount_minor=1_250_000, stage="proposal",
                               owner=users["sales"].id, contact=cid, company=company.id)
            Note.create(contact=cid, author=users["sales"].id, category="call",
                        body=f"Ringede om {tokens['note']}; vender tilbage.", visibility="team")
            Note.create(contact=cid, author=users["sales2"].id, category="other",
                        body=f"Privat: {tokens['private']}", visibility="private")
            from store.models import FollowUp

            FollowUp.create(contact=cid, deal=deal.id, owner=users["sales"].id, created_by=users["sales"].id,
                            due_on=dt.date.today(), body=f"Følg op på {tokens['followup']}",
                            done_at=dt.datetime(2026, 1, 5, 10))
            today = dt.date.today()
            kept = Invoice.create(number=f"F{n:05d}K", issued_on=today.replace(month=1, day=10),
                                  due_on=today, amount_minor=500_000, contact=cid, company=company.id,
                                  billing_name=f"{first} {last}", billing_address="Østergade 1, 8000 Århus C",
                                  billing_email=f"faktura{n}@firma.example", billing_cvr=None,
                                  retain_until=dt.date(today.year + 6, 1, 1))
            expired = Invoice.create(number=f"F{n:05d}E", issued_on=dt.date(2018, 3, 10),
                                     due_on=dt.date(2018, 4, 10), amount_minor=-20_000, contact=cid,
                                     company=company.id, billing_name=f"{first} {last}",
                                     billing_address="Østergade 1", billing_email=email,
                                     retain_until=dt.date(2024, 1, 1))
            consent = Consent.create(contact=cid, purpose="newsletter", channel="email", status="given",
                                     given_at=dt.datetime(2025, 5, 1, 12), method="phone",
                                     text_version="nyhedsbrev-v2")
            ConsentEvent.create(consent=consent.id, at=dt.datetime(2025, 5, 1, 12), event="given",
                                method="phone", text_version="nyhedsbrev-v2",
                                evidence=f"Sagt ja i telefonen: {tokens['evidence']}",
                                actor=users["sales"].id)
            # a campaign that reached them, and a web sign-up of theirs still waiting (issue 13)
            from store.consent_texts import default_wording, digest
            from store.models import Campaign, CampaignRecipient, ConsentText, OptIn

            wording = default_wording("events", "da")
            text, _ = ConsentText.get_or_create(purpose="events", language="da", version=1,
                                                defaults={"wording": wording, "sha256": digest(wording)})
            campaign = Campaign.create(list_name="newsletter", subject="Nyt", body_sha256="0" * 64)
            CampaignRecipient.create(campaign=campaign.id, contact=cid, state="sent",
                                     at=dt.datetime(2025, 6, 1, 9))
            OptIn.create(purpose="events", text=text.id, email=email, first_name=first, last_name=last,
                         token_hash=f"{n:064x}", expires_at=dt.datetime(2099, 1, 1), ip="192.0.2.1",
                         user_agent="Firefox")
        return Person(id=cid, first_name=first, last_name=last, email=email, phone=phone,
                      old_email=old_email, note_token=tokens["note"], private_token=tokens["private"],
                      evidence_token=tokens["evidence"], company_id=company.id, invoice_kept=kept.id,
                      invoice_expired=expired.id, deal_id=deal.id, batch_id=batch.id,
                      billing_email=f"faktura{n}@firma.example", tokens=tokens)

    assert User.select().count() >= 5
    return make


@pytest.fixture
def handled_by(scopes):
    """handled_by(role, contact_id, kind) -> request id: an open request that user handles,
    the person's identity verified by them (Art. 12(6)) unless verified=False."""
    from store.rights import add_request, verify_identity

    def handle(role: str, contact_id: int, kind: str = "access", *, verified: bool = True) -> int:
        request_id = add_request(scopes[role], contact_id, kind)
        if verified:
            verify_identity(scopes[role], request_id, "known_email")
        return request_id

    return handle


# --- reading the database file as an attacker with the key would -----------------------------

PAGE = 4096
RESERVE = 80  # SQLCipher 4 defaults: 16-byte IV + 64-byte HMAC at the end of each page


def _decrypt_page(key: bytes, page: bytes, first: bool) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    iv = page[PAGE - RESERVE:PAGE - RESERVE + 16]
    body = page[16 if first else 0:PAGE - RESERVE]
    d = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return d.update(body) + d.finalize()


def decrypt_file(path: Path, key: bytes) -> bytes:
    """Every page of a SQLCipher file decrypted: live pages, free-list pages, all of them."""
    data = path.read_bytes()
    return b"".join(_decrypt_page(key, data[i:i + PAGE], i == 0) for i in range(0, len(data), PAGE))


def decrypt_wal(path: Path, key: bytes) -> bytes:
    """Every frame of a -wal file decrypted (empty if the WAL was truncated)."""
    if not path.exists():
        return b""
    data = path.read_bytes()
    out, pos = [], 32  # WAL header
    while pos + 24 + PAGE <= len(data):
        page_no = int.from_bytes(data[pos:pos + 4], "big")
        out.append(_decrypt_page(key, data[pos + 24:pos + 24 + PAGE], page_no == 1))
        pos += 24 + PAGE
    return b"".join(out)


def plaintext_copy(target: Path) -> bytes:
    """A decrypted copy made by SQLCipher itself (ATTACH ... KEY '' + sqlcipher_export)."""
    from store.db import database

    database.execute_sql("ATTACH DATABASE ? AS plaintext KEY ''", (str(target),))
    try:
        database.execute_sql("SELECT sqlcipher_export('plaintext')").fetchall()
    finally:
        database.execute_sql("DETACH DATABASE plaintext")
    data = target.read_bytes()
    assert data.startswith(b"SQLite format 3\x00")
    return data


@pytest.fixture
def raw_bytes(store, tmp_path):
    """raw_bytes() -> (decrypted main file pages, decrypted WAL frames, plaintext export copy)."""
    from store import runtime

    def read():
        key = runtime.current().key
        copy = tmp_path / f"plain-{next(_serial)}.db"
        exported = plaintext_copy(copy)
        db_path = store.db_path
        return (decrypt_file(db_path, key), decrypt_wal(Path(str(db_path) + "-wal"), key), exported)

    return read
