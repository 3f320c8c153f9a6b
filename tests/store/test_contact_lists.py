"""Long contact lists: pages past the first 50, Danish alphabetical order by any
column, and the count of matches, on a real SQLCipher file."""
from __future__ import annotations

import pytest

from store import bulk, contact_lists, contacts, sorting
from store.db import database
from store.errors import Invalid
from store.models import Company, Contact, User
from store.scope import Scope

DANISH = ["Aagaard", "Andersen", "Berg", "Bergström", "Zander", "Æbelø", "Øster", "Åby"]


@pytest.fixture
def manager(store, users):
    return Scope(users["manager"])


def _names(rows) -> list[str]:
    return [r.last_name for r in rows]


def test_danish_order_puts_ae_oe_aa_after_z_and_aa_as_aa(manager):
    for last in reversed(DANISH):
        contacts.create_contact(manager, first_name="Test", last_name=last)
    assert _names(contacts.search_contacts(manager, "")) == [
        "Andersen", "Berg", "Bergström", "Zander", "Æbelø", "Øster", "Åby", "Aagaard"]
    # the same order when the list is a search
    assert _names(contacts.search_contacts(manager, "test")) == _names(contacts.search_contacts(manager, ""))
    assert _names(contacts.search_contacts(manager, "", descending=True))[:3] == ["Aagaard", "Åby", "Øster"]


def test_the_order_is_by_last_name_then_first_name_case_and_accents_aside(manager):
    for first, last in [("Ziggy", "berg"), ("Anna", "Berg"), ("Émile", "Bergström"), ("Bo", "")]:
        contacts.create_contact(manager, first_name=first, last_name=last)
    rows = contacts.search_contacts(manager, "")
    assert [r.name for r in rows] == ["Anna Berg", "Ziggy berg", "Émile Bergström", "Bo"]


def test_the_python_key_and_the_stored_key_agree(manager):
    names = ["Aagaard", "Ærø", "ÅSE", "Müller", "José", "Łukasz", "Šimon", "straße", "Жуков", "{brace}"]
    ids = [contacts.create_contact(manager, first_name=n, last_name=n.upper()) for n in names]
    stored = dict(database.execute_sql("SELECT id, sort_name FROM contact").fetchall())
    for cid, n in zip(ids, names, strict=True):
        assert stored[cid] == sorting.person_key(n, n.upper()), n


def test_bulk_inserts_bring_the_key_the_trigger_would_compute(manager):
    import random

    pool = "abcxyzAZ aa AA Aa {}|~-'.0123æøåÆØÅäöüÄÖÜéÉèñçÇłŁšŠžßẞıİЖжΩ\u0301"
    rng = random.Random(17)
    names = [("".join(rng.choice(pool) for _ in range(rng.randrange(1, 12))),
              "".join(rng.choice(pool) for _ in range(rng.randrange(0, 12)))) for _ in range(400)]
    rows = [(first, last, "", None, None, None, manager.user_id, "lead", "manual", None, "legitimate_interest")
            for first, last in names]
    with database.atomic():
        python_ids = bulk.insert_contacts(rows)  # the key computed in Python
        sql_ids = [Contact.create(first_name=first, last_name=last).id for first, last in names]  # by the trigger
    keys = dict(database.execute_sql("SELECT id, sort_name FROM contact").fetchall())
    assert [keys[i] for i in python_ids] == [keys[i] for i in sql_ids]
    assert all(keys[i] is not None for i in python_ids)


def _many(scope, n: int) -> list[int]:
    rows = [(f"Fornavn{i:04d}", f"Efternavn{i % 97:03d}", "", f"p{i}@example.dk", None, None,
             scope.user_id, "lead", "manual", None, "legitimate_interest") for i in range(n)]
    with database.atomic():
        return bulk.insert_contacts(rows)


def test_pages_go_past_the_first_fifty_without_gaps_or_repeats(manager):
    ids = _many(manager, 230)
    seen, after, pages = [], None, 0
    while True:
        page = contacts.search_page(manager, "", limit=50, after=after)
        seen += [r.id for r in page.rows]
        pages += 1
        if page.after is None:
            break
        after = page.after
    assert pages == 5 and len(seen) == 230 and set(seen) == set(ids)
    everyone = contacts.search_contacts(manager, "", limit=1000)
    assert seen == [r.id for r in everyone]  # the pages together are the list in one order


@pytest.mark.parametrize("sort", contacts.SORTS)
@pytest.mark.parametrize("descending", [False, True])
def test_paging_holds_for_every_column_both_ways(manager, sort, descending):
    with database.atomic():
        firms = [Company.create(name=n).id for n in ("Øresund ApS", "Aalborg Is", "Bager Ole")]
    for i in range(23):
        contacts.create_contact(manager, first_name=f"P{i}", last_name=DANISH[i % len(DANISH)],
                                email=f"x{i % 5}@firma.dk", company_id=firms[i % 3],
                                tags=[["kø", "aa-tag", "zebra"][i % 3]] if i % 4 else [])
    full = contacts.search_contacts(manager, "", limit=100, sort=sort, descending=descending)
    paged, after = [], None
    while True:
        page = contacts.search_page(manager, "", limit=4, sort=sort, descending=descending, after=after)
        paged += page.rows
        if page.after is None:
            break
        after = page.after
    assert [r.id for r in paged] == [r.id for r in full]
    assert len(full) == 23


