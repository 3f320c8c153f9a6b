"""The erasure ledger: keyed hashes that recognise an erased person, never name them.

Each entry holds HMAC-SHA256 (key derived from the database key for the
purpose "ledger") of the person's normalised email and of their phone in
E.164, and (erasure_ledger_hash) of every other e-mail and phone they had: a
second address must not bring them back any more than the first.  A plain
hash would be no protection: emails and Danish phone numbers are few enough
to hash them all.  The importer and the web form ask
`is_erased(email=..., phone=...)` before they create anyone; after a backup is
restored, `reapply_ledger` erases again whoever the backup brought back.
"""
from __future__ import annotations

import unicodedata

from .. import contact_points
from ..db import database, tuples
from ..errors import StoreError, ValueProblem
from ..models import Contact, ErasureLedger, ErasureLedgerHash
from ..scope import Scope

_EMAIL, _PHONE = "email:", "phone:"


def _key() -> bytes:
    from ..runtime import derived_key

    return derived_key("ledger")


def _region() -> str:
    from ..runtime import current

    try:
        return current().config["import.default_region"] or "DK"
    except (StoreError, KeyError):  # no store open, or a config without the setting
        return "DK"


def normalise_email(value: str | None) -> str | None:
    """The form every write path stores (contact_points.normalise_email), else trimmed
    and lower-cased: an old row that no longer passes is still recognised."""
    text = unicodedata.normalize("NFC", (value or "").strip())
    if not text:
        return None
    try:
        return contact_points.normalise_email(text)
    except ValueProblem:
        return text.lower()


