"""Every key binding, declared once, each with a stable id.

Screens take their BINDINGS from here (`for_screen("search")`); the help
screen and the command palette read the same table, so what the footer, the
help and the palette say never drifts apart.  An id may be remapped with
`App.set_keymap({"search.new": "ctrl+n"})`.

Descriptions are English msgids; `localise(node)` swaps in the translations
for one widget instance when it is created (the language is chosen at run
time, after the classes were built).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from textual.binding import Binding

from .i18n import N_, _


@dataclass(frozen=True)
class Key:
    id: str
    key: str
    action: str
    description: str
    show: bool = True
    permission: str | None = None  # offered only to roles holding it
    priority: bool = False
    key_display: str | None = None
    palette: bool = True  # offered in the command palette too


TABLE: dict[str, tuple[Key, ...]] = {
    "app": (
        Key("app.help", "question_mark,f1", "app.help", N_("Help"), key_display="?"),
        # show=False: the footer shows the palette key by itself, on the right (once)
        Key("app.palette", "ctrl+p", "app.command_palette", N_("Commands"), show=False, palette=False),
        # Priority: handled as the key arrives, so what is typed after Tab lands in the next field
        # (a non-priority Tab reaches the bindings only after it bubbled up from the field, by
        # when the following letters were already given to the old field).
        Key("app.next_field", "tab", "app.focus_next", N_("Next field"), show=False, priority=True,
            palette=False),
        Key("app.previous_field", "shift+tab", "app.focus_previous", N_("Previous field"), show=False,
            priority=True, palette=False, key_display="shift+tab"),
        Key("app.logout", "ctrl+l", "app.logout", N_("Log out"), show=False),
        Key("app.quit", "ctrl+q", "app.quit", N_("Quit"), priority=True),
    ),
    "login": (
        Key("login.submit", "enter", "next_field", N_("Log in"), palette=False, priority=True),
    ),
    "first_login": (
        Key("first.next", "enter", "next_field", N_("Continue"), palette=False, priority=True),
    ),
    "search": (
        Key("search.focus", "slash", "focus_search", N_("Search"), key_display="/"),
        Key("search.to_results", "down", "to_results", N_("To the results"), show=False, palette=False,
            priority=True),
        Key("search.down", "j", "cursor_down", N_("Next row"), show=False, palette=False),
        Key("search.up", "k", "cursor_up", N_("Previous row"), show=False, palette=False),
        Key("search.open", "enter", "open", N_("Open"), palette=False),
        Key("search.new", "n", "new_contact", N_("New contact"), permission="contact.create"),
        Key("search.filters", "f", "focus_filters", N_("Filters")),
        Key("search.clear", "x", "clear_filters", N_("Clear filters"), show=False),
        Key("search.admin", "a", "admin", N_("Admin"), permission="user.admin"),
        Key("search.import", "i", "import_file", N_("Import a file"), permission="import", show=False),
        Key("search.request", "r", "request", N_("Request for this person"), permission="request.handle"),
        Key("search.requests", "f2", "requests", N_("Requests"), permission="request.handle"),
        Key("search.today", "f3", "today", N_("Today's follow-ups"), permission="followup.read"),
        # the list's own keys: only while the results (not the search box) have focus
        Key("search.mark", "space", "mark", N_("Mark"), key_display="Space"),
        Key("search.mark_page", "asterisk", "mark_page", N_("Mark all shown"), show=False, key_display="*"),
        Key("search.sort", "s", "sort_next", N_("Sort by next column"), show=False),
        Key("search.sort_reverse", "d", "sort_reverse", N_("Reverse the order"), show=False),
        Key("search.bulk_tag", "t", "bulk_tag", N_("Tag marked"), permission="contact.edit"),
        Key("search.bulk_owner", "o", "bulk_owner", N_("Reassign marked"), permission="contact.reassign"),
        Key("search.archive", "h", "archive", N_("Archive/unarchive"), permission="contact.archive"),
    ),
    # finance's home: the invoice list (tui/screens/invoices.py) and one invoice (invoice.py)
    "invoices": (
        Key("invoices.focus", "slash", "focus_search", N_("Search"), key_display="/"),
        Key("invoices.to_results", "down", "to_results", N_("To the results"), show=False, palette=False,
            priority=True),
        Key("invoices.down", "j", "cursor_down", N_("Next row"), show=False, palette=False),
        Key("invoices.up", "k", "cursor_up", N_("Previous row"), show=False, palette=False),
        Key("invoices.open", "enter", "open", N_("Open"), palette=False),
        Key("invoices.filter", "f", "next_filter", N_("Unpaid/overdue/all")),
        Key("invoices.paid", "p", "mark_paid", N_("Mark paid"), permission="invoice.edit"),
        Key("invoices.edit", "e", "edit", N_("Edit"), permission="invoice.edit"),
    ),
    "invoice": (
        Key("invoice.back", "escape", "back", N_("Back")),
        Key("invoice.paid", "p", "mark_paid", N_("Mark paid"), permission="invoice.edit"),
        Key("invoice.unpaid", "u", "mark_unpaid", N_("Mark unpaid"), permission="invoice.edit"),
        Key("invoice.edit", "e", "edit", N_("Edit"), permission="invoice.edit"),
    ),
    # only the roles that handle requests reach these screens: every key says so, for the help screen
    "requests": (
        Key("requests.back", "escape", "back", N_("Back"), permission="request.handle"),
        Key("requests.open", "enter", "open", N_("Open"), palette=False, permission="request.handle"),
        Key("requests.down", "j", "cursor_down", N_("Next row"), show=False, palette=False,
            permission="request.handle"),
        Key("requests.up", "k", "cursor_up", N_("Previous row"), show=False, palette=False,
            permission="request.handle"),
        Key("requests.breaches", "b", "breaches", N_("Breach register"), permission="breach.read"),
    ),
    # the breach register (Art. 33): the admin and privacy roles only
    "breaches": (
        Key("breaches.back", "escape", "back", N_("Back"), permission="breach.read"),
        Key("breaches.new", "n", "new_breach", N_("Record a breach"), permission="breach.record"),
        Key("breaches.open", "enter", "open", N_("Open"), palette=False, permission="breach.record"),
        Key("breaches.down", "j", "cursor_down", N_("Next row"), show=False, palette=False,
            permission="breach.read"),
        Key("breaches.up", "k", "cursor_up", N_("Previous row"), show=False, palette=False,
            permission="breach.read"),
    ),
    "request": (
        Key("request.back", "escape", "back", N_("Back"), permission="request.handle"),
        Key("request.identity", "i", "identity", N_("Identity checked"), permission="request.handle"),
        Key("request.export", "x", "export", N_("Export"), permission="person.export"),
        Key("request.restrict", "t", "restrict", N_("Restrict/lift"), permission="person.restrict"),
        Key("request.erase", "e", "erase", N_("Erase"), permission="person.erase"),
        Key("request.rectify", "r", "rectify", N_("Rectify"), permission="request.handle"),
        Key("request.extend", "d", "extend", N_("Extend deadline"), permission="request.handle"),
        Key("request.close", "c", "close_request", N_("Close"), permission="request.handle"),
    ),
    "contact": (
        Key("contact.back", "escape", "back", N_("Back")),
        Key("contact.edit", "e,enter", "edit", N_("Edit"), key_display="e"),
        Key("contact.save", "ctrl+s", "save", N_("Save"), permission="contact.rectify"),
        Key("contact.reload", "ctrl+r", "reload", N_("Reload")),
        Key("contact.deal", "d", "new_deal", N_("New deal"), permission="deal.edit"),
        Key("contact.stage", "s", "deal_stage", N_("Deal stage"), permission="deal.edit"),
        Key("contact.note", "n", "new_note", N_("New note"), permission="note.write"),
        Key("contact.consent", "c", "consent", N_("Consent"), permission="consent.read"),
        Key("contact.follow_up", "f", "new_follow_up", N_("New follow-up"), permission="followup.write"),
        Key("contact.follow_up_done", "x", "follow_up_done", N_("Follow-up done/undone"),
            permission="followup.write", show=False),
        Key("contact.tab_next", "ctrl+pagedown,right_square_bracket", "next_tab", N_("Next tab"),
            show=False, key_display="^PgDn"),
        Key("contact.tab_prev", "ctrl+pageup,left_square_bracket", "previous_tab", N_("Previous tab"),
            show=False, key_display="^PgUp"),
    ),
    "consent": (
        Key("consent.back", "escape", "back", N_("Back")),
        Key("consent.record", "r", "record", N_("Record consent"), permission="consent.write"),
        Key("consent.withdraw", "w", "withdraw", N_("Withdraw"), permission="consent.write"),
        Key("consent.publish", "p", "publish", N_("Publish text"), permission="consent.publish"),
        Key("consent.campaign", "m", "campaign", N_("Send campaign"), permission="mailing.send"),
    ),
    "admin": (
        Key("admin.back", "escape", "back", N_("Back")),
        Key("admin.add", "a", "add_user", N_("Add user"), permission="user.admin"),
        Key("admin.role", "r", "change_role", N_("Change role"), permission="user.admin"),
        Key("admin.revoke", "x", "revoke", N_("Revoke"), permission="user.admin"),
        Key("admin.reinstate", "u", "reinstate", N_("Reinstate"), permission="user.admin"),
        Key("admin.name", "n", "full_name", N_("Full name"), permission="user.admin"),
        Key("admin.reset_2fa", "t", "reset_2fa", N_("Reset 2FA"), permission="user.admin"),
        Key("admin.reset_password", "p", "reset_password", N_("Reset password"), permission="user.admin"),
        Key("admin.sessions", "s", "sessions", N_("Sessions"), permission="user.admin"),
        Key("admin.review", "v", "review", N_("Access review"), permission="user.admin"),
        Key("admin.hygiene", "h", "hygiene", N_("Hygiene"), permission="user.admin"),
    ),
    # admin screens: every key says so, for the help screen
    "hygiene": (
        Key("hygiene.back", "escape", "back", N_("Back"), permission="user.admin"),
        Key("hygiene.open", "enter", "open", N_("Open the contact"), palette=False, permission="user.admin"),
        Key("hygiene.apply", "a", "apply", N_("Apply"), permission="user.admin"),
        Key("hygiene.merge", "m", "merge", N_("Merge"), permission="user.admin"),
        Key("hygiene.review", "v", "review", N_("Access review"), permission="user.admin"),
        Key("hygiene.refresh", "ctrl+r", "refresh", N_("Reload"), permission="user.admin"),
    ),
    "merge": (
        Key("merge.back", "escape", "back", N_("Back"), permission="user.admin"),
        Key("merge.toggle", "space", "toggle", N_("Keep the other value"), key_display="space",
            permission="user.admin"),
        Key("merge.swap", "x", "swap", N_("Swap sides"), permission="user.admin"),
        Key("merge.confirm", "ctrl+s", "merge", N_("Merge"), permission="user.admin"),
    ),
    "sessions": (
        Key("sessions.close", "escape", "close", N_("Close")),
        Key("sessions.end", "e", "end_session", N_("End session"), permission="user.admin"),
    ),
    "review": (
        Key("review.back", "escape", "back", N_("Back")),
        Key("review.done", "m", "mark_done", N_("Record review done"), permission="user.admin"),
    ),
    "import": (
        Key("import.close", "escape", "close", N_("Close"), permission="import"),
        Key("import.run", "ctrl+s", "run_import", N_("Import"), permission="import"),
    ),
    "modal": (
        Key("modal.cancel", "escape", "cancel", N_("Cancel")),
        Key("modal.ok", "ctrl+s", "ok", N_("OK")),
    ),
    "help": (
        Key("help.close", "escape,q", "close", N_("Close")),
    ),
    # a dialog that only tells something (a one-time password): nothing to cancel
    "notice": (
        Key("notice.close", "escape,ctrl+s", "ok", N_("Close")),
    ),
}

# The screen names as shown on the help screen.
SCREEN_TITLES = {
    "app": N_("Everywhere"), "login": N_("Login"), "first_login": N_("First login"),
    "search": N_("Search"), "contact": N_("Contact"), "consent": N_("Consent"),
    "admin": N_("Admin"), "sessions": N_("Sessions"), "review": N_("Access review"),
    "hygiene": N_("Hygiene"), "merge": N_("Merge contacts"),
    "requests": N_("Requests"), "request": N_("Request"), "breaches": N_("Breach register"),
    "invoices": N_("Invoices"), "invoice": N_("Invoice"), "import": N_("Import"),
    "modal": N_("Forms"), "help": N_("Help"), "notice": N_("Notices"),
}


def _binding(k: Key) -> Binding:
    return Binding(k.key, k.action, k.description, show=k.show, priority=k.priority, id=k.id,
                   key_display=k.key_display)


def for_screen(name: str) -> list[Binding]:
    """Bindings for a class's BINDINGS (English; translated per instance)."""
    return [_binding(k) for k in TABLE[name]]


def all_keys():
    for screen, keys in TABLE.items():
        for k in keys:
            yield screen, k


def localise(node) -> None:
    """Translate the descriptions of one node's bindings (call in __init__)."""
    from textual.binding import BindingsMap

    bindings = node._bindings  # per-instance copy made by Textual in DOMNode.__init__
    node._bindings = BindingsMap([
        replace(b, description=_(b.description)) if b.description else b
        for key_bindings in bindings.key_to_bindings.values() for b in key_bindings
    ])


def allowed(key: Key, scope) -> bool:
    return key.permission is None or (scope is not None and scope.can(key.permission))


def display(key: Key) -> str:
    if key.key_display:
        return key.key_display
    first = key.key.split(",")[0]
    return {"slash": "/", "question_mark": "?", "escape": "esc", "enter": "enter",
            "right_square_bracket": "]", "left_square_bracket": "[", "f2": "F2", "f3": "F3"}.get(first, first)


_KEY_NAMES = {"slash": "/", "question_mark": "?", "escape": "esc", "right_square_bracket": "]",
              "left_square_bracket": "["}


def display_key(key: str) -> str:
    return _KEY_NAMES.get(key, key)
