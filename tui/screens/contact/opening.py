"""Opening a contact from a list: in the one contact screen kept for this login.

Building a contact screen (header, tabs, card, footer and their styles) was most of Enter
to the contact painted (bench/profile_tui, issue 17): a kept screen is refilled instead.
The record of the contact highlighted in a list is read while the person looks at it
(`read_ahead`), so that Enter shows it without a wait for the store.
"""
from __future__ import annotations

from functools import partial

from ...ahead import build_hidden, drop_hidden
from .screen import ContactScreen


def open_contact(app, contact_id: int) -> None:
    """Show a contact, browsing, in the one contact screen kept for this login.

    Building a contact screen (header, tabs, card, footer and their styles) was most of
    Enter to the contact painted (bench/profile_tui, issue 17); a kept screen is refilled
    instead.  It is kept per login (its tabs and fields follow the role) and only while it
    is not on the stack already (then a new one is pushed, as before)."""
    kept = getattr(app, "_contact_reader", None)
    if kept is not None and kept[0] is not app.scope:
        drop_kept_contact(app)
        kept = None
    if kept is not None and kept[1] in app.screen_stack:
        app.push_screen(ContactScreen(contact_id))
        return
    if kept is None:
        app.push_screen(_kept(app, ContactScreen(contact_id)))
        return
    # (a worker of the screen it opens from: the kept one is not shown yet)
    app.screen.run_worker(partial(kept[1].open_loaded, contact_id), group="contact-open", exclusive=True)


def read_ahead(app, contact_id: int) -> None:
    """The record of `contact_id`, highlighted in a list, read now as a background call: the
    Enter that opens it takes it (ContactScreen.open_loaded) instead of reading it then (13 of
    the ~40 ms of Enter to the contact painted at 100,000 contacts, bench_terminal).  Not
    counted as a view: that is recorded when it is opened."""
    from store.contact_record import load_record

    scope = app.scope
    if scope is None or not scope.can("contact.read"):
        return
    app.backend.read_ahead(("contact", contact_id), scope, load_record, contact_id, audit_view=False)


def prepare_contact(app) -> None:
    """The kept contact screen built ahead, once the home screen is up: composed, mounted and
    styled for this login's role, not shown, and empty.  The first Enter on a result then
    fills it like any later one; building it there was the slowest open of a session (the
    p95 of Enter to the contact painted, bench_terminal: ~4x the others).  Textual's own
    steps of push_screen without the showing, as for the home screen (tui/ahead.py)."""
    if app.scope is None or getattr(app, "_contact_reader", None) is not None or not app.is_running:
        return
    if not app.scope.can("contact.read"):
        return
    build_hidden(app, _kept(app, ContactScreen(None, prepared=True)))


def _kept(app, screen: ContactScreen) -> ContactScreen:
    """`screen` installed as the one kept for this login."""
    app.install_screen(screen, name=f"contact-reader-{id(screen)}")
    app._contact_reader = (app.scope, screen)
    return screen


def drop_kept_contact(app):
    """The contact screen kept for a login goes with it (at logout, or when another login
    opens a contact): what it last showed is not kept in memory for whoever logs in next.
    Returns what to await for its removal, if anything."""
    kept, app._contact_reader = getattr(app, "_contact_reader", None), None
    if kept is not None and kept[1] not in app.screen_stack:
        return drop_hidden(app, kept[1])
    return None