def normalise_phone(value: str | None, region: str | None = None) -> str | None:
    """E.164 (+4520123456) as stored (contact_points.normalise_phone), else the digits
    with a leading + kept."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return contact_points.normalise_phone(text, region or _region())
    except ValueProblem:
        digits = "".join(c for c in text if c.isdigit())
        return ("+" if text.startswith("+") else "") + digits if digits else None


def fingerprints(email: str | None, phone: str | None, *, key: bytes | None = None,
                 region: str | None = None) -> tuple[str | None, str | None]:
    """(email_hmac, phone_hmac) of the normalised values; None where a value is missing."""
    from ..secretbox import keyed_hash

    key = key or _key()
    e, p = normalise_email(email), normalise_phone(phone, region)
    return (keyed_hash(key, _EMAIL + e) if e else None, keyed_hash(key, _PHONE + p) if p else None)


def is_erased(email: str | None = None, phone: str | None = None, *, region: str | None = None) -> bool:
    """True if a person with this email or phone was erased: do not import or subscribe them."""
    email_hmac, phone_hmac = fingerprints(email, phone, region=region)
    condition = None
    if email_hmac:
        condition = ErasureLedger.email_hmac == email_hmac
    if phone_hmac:
        by_phone = ErasureLedger.phone_hmac == phone_hmac
        condition = by_phone if condition is None else (condition | by_phone)
    if condition is None:
        return False
    hashes = [h for h in (email_hmac, phone_hmac) if h]
    return (ErasureLedger.select().where(condition).exists()
            or ErasureLedgerHash.select().where(ErasureLedgerHash.hmac.in_(hashes)).exists())


def erased_checker(*, region: str | None = None, normalised: bool = False):
    """A fast is_erased for many candidates (an import): the ledger read once, the key derived once.

    Returns check(email=None, phone=None) -> bool.  With `normalised=True` the
    values are taken as already normalised (lower-case address, E.164 number),
    which skips re-parsing them (about 150 us a row).  Entries written after
    this call are not seen: make a new checker per import.
    """
    from ..secretbox import keyed_hash

    emails, phones = _ledger_sets()
    key, region = _key(), region or _region()
    if not emails and not phones:
        return lambda email=None, phone=None: False

    def check(email: str | None = None, phone: str | None = None) -> bool:
        if normalised:
            e = keyed_hash(key, _EMAIL + email) if email else None
            p = keyed_hash(key, _PHONE + phone) if phone else None
        else:
            e, p = fingerprints(email, phone, key=key, region=region)
        return bool((e and e in emails) or (p and p in phones))

    return check


def _ledger_sets() -> tuple[set[str], set[str]]:
    emails, phones = set(), set()
    for e, p in tuples(ErasureLedger.select(ErasureLedger.email_hmac, ErasureLedger.phone_hmac)):
        if e:
            emails.add(e)
        if p:
            phones.add(p)
    # every address and number: the kind is inside the hashed text, so one set serves both
    for (h,) in tuples(ErasureLedgerHash.select(ErasureLedgerHash.hmac)):
        emails.add(h)
        phones.add(h)
    return emails, phones


def add_entry(email: str | None, phone: str | None, legal_basis: str, keep_until=None, *,
              emails=(), phones=()) -> int:
    """Write one ledger entry (call inside the erasure's transaction); it is kept until
    `keep_until` (the erasure + retention.erasure_proof_years).  `email`/`phone` are the
    primary ones; `emails`/`phones` every address and number (the primary ones may repeat)."""
    assert database.in_transaction(), "the ledger entry commits with the erasure"
    key = _key()
    email_hmac, phone_hmac = fingerprints(email, phone, key=key)
    entry = ErasureLedger.insert(email_hmac=email_hmac, phone_hmac=phone_hmac,
                                 legal_basis=legal_basis, keep_until=keep_until).execute()
    hashes = {h for e in (email, *emails) for h in fingerprints(e, None, key=key) if h}
    hashes |= {h for p in (phone, *phones) for h in fingerprints(None, p, key=key) if h}
    if hashes:
        database.connection().executemany(
            "INSERT INTO erasure_ledger_hash (ledger_entry_id, hmac) VALUES (?, ?)",
            [(entry, h) for h in sorted(hashes)])
    return entry


def entries_for_email(email: str) -> list[int]:
    """The ledger entries that recognise this address (a web sign-up clears them: store/optin.py)."""
    email_hmac, _ = fingerprints(email, None)
    if not email_hmac:
        return []
    found = {i for (i,) in tuples(ErasureLedger.select(ErasureLedger.id)
                                  .where(ErasureLedger.email_hmac == email_hmac))}
    found |= {i for (i,) in tuples(ErasureLedgerHash.select(ErasureLedgerHash.ledger_entry)
                                   .where(ErasureLedgerHash.hmac == email_hmac))}
    return sorted(found)


def matching_contacts() -> list[int]:
    """Ids of contacts any of whose e-mails or phones is in the ledger (e.g. brought back by a restore)."""
    check = erased_checker()
    hit: set[int] = set()
    for sql in ("SELECT id, email, phone FROM contact",
                "SELECT contact_id, email, NULL FROM email_address",
                "SELECT contact_id, NULL, phone FROM phone_number"):
        hit.update(cid for cid, email, phone in database.execute_sql(sql).fetchall() if check(email, phone))
    return sorted(hit)


def reapply_ledger(scope: Scope) -> list[int]:
    """Erase again every contact the ledger says was erased (run after a backup restore).

    Takes the actor's Scope (the console: `Scope.console()`); returns the ids erased.
    """
    from .erasure import erase_person

    scope.require("person.erase")
    erased = []
    for contact_id in matching_contacts():
        if not scope.contacts().where(Contact.id == contact_id).exists():
            continue
        erase_person(scope, contact_id, legal_basis="ledger_reapplied", _scrub=False, _reapplying=True)
        erased.append(contact_id)
    if erased:
        from .erasure import scrub

        scrub()
    from .. import audit

    audit.record(scope.user_id, "ledger.reapply", count=len(erased))
    return erased


__all__ = ["is_erased", "erased_checker", "reapply_ledger", "fingerprints", "normalise_email", "normalise_phone",
           "matching_contacts"]
