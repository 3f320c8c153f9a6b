"""Contact lists: search, sort, page and count the contacts in scope.

What a list of contacts shows, read in one statement per page: keyset paging (a page
2,000 rows down costs what the first does), best match first for typed text, Danish
order for a sorted column.  The statements are compiled once per Scope and shape.
"""
from __future__ import annotations

from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from peewee import JOIN, SQL, Case, Column, Select, Tuple, Value, fn

from . import audit, search
from .db import database
from .errors import Invalid
from .models import Company, Contact, ContactTag, Tag, User
from .scope import Scope
from .views import ContactPage, ContactRow

WALK_ABOVE = 1000  # matches, past which a name-ordered page walks the name index
COUNT_CAP = 100_000  # counting past this would cost more than the number tells
SORTS = ("name", "company", "email", "phone", "owner", "status", "tags", "id")  # every column a list shows


def search_contacts(scope: Scope, text: str = "", *, tag: str | None = None,
                    owner_id: int | None = None, lifecycle: str | None = None,
                    status: str | None = "active", limit: int = 50, sort: str | None = None,
                    descending: bool = False, after: tuple | None = None) -> list[ContactRow]:
    """Find contacts in scope; any text is safe (it is never parsed as query syntax)."""
    return search_page(scope, text, tag=tag, owner_id=owner_id, lifecycle=lifecycle, status=status,
                       limit=limit, sort=sort, descending=descending, after=after).rows


def search_page(scope: Scope, text: str = "", *, tag: str | None = None,
                owner_id: int | None = None, lifecycle: str | None = None,
                status: str | None = "active", limit: int = 50, sort: str | None = None,
                descending: bool = False, after: tuple | None = None) -> ContactPage:
    """One page of the contacts in scope that match.

    Typed text with no `sort` lists best match first (store/search.py): the contacts where
    every term starts a word (exact and prefix matches), then those where a term of 3+
    characters is only inside a word.  Each part is read in the index's own order and stops
    at the page (`LIMIT`), so a term matching half the file costs what a rare one does; each
    page is shown in Danish name order within its part.  A `sort` (a column, or no text)
    orders every match in Danish order of that column, each part apart when text is typed:
    that reads every match, which is what a sort the user asked for costs.

    Keyset paging: `after` is the page's `after` before it (None: the first page), so
    the page 2,000 rows down costs what the first one does.  Rows written between two
    pages shift nothing: each page starts after a row, not a count.  A page in the second
    part has an `after` of three (key, id, 1).  Each row says which fields the text matched.
    """
    if sort is not None and sort not in SORTS:
        raise Invalid("sort", f"is not one of {', '.join(SORTS)}")
    plan = search.plan(text or "")
    audit.note_search(scope.user_id)  # once per search, whichever of its two parts it reads
    if plan.nothing:
        return ContactPage([], None)  # nothing typed can match (only control characters, a huge term)
    filters = (tag, owner_id, lifecycle, status)
    if sort is None and plan.terms:
        return _best_first(scope, plan, filters, limit, after)
    sort = sort or "name"
    in_substrings = bool(after and len(after) > 2)
    rows: list = []
    if not in_substrings:
        rows = _page_rows(scope, plan.prefix, None, filters, limit, sort, descending, after)
        if len(rows) > limit:
            return ContactPage(_rows(rows[:limit], plan.terms), (rows[limit - 1][-1], rows[limit - 1][0]))
    if plan.substring is not None:
        start = after if in_substrings and after and after[1] is not None else None
        more = _page_rows(scope, plan.substring, plan.prefix, filters, limit - len(rows), sort, descending, start)
        if len(rows) + len(more) > limit:
            shown = more[:limit - len(rows)]
            # (None, None, 1): the next page starts the second part from its beginning
            last = (shown[-1][-1], shown[-1][0], 1) if shown else (None, None, 1)
            return ContactPage(_rows(rows + shown, plan.terms), last)
        rows += more
    return ContactPage(_rows(rows, plan.terms), None)


