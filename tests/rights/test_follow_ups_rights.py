"""Follow-ups and the person's rights (issue 17): they are part of the person's own copy, and
they go with the person on erasure (the other person's stay)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

TOMORROW = dt.date.today() + dt.timedelta(days=1)


def _files(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n.split("/", 1)[1]: zf.read(n) for n in zf.namelist()}


def _follow_ups(scopes, p, deal_id) -> list[int]:
    from store import followups

    manager = scopes["manager"]
    return [followups.add_follow_up(scopes["sales"], p.id, body="Ring om serviceaftalen", due_on=TOMORROW),
            followups.add_follow_up(manager, p.id, deal_id=deal_id, body="Send kontrakt til underskrift",
                                    due_on=dt.date.today())]


def test_the_persons_copy_holds_their_follow_ups(store, scopes, make_person, handled_by):
    from store.rights import export_person

    p = make_person()
    other = make_person(phone="+4571234567")
    mine = _follow_ups(scopes, p, p.deal_id)
    _follow_ups(scopes, other, other.deal_id)
    handled_by("privacy", p.id, "access")
    files = _files(export_person(scopes["privacy"], p.id, language="da"))

    data = json.loads(files["data.json"])
    assert [f["id"] for f in data["follow_ups"]][1:] == mine  # the first: make_person's, done
    assert data["follow_ups"][0]["done_at"].startswith("2026-01-05")
    first, second = data["follow_ups"][1:]
    assert (first["body"], first["due_on"], first["done_at"], first["owner_role"]) == (
        "Ring om serviceaftalen", TOMORROW.isoformat(), None, "sales")
    assert (second["deal"], second["owner_role"]) == (p.deal_id, "manager")
    assert {"follow_ups.body", "follow_ups.due_on", "follow_ups.done_at"} <= set(data["field_metadata"])
    rows = list(csv.DictReader(io.StringIO(files["follow_ups.csv"].decode("utf-8-sig"))))
    assert [r["body"] for r in rows][1:] == ["Ring om serviceaftalen", "Send kontrakt til underskrift"]
    report = files["report.txt"].decode()
    assert "Planlagte opfølgninger" in report and "Send kontrakt til underskrift" in report
    assert "sales-user" not in report and "manager-user" not in report  # staff by role, not by name


def test_erasure_takes_the_persons_follow_ups_and_leaves_the_others(store, scopes, make_person, handled_by):
    from store.models import Change, FollowUp
    from store.rights import erase_person, erasure_plan

    p = make_person()
    keep = make_person(phone="+4571234567")
    gone = [f.id for f in FollowUp.select().where(FollowUp.contact == p.id)] + _follow_ups(scopes, p, p.deal_id)
    kept = [f.id for f in FollowUp.select().where(FollowUp.contact == keep.id)] + _follow_ups(
        scopes, keep, keep.deal_id)
    handled_by("privacy", p.id, "erasure")
    assert erasure_plan(scopes["privacy"], p.id).goes["follow_ups"] == 3

    result = erase_person(scopes["privacy"], p.id, legal_basis="art17_1b")
    assert result.removed["follow_ups"] == 3
    assert not FollowUp.select().where(FollowUp.id.in_(gone)).exists()
    assert sorted(f.id for f in FollowUp.select()) == sorted(kept)
    told = {c.entity_id for c in Change.select().where((Change.entity == "follow_up") & (Change.op == "delete"))}
    assert told == set(gone)  # other sessions drop them from their lists