def test_sorting_by_company_and_owner_is_danish_too(manager, users):
    with database.atomic():
        User.update(full_name="Åse Ågesen").where(User.id == users["admin"].id).execute()
        firms = {n: Company.create(name=n).id for n in ("Øresund ApS", "Aalborg Is", "Bager Ole", "Zink A/S")}
    for name, firm in firms.items():
        contacts.create_contact(manager, first_name="Kunde", last_name=name, company_id=firm)
    contacts.create_contact(manager, first_name="Ejer", last_name="Ejersen", owner_id=users["admin"].id)
    assert [r.company for r in contacts.search_contacts(manager, "kunde", sort="company")] == [
        "Bager Ole", "Zink A/S", "Øresund ApS", "Aalborg Is"]
    by_owner = contacts.search_contacts(manager, "", sort="owner")
    assert by_owner[-1].owner == "Åse Ågesen"  # the full name is shown and sorted on, after manager-user


def test_a_sorted_search_is_sorted_over_all_its_matches_not_within_the_first_page(manager):
    _many(manager, 120)  # Efternavn000..096
    contacts.create_contact(manager, first_name="Fornavn", last_name="Aaby")  # Åby: last in Danish
    contacts.create_contact(manager, first_name="Fornavn", last_name="Abe")
    rows = contacts.search_contacts(manager, "fornavn", limit=3, sort="name")
    assert rows[0].last_name == "Abe"
    assert contacts.search_contacts(manager, "fornavn", limit=3, sort="name", descending=True)[0].last_name == "Aaby"


def test_typed_text_lists_best_first_in_index_order_each_page_by_name(manager):
    """No sort asked for: a page stops at its limit in the index's order (no sort of every
    match); the page itself reads in Danish name order, and the pages cover every match once."""
    ids = _many(manager, 120)
    late = [contacts.create_contact(manager, first_name="Fornavn", last_name=n) for n in ("Aaby", "Abe")]
    first = contacts.search_page(manager, "fornavn", limit=3)
    assert {r.id for r in first.rows} == set(ids[:3])  # the first three the index holds, not Abe
    assert _names(first.rows) == sorted(_names(first.rows))  # Efternavn000..002 in name order
    seen, after = [], None
    while True:
        page = contacts.search_page(manager, "fornavn", limit=7, after=after)
        keys = [sorting.person_key(r.first_name, r.last_name) for r in page.rows]
        assert keys == sorted(keys)
        seen += [r.id for r in page.rows]
        if page.after is None:
            break
        after = page.after
    assert sorted(seen) == sorted([*ids, *late]) and len(seen) == len(set(seen))
    # a short list is the whole part in name order: Danish, Åby (Aaby) last
    assert _names(contacts.search_contacts(manager, "fornavn efternavn000"))[0] == "Efternavn000"
    assert _names(contacts.search_contacts(manager, "fornavn a")) == ["Abe", "Aaby"]


def test_the_count_is_every_match_and_is_capped_cheaply(manager, users):
    _many(manager, 130)
    contacts.create_contact(manager, first_name="Ene", last_name="Stående")
    assert contacts.count_contacts(manager, "") == 131
    assert contacts.count_contacts(manager, "fornavn") == 130
    assert contacts.count_contacts(manager, "stående") == 1
    assert contacts.count_contacts(manager, "!!!") == 0
    assert contacts.count_contacts(manager, "", cap=100) == 101  # "more than 100"
    assert contacts.count_contacts(Scope(users["sales"]), "") == 0  # sales count their own only
    assert contacts.count_contacts(manager, "", status="archived") == 0


def test_sales_pages_only_hold_their_own_contacts(manager, users):
    sales = Scope(users["sales"])
    mine = {contacts.create_contact(sales, first_name="Min", last_name=f"Kunde{i}") for i in range(7)}
    _many(manager, 60)
    seen, after = set(), None
    while True:
        page = contacts.search_page(sales, "", limit=3, after=after)
        seen |= {r.id for r in page.rows}
        if page.after is None:
            break
        after = page.after
    assert seen == mine
    assert contacts.count_contacts(sales, "") == 7


def test_an_unknown_sort_column_is_refused_by_name(manager):
    with pytest.raises(Invalid, match="sort"):
        contacts.search_contacts(manager, "", sort="password_hash")


@pytest.mark.parametrize("who", ["manager", "sales"])
def test_a_search_with_many_matches_walks_the_name_order_to_the_same_pages(manager, users, monkeypatch, who):
    scope = manager if who == "manager" else Scope(users["sales"])
    _many(scope, 90)
    contacts.create_contact(manager, first_name="Fornavn", last_name="Aaby")
    sorted_all = [r.id for r in contacts.search_contacts(scope, "fornavn", limit=500, sort="name")]
    monkeypatch.setattr(contact_lists, "WALK_ABOVE", 5)  # every search here now counts as a broad one
    walked, after = [], None
    while True:
        page = contacts.search_page(scope, "fornavn", limit=20, sort="name", after=after)
        walked += [r.id for r in page.rows]
        if page.after is None:
            break
        after = page.after
    assert walked == sorted_all and len(walked) == (91 if who == "manager" else 90)
    assert [r.id for r in contacts.search_contacts(scope, "fornavn", sort="name", descending=True,
                                                   limit=500)] == sorted_all[::-1]