def _best_first(scope: Scope, plan: search.Plan, filters: tuple, limit: int, after: tuple | None) -> ContactPage:
    """The two parts of a typed search, best first, each in index (id) order: the same two
    phases as the bare index query (bench/bench_search.py), with the scope's filter and the
    columns shown.  `after` is (None, id) within the first part, (None, id, 1) in the second."""
    in_substrings = bool(after and len(after) > 2)
    start = after[1] if after else None
    rows: list = []
    if not in_substrings:
        rows = _page_rows(scope, plan.prefix, None, filters, limit, None, False, (None, start) if start else None,
                          best_first=True)
        if len(rows) > limit:
            return ContactPage(_rows(_by_name(rows[:limit]), plan.terms), (None, rows[limit - 1][0]))
    if plan.substring is not None:
        if after is None:
            # The first page: every prefix match in scope is in `rows`, so the second part
            # drops them here instead of the database building the set of them.
            seen = {r[0] for r in rows}
            more = [r for r in _page_rows(scope, plan.substring, None, filters, limit, None, False, None,
                                          best_first=True) if r[0] not in seen]
        else:  # a later page: earlier pages' prefix matches are not in hand
            more = _page_rows(scope, plan.substring, plan.prefix, filters, limit - len(rows), None, False,
                              (None, start) if in_substrings and start else None, best_first=True)
        if len(rows) + len(more) > limit:
            shown = more[:limit - len(rows)]
            last = (None, shown[-1][0], 1) if shown else (None, None, 1)
            return ContactPage(_rows(_by_name(rows) + _by_name(shown), plan.terms), last)
        rows = _by_name(rows) + _by_name(more)
    else:
        rows = _by_name(rows)
    return ContactPage(_rows(rows, plan.terms), None)


def _by_name(rows: list) -> list:
    """A page's rows in Danish name order (the stored key, the row's last column)."""
    return sorted(rows, key=lambda r: (r[-1], r[0]))


def _page_rows(scope: Scope, match: str | None, besides: str | None, filters: tuple, limit: int,
               sort: str | None, descending: bool, after: tuple | None, *, best_first: bool = False) -> list:
    """Up to limit + 1 rows matching `match` and not `besides` (the prefix phase's expression),
    in `sort` order, or with `best_first` in the index's order (`sort` None)."""
    tag, owner_id, lifecycle, status = filters
    # Many matches in name order: walk the name index, probing the set of matches (8 ms for
    # the 40,000 matches of `h` at 100,000 contacts, 39 ms sorting them all); few: sort them.
    walk = (not best_first and match is not None and sort == "name"
            and search.matches_more_than(database, match, WALK_ABOVE))
    shape = _Shape(match is not None, bool(tag), owner_id is not None, bool(lifecycle), status,
                   sort, descending, after is not None, walk, besides is not None, best_first)
    sql, params, slots = _statement(scope, shape)
    values = {"match": match, "besides": besides, "tag": tag, "owner": owner_id, "lifecycle": lifecycle,
              "limit": limit + 1, "after_key": after[0] if after else None, "after_id": after[1] if after else None}
    for index, name in slots:
        params[index] = values[name]
    return database.execute_sql(sql, params).fetchall()


def _rows(rows, terms) -> list[ContactRow]:
    matched = _explain(rows, terms) if terms else {}
    return [ContactRow(
        id=cid, first_name=first, last_name=last, company=company or "", email=email or "",
        phone=phone or "", owner=owner_name or "", lifecycle=lifecycle_,
        status="restricted" if restricted else "archived" if archived else "active",
        tags=tuple(sorted(tag_names.split(_TAG_SEP))) if tag_names else (),
        matched=matched.get(cid, ()),
    ) for (cid, first, last, email, phone, owner_name, lifecycle_, archived, restricted, company,
           tag_names, *_) in rows]


def _explain(rows, terms) -> dict[int, tuple]:
    """Which fields each hit matched: from the columns in hand, and for a hit they do not
    explain (a second e-mail, the contact's own address) from all its fields."""
    out: dict[int, tuple] = {}
    rest = []
    for (cid, first, last, email, phone, _owner, _lc, _a, _r, company, tag_names, title, cvr, street, postcode,
         city, _key) in rows:
        hit = search.explain(search.iter_contact_fields(
            first, last, title=title, emails=(email,), phones=(phone,),
            company=(company, cvr, street, postcode, city) if company or cvr else None,
            tags=tag_names.split(_TAG_SEP) if tag_names else ()), terms, whole=True)
        if hit is None:
            rest.append(cid)
        else:
            out[cid] = hit
    if rest:
        for cid, fields in search.fields_of(database, rest).items():
            out[cid] = search.explain(fields, terms) or ()
    return out


