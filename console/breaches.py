"""`minicrm breach add|update|list|show`: the breach register (GDPR Art. 33(5)) from the console.

Times are UTC, written `YYYY-MM-DD HH:MM`.  The 72-hour deadline counts from --aware.
"""
from __future__ import annotations

import datetime as dt

from .common import console_scope, int_id, open_store, printable, when

# option -> store field (every option but --aware may be left out)
_OPTIONS = {
    "aware": "aware_at", "occurred": "occurred_at", "kind": "kind", "nature": "nature",
    "categories": "data_categories", "people": "people_approx", "records": "records_approx",
    "consequences": "consequences", "measures": "measures", "notified": "notified_at",
    "not_notified_reason": "not_notified_reason", "people_told": "people_told_at",
    "people_told_note": "people_told_note",
}


def deadline_text(view, now: dt.datetime | None = None) -> str:
    """"41 h left", "overdue by 5 h", "notified 2026-05-01 10:00" ..."""
    status = view.status(now)
    if status in ("notified", "notified_late"):
        late = " (after the 72-hour deadline)" if status == "notified_late" else ""
        return f"notified {when(view.notified_at)}{late}"
    if status == "not_notified":
        return "not notified (reason recorded)"
    left = view.time_left(now)
    hours = int(abs(left.total_seconds()) // 3600)
    minutes = int(abs(left.total_seconds()) % 3600 // 60)
    span = f"{hours} h {minutes:02d} min"
    return f"overdue by {span}" if status == "overdue" else f"{span} left"


def cmd_breach_add(args) -> int:
    from store import breaches

    open_store(args)
    values = {field: getattr(args, option) for option, field in _OPTIONS.items()
              if getattr(args, option) is not None}
    view = breaches.record_breach(console_scope(), **values)
    print(f"Recorded breach {view.id}: notification deadline {when(view.deadline)} UTC, {deadline_text(view)}.")
    return 0


def cmd_breach_update(args) -> int:
    from store import breaches
    from store.errors import CommandFailed

    open_store(args)
    values = {field: getattr(args, option) for option, field in _OPTIONS.items()
              if getattr(args, option, None) is not None}
    if not values:
        raise CommandFailed("breach update: give at least one option to change (see --help)")
    view = breaches.update_breach(console_scope(), int_id(args.id, "breach"), **values)
    print(f"Saved breach {view.id}: {deadline_text(view)}.")
    return 0


def cmd_breach_list(args) -> int:
    from tabulate import tabulate

    from store import breaches

    open_store(args)
    rows = [(v.id, when(v.aware_at), v.kind, v.people_approx, v.records_approx, deadline_text(v),
             when(v.people_told_at) if v.people_told_at else "no",
             printable(v.nature.splitlines()[0][:50] if v.nature else ""))
            for v in breaches.list_breaches(console_scope())]
    if not rows:
        print("No breaches recorded.")
        return 0
    print(tabulate(rows, headers=("id", "aware (UTC)", "kind", "people", "records", "Datatilsynet",
                                  "people told", "nature")))
    return 0


def cmd_breach_show(args) -> int:
    from store import breaches
    from store.processing import CATEGORIES
    from store.text import visible

    open_store(args)
    v = breaches.get_breach(console_scope(), int_id(args.id, "breach"))
    lines = [
        ("Breach", str(v.id)), ("Became aware (UTC)", when(v.aware_at)),
        ("Occurred (UTC)", when(v.occurred_at) if v.occurred_at else "unknown"), ("Kind", v.kind),
        ("Nature", v.nature),
        ("Categories of data", ", ".join(CATEGORIES[c].en for c in v.data_categories) or "not given"),
        ("People affected (approx.)", str(v.people_approx)), ("Records affected (approx.)", str(v.records_approx)),
        ("Likely consequences", v.consequences), ("Measures taken", v.measures),
        ("Deadline (72 h, UTC)", when(v.deadline)), ("Datatilsynet", deadline_text(v)),
        ("Why not notified", v.not_notified_reason),
        ("People told (Art. 34)", when(v.people_told_at) if v.people_told_at else "no"),
        ("About telling people", v.people_told_note),
        ("Recorded", f"{when(v.recorded_at)} by {v.recorded_by}"),
    ]
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        if value:
            text = visible(value, multiline=True).replace("\n", "\n" + " " * (width + 2))
            print(f"{label.ljust(width)}  {text}")
    return 0


def add_breach_parsers(sub) -> None:
    b = sub.add_parser("breach", help="the breach register (GDPR Art. 33): add, update, list, show")
    bs = b.add_subparsers(dest="breach_command", required=True)
    s = bs.add_parser("add", help="record a personal-data breach, notified or not")
    _breach_options(s, adding=True)
    s.set_defaults(func=cmd_breach_add)
    s = bs.add_parser("update", help="change a breach: Datatilsynet notified, people told, measures taken")
    s.add_argument("id")
    _breach_options(s, adding=False)
    s.set_defaults(func=cmd_breach_update)
    s = bs.add_parser("list", help="every breach with its 72-hour deadline")
    s.set_defaults(func=cmd_breach_list)
    s = bs.add_parser("show", help="one breach in full")
    s.add_argument("id")
    s.set_defaults(func=cmd_breach_show)


def _breach_options(s, *, adding: bool) -> None:
    s.add_argument("--aware", required=adding, help="when you became aware, YYYY-MM-DD HH:MM UTC (the 72 h count)")
    s.add_argument("--occurred", help="when it happened, if known")
    s.add_argument("--kind", choices=("confidentiality", "integrity", "availability"))
    s.add_argument("--nature", required=adding, help="what happened (people by id only)")
    s.add_argument("--categories", help="categories of personal data, comma-separated ids "
                                        "(identity, contact_details, financial, ...)")
    s.add_argument("--people", help="approximate number of people affected")
    s.add_argument("--records", help="approximate number of records affected")
    s.add_argument("--consequences", help="likely consequences")
    s.add_argument("--measures", help="measures taken or proposed")
    s.add_argument("--notified", help="when Datatilsynet was notified, YYYY-MM-DD HH:MM UTC")
    s.add_argument("--not-notified-reason", help="why Datatilsynet is not notified (no likely risk)")
    s.add_argument("--people-told", help="when the people affected were told (Art. 34)")
    s.add_argument("--people-told-note", help="how they were told, or why not")
