"""The contact's follow-ups (due date, what, deal, owner, done) and the form that adds one."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.widgets import DataTable, Static

from ... import safe, vocab
from ...i18n import _, date_hint, fmt_date, parse_date
from ...widgets.field import Field
from ..forms import FormModal, date_row


def due_label(follow_up, today: dt.date) -> str:
    """'Today', or the date with 'overdue' after it when it has passed (and is not done)."""
    state = follow_up.state(today)
    if state == "today":
        return _("Today")
    if state == "overdue":
        return _("{date} overdue").format(date=fmt_date(follow_up.due_on))
    return fmt_date(follow_up.due_on)


class FollowUpsTable(DataTable):
    def __init__(self) -> None:
        super().__init__(id="follow-ups", cursor_type="row")
        self.follow_ups: tuple = ()

    def on_mount(self) -> None:
        self.add_columns(_("Due"), _("Follow-up"), _("Deal"), _("Owner"), _("Status"))

    def show(self, follow_ups) -> None:
        today = dt.date.today()
        self.follow_ups = tuple(follow_ups)
        self.clear()
        for f in self.follow_ups:
            self.add_row(safe.text(due_label(f, today)), safe.text(f.body), safe.text(f.deal_title),
                         safe.text(f.owner), safe.text(vocab.label("done") if f.done_at else ""), key=str(f.id))

    def current(self):
        if not self.follow_ups or self.cursor_row is None or not 0 <= self.cursor_row < len(self.follow_ups):
            return None
        return self.follow_ups[self.cursor_row]


class FollowUpModal(FormModal):
    """What to do next and when; on a deal when one is named."""

    CSS_PATH = Path(__file__).parent.parent / "forms.tcss"  # the forms' own sheet, not one beside this module

    def __init__(self, initial: dict | None = None, problem: str = "", *, deal_title: str = ""):
        self.TITLE_TEXT = _("New follow-up")
        self.initial = initial or {}
        self.problem = problem
        self.deal_title = deal_title
        super().__init__()

    def fields(self):
        if self.deal_title:
            yield Static(_("On the deal: {title}").format(title=safe.clean(self.deal_title)), markup=False,
                         classes="text")
        yield self.row(_("Next action"), Field(self.initial.get("body", ""), id="body", max_length=200,
                                               placeholder=_("e.g. Call about the offer")))
        due = self.initial.get("due_on") or dt.date.today()
        yield date_row(self, _("Due"), "due_on", fmt_date(due))
        yield Static(_("No health, union, religion or CPR numbers here."), markup=False, classes="text")

    def on_mount(self) -> None:
        self.query_one("#body").focus()
        if self.problem:
            self.error(self.problem)

    def result(self):
        body = self.value("#body").strip()
        if not body:
            self.error(_("Write what is to be done."))
            return None
        try:
            due = parse_date(self.value("#due_on"))
        except ValueError:
            self.error(_("The date is not a date ({hint}).").format(hint=date_hint()))
            return None
        return {"body": body, "due_on": due, **({"deal_id": self.initial["deal_id"]}
                                                 if self.initial.get("deal_id") else {})}