def count_contacts(scope: Scope, text: str = "", *, tag: str | None = None,
                   owner_id: int | None = None, lifecycle: str | None = None,
                   status: str | None = "active", cap: int = COUNT_CAP) -> int:
    """How many contacts in scope match, counted up to `cap` (cap + 1 means "more than cap").

    Exact at the sizes a small business has: counting 100,000 rows is one pass over an
    index (bench/bench_store.py `count`); the cap keeps a 1,000,000-row file as quick."""
    expression = search.match_expression(text or "")
    if not expression and text and text.strip():
        return 0
    shape = _Shape(bool(expression), bool(tag), owner_id is not None, bool(lifecycle), status,
                   None, False, False, False)
    sql, params, slots = _statement(scope, shape)
    values = {"match": expression, "tag": tag, "owner": owner_id, "lifecycle": lifecycle, "limit": cap + 1}
    for index, name in slots:
        params[index] = values[name]
    return database.execute_sql(sql, params).fetchone()[0]


_TAG_SEP = "\x1f"  # tags are validated text: they never hold control characters
_SLOT_NAMES = ("match", "besides", "tag", "owner", "lifecycle", "limit", "after_key", "after_id")
# Stand-ins for the values of one search, replaced in the compiled statement's parameters.
_SLOTS = {name: f"\x00search-slot-{name}\x00" for name in _SLOT_NAMES}
# Scope -> statement shape -> (sql, params, slots).  Search runs on every keystroke and
# building the SQL in Peewee costs more than running it; a Scope's row filter depends only
# on its user and role, which a Scope never changes, so its statements can be kept.
_compiled: WeakKeyDictionary[Scope, dict] = WeakKeyDictionary()


class _Shape(NamedTuple):
    match: bool
    tag: bool
    owner: bool
    lifecycle: bool
    status: str | None
    sort: str | None  # None: the count of matches
    descending: bool
    after: bool
    walk: bool  # many matches: walk the name order and probe the matches (search.among_matches)
    besides: bool = False  # the substring phase: not the prefix phase's matches
    best_first: bool = False  # typed text, no sort: the index's order, stopped at the page


def _statement(scope: Scope, shape: _Shape):
    shapes = _compiled.setdefault(scope, {})
    if shape not in shapes:
        shapes[shape] = _compile_search(scope, shape)
    sql, params, slots = shapes[shape]
    return sql, list(params), slots


def _display_name(user) -> Any:
    """A staff member as lists show them: the full name, else the user name."""
    return fn.COALESCE(fn.NULLIF(user.full_name, ""), user.username)


