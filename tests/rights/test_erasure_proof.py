"""What an erasure keeps as proof (keyed hashes, dates, text version, method; never a name,
an address or evidence text) is listed in the plan, kept for the set period, then deleted."""
from __future__ import annotations

import datetime as dt

from store.models import ErasureLedger, ErasureProof


def test_the_plan_lists_the_proof_and_the_erasure_keeps_only_it(store, scopes, make_person, handled_by):
    from store.rights import erase_person, erasure_plan

    p = make_person()
    handled_by("privacy", p.id, "erasure")
    today = dt.date(2026, 3, 10)
    plan = erasure_plan(scopes["privacy"], p.id, today=today)
    assert plan.stays["consent_proof"] == 1 and plan.stays["ledger_entry"] == 1
    assert "text version" in plan.reasons["consent_proof"] and "kept 5 years" in plan.reasons["consent_proof"]
    assert plan.proof_kept_until == dt.date(2031, 3, 10)

    result = erase_person(scopes["privacy"], p.id, legal_basis="art17_1b", today=today)
    entry = ErasureLedger.get_by_id(result.ledger_entry)
    assert entry.keep_until == dt.date(2031, 3, 10)
    [proof] = ErasureProof.select()
    assert (proof.ledger_entry_id, proof.purpose, proof.channel, proof.event, proof.at, proof.method,
            proof.text_version, proof.keep_until) == (
        entry.id, "newsletter", "email", "given", dt.datetime(2025, 5, 1, 12), "phone", "nyhedsbrev-v2",
        dt.date(2031, 3, 10))
    row = " ".join(str(v) for v in ErasureProof.select().dicts().get().values())
    for value in (p.first_name, p.last_name, p.email, p.phone, p.evidence_token, "Østergade"):
        assert value not in row


def test_proof_is_kept_for_the_set_period_then_purged(store, scopes, make_person, handled_by):
    from store import runtime
    from store.rights import erase_person, is_erased, purge_expired_proof

    runtime.current().config.values["retention"]["erasure_proof_years"] = 3
    try:
        p = make_person()
        handled_by("privacy", p.id, "erasure")
        erase_person(scopes["privacy"], p.id, legal_basis="art17_1b", today=dt.date(2026, 3, 10))
        assert purge_expired_proof(dt.date(2029, 3, 9)) == 0
        assert is_erased(email=p.email) and ErasureProof.select().count() == 1
        assert purge_expired_proof(dt.date(2029, 3, 10)) == 1
        assert not is_erased(email=p.email) and ErasureProof.select().count() == 0
    finally:
        runtime.current().config.values["retention"]["erasure_proof_years"] = 5


def test_an_entry_from_before_proof_retention_counts_from_its_erasure(store):
    from store.db import database
    from store.rights import purge_expired_proof

    with database.atomic():
        old = ErasureLedger.create(email_hmac="x", legal_basis="art17_1a", erased_at=dt.datetime(2020, 6, 1, 9))
    assert purge_expired_proof(dt.date(2025, 5, 31)) == 0
    assert purge_expired_proof(dt.date(2025, 6, 1)) == 1
    assert not ErasureLedger.select().where(ErasureLedger.id == old.id).exists()