def _compile_search(scope: Scope, shape: _Shape):
    """Two steps in one statement: the page's ids in order (filter, sort key, keyset, limit),
    then their columns.  Sorting the columns themselves would compute the tags and joins of
    every match before keeping 50 (20 ms for the 20,000 matches of `han` at 100,000, 10 ms so)."""
    def slot(name):
        return Value(_SLOTS[name], converter=False)

    owner_user = User.alias()
    first_tag = (ContactTag.select(fn.min(Column(Tag, "sort_name"))).join(Tag)
                 .where(ContactTag.contact == Contact.id))
    # Each sort key: the trigger-kept Danish key columns (migration m0017), '' for none.
    keys = {
        "name": Column(Contact, "sort_name"),
        "company": fn.COALESCE(Column(Company, "sort_name"), ""),
        "email": fn.COALESCE(Contact.email, ""),
        "phone": fn.COALESCE(Contact.phone, ""),
        "owner": fn.COALESCE(Column(owner_user, "sort_name"), ""),
        "status": Case(None, [(Contact.restricted_at.is_null(False), 2),
                              (Contact.archived_at.is_null(False), 1)], 0),
        "tags": fn.COALESCE(first_tag, ""),
        "id": Contact.id,
    }
    # best first: the name key comes along to order the page's rows (_by_name)
    key = keys["name" if shape.best_first else shape.sort or "id"]
    q = scope.contacts().select(Contact.id.alias("pid"), key.alias("k"))
    if shape.sort == "company":
        q = q.join(Company, JOIN.LEFT_OUTER, on=(Contact.company == Company.id)).switch(Contact)
    elif shape.sort == "owner":
        q = q.join(owner_user, JOIN.LEFT_OUTER, on=(Contact.owner == owner_user.id)).switch(Contact)
    if shape.match and shape.walk:
        q = q.where(search.among_matches(Contact.id, slot("match")))
    elif shape.match:
        q = search.restrict_to_matches(q, Contact.id, slot("match"))
    if shape.besides:
        q = q.where(~search.among_matches(Contact.id, slot("besides")))
    if shape.tag:
        q = q.where(Contact.id.in_(ContactTag.select(ContactTag.contact).join(Tag).where(Tag.name == slot("tag"))))
    if shape.owner:
        q = q.where(Contact.owner == slot("owner"))
    if shape.lifecycle:
        q = q.where(Contact.lifecycle == slot("lifecycle"))
    if shape.status == "active":
        q = q.where(Contact.archived_at.is_null() & Contact.restricted_at.is_null())
    elif shape.status == "archived":
        q = q.where(Contact.archived_at.is_null(False))
    elif shape.status == "restricted":
        q = q.where(Contact.restricted_at.is_null(False))
    if shape.sort is None and not shape.best_first:  # the count: only the filter, capped
        inner = q.select(Value(1)).limit(slot("limit"))
        sql, params = Select([inner.alias("matches")], [fn.COUNT(SQL("*"))]).sql()
    else:
        # One statement for the rows: owner name and tags come along instead of two more queries.
        shown_owner = User.alias()
        tags = (ContactTag.select(fn.group_concat(Tag.name, _TAG_SEP)).join(Tag)
                .where(ContactTag.contact == Contact.id))
        shown = (Contact.id, Contact.first_name, Contact.last_name, Contact.email, Contact.phone,
                 _display_name(shown_owner), Contact.lifecycle, Contact.archived_at, Contact.restricted_at,
                 Company.name, tags, Contact.title, Company.cvr, Company.address, Company.postcode, Company.city)
        if shape.best_first:
            # The index hands its matches in rowid order and LIMIT stops it at the page (no sort):
            # the columns are computed for the rows kept only, in the same statement.
            out = (q.select(*shown, key.alias("k")).switch(Contact)
                   .join(Company, JOIN.LEFT_OUTER, on=(Contact.company == Company.id)).switch(Contact)
                   .join(shown_owner, JOIN.LEFT_OUTER, on=(Contact.owner == shown_owner.id)))
            out = search.in_index_order(out, slot("after_id") if shape.after else None).limit(slot("limit"))
        else:
            if shape.after:
                start = (Tuple(slot("after_key"), slot("after_id")) if shape.sort != "id" else slot("after_id"))
                ours = Tuple(key, Contact.id) if shape.sort != "id" else Contact.id
                q = q.where(ours < start if shape.descending else ours > start)
            ordering = [key, Contact.id] if shape.sort != "id" else [Contact.id]
            page = q.order_by(*[k.desc() if shape.descending else k.asc() for k in ordering]).limit(
                slot("limit")).alias("page")
            out = (Contact.select(*shown, page.c.k)
                   .join(page, on=(Contact.id == page.c.pid))
                   .join(Company, JOIN.LEFT_OUTER, on=(Contact.company == Company.id)).switch(Contact)
                   .join(shown_owner, JOIN.LEFT_OUTER, on=(Contact.owner == shown_owner.id))
                   .order_by(*[page.c.k.desc(), page.c.pid.desc()] if shape.descending else [page.c.k, page.c.pid]))
        sql, params = out.sql()
    by_value = {v: k for k, v in _SLOTS.items()}
    slots = tuple((i, by_value[p]) for i, p in enumerate(params) if isinstance(p, str) and p in by_value)
    wanted = [n for n, used in (("match", shape.match), ("besides", shape.besides), ("tag", shape.tag),
                                ("owner", shape.owner),
                                ("lifecycle", shape.lifecycle), ("limit", True)) if used]
    if shape.after:
        wanted += ["after_id"] + (["after_key"] if shape.sort not in ("id", None) else [])
    assert sorted(n for _, n in slots) == sorted(wanted), slots
    return sql, tuple(params), slots
