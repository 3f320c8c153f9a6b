"""Small modal forms, each typed by its result (ModalScreen[...])."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from .. import bindings, safe, vocab
from ..i18n import _, date_hint, fmt_datetime
from ..widgets.field import Field
from ..widgets.footer import Footer
from .base import BaseModal


class FormModal(BaseModal):
    """A titled box with rows of fields, OK (ctrl+s or enter) and Cancel (escape)."""

    BINDING_GROUP = "modal"
    BINDINGS = bindings.for_screen("modal")
    CSS_PATH = "forms.tcss"
    TITLE_TEXT = ""
    INFORMS = False  # only tells something: one OK button, and Escape closes it the same way

    def fields(self) -> ComposeResult:
        return iter(())

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(self.TITLE_TEXT, id="form-title", markup=False)
            yield from self.fields()
            yield Static("", id="form-error", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button(_("OK"), id="ok", variant="primary")
                if not self.INFORMS:
                    yield Button(_("Cancel"), id="cancel")
        yield Footer()

    @staticmethod
    def row(label: str, widget) -> Horizontal:
        return Horizontal(Label(label, classes="label", markup=False), widget, classes="row")

    def error(self, text: str) -> None:
        self.query_one("#form-error", Static).update(safe.clean(text))

    def value(self, widget_id: str):
        widget = self.query_one(widget_id)
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else widget.value
        if isinstance(widget, TextArea):
            return widget.text
        return widget.value

    def result(self):
        """The value to dismiss with, or None to stay (after calling self.error)."""
        raise NotImplementedError

    def action_ok(self) -> None:
        value = self.result()
        if value is not None:
            self.dismiss(value)

    def action_cancel(self) -> None:
        if self.INFORMS:
            self.action_ok()
            return
        self.dismiss(None)

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.action_ok()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_ok()


class ConfirmModal(FormModal):
    def __init__(self, title: str, question: str):
        self.TITLE_TEXT = title
        self.question = question
        super().__init__()

    def fields(self):
        yield Static(self.question, markup=False, classes="text")

    def on_mount(self) -> None:
        self.query_one("#ok").focus()

    def result(self):
        return True


class SecretModal(FormModal):
    """A secret shown this once (a one-time password): it informs, there is nothing to cancel."""

    INFORMS = True
    BINDING_GROUP = "notice"
    BINDINGS = bindings.for_screen("notice")

    def __init__(self, title: str, explanation: str, secret: str):
        self.TITLE_TEXT = title
        self.explanation = explanation
        self.secret = secret
        super().__init__()

    def fields(self):
        yield Static(self.explanation, markup=False, classes="text")
        yield Static(self.secret, id="secret", markup=False)

    def on_mount(self) -> None:
        self.query_one("#ok").focus()

    def result(self):
        self.secret = ""
        return True


class TagModal(FormModal):
    """The tag to add to several contacts."""

    def __init__(self, count: int):
        from ..i18n import ngettext

        self.TITLE_TEXT = ngettext("Tag {n} contact", "Tag {n} contacts", count).format(n=count)
        super().__init__()

    def fields(self):
        yield self.row(_("Tag"), Field(id="tag", max_length=40, placeholder=_("e.g. messe-2026")))

    def on_mount(self) -> None:
        self.query_one("#tag").focus()

    def result(self):
        tag = self.value("#tag").strip()
        if not tag:
            self.error(_("Type the tag to add."))
            return None
        return {"tag": tag}


class ChoiceModal(FormModal):
    def __init__(self, title: str, label: str, choices: list[tuple[str, object]], *,
                 value=None, explanation: str = "", allow_blank: bool = False):
        self.TITLE_TEXT = title
        self.label = label
        self.choices = choices
        self.initial = value
        self.explanation = explanation
        self.allow_blank = allow_blank
        super().__init__()

    def fields(self):
        if self.explanation:
            yield Static(self.explanation, markup=False, classes="text")
        select = Select(self.choices, id="choice", allow_blank=self.allow_blank or self.initial is None,
                        prompt=_("(none)"),
                        value=self.initial if self.initial is not None else Select.NULL)
        yield self.row(self.label, select)

    def on_mount(self) -> None:
        self.query_one("#choice").focus()

    def result(self):
        value = self.value("#choice")
        if value is None and not self.allow_blank:
            self.error(_("Choose one."))
            return None
        return {"value": value}


class SaveAnywayModal(ConfirmModal):
    """The store found special-category words in free text: save only if the user says so."""

    def __init__(self, problem: str):
        super().__init__(_("Save anyway?"), problem + "\n\n" + _(
            "Health, religion, trade-union membership and the like rarely belong in a customer "
            "register. OK saves it anyway: the record is flagged for the data-protection review "
            "and your choice is logged. Cancel goes back to edit the text."))

    def on_mount(self) -> None:
        self.query_one("#cancel").focus()  # the safe choice is the default


class NoteModal(FormModal):
    def __init__(self, initial: dict | None = None, problem: str = ""):
        self.TITLE_TEXT = _("New note")
        self.initial = initial or {}
        self.problem = problem
        super().__init__()

    def fields(self):
        from store.processing import NOTE_CATEGORIES, NOTE_VISIBILITY

        yield self.row(_("Category"), Select(vocab.options(NOTE_CATEGORIES),
                                             value=self.initial.get("category", "call"),
                                             allow_blank=False, id="category"))
        yield self.row(_("Visible to"), Select(vocab.options(NOTE_VISIBILITY),
                                               value=self.initial.get("visibility", "team"),
                                               allow_blank=False, id="visibility"))
        yield Label(_("Note (no health, union, religion or CPR numbers here)"), markup=False)
        yield TextArea(self.initial.get("body", ""), id="body", soft_wrap=True, tab_behavior="focus")

    def on_mount(self) -> None:
        self.query_one("#body").focus()
        if self.problem:
            self.error(self.problem)

    def result(self):
        body = self.value("#body").strip()
        if not body:
            self.error(_("Write the note first."))
            return None
        return {"body": body, "category": self.value("#category"), "visibility": self.value("#visibility")}


class DealModal(FormModal):
    def __init__(self, initial: dict | None = None, problem: str = ""):
        self.TITLE_TEXT = _("New deal")
        self.initial = initial or {}
        self.problem = problem
        super().__init__()

    def fields(self):
        from store.processing import DEAL_STAGES

        from ..i18n import fmt_money

        amount = self.initial.get("amount_minor")
        yield self.row(_("Title"), Field(self.initial.get("title", ""), id="title", max_length=200))
        yield self.row(_("Amount (DKK)"), Field(fmt_money(amount) if amount else "", id="amount", max_length=20))
        yield self.row(_("Stage"), Select(vocab.options(DEAL_STAGES), value=self.initial.get("stage", "new"),
                                          allow_blank=False, id="stage"))

    def on_mount(self) -> None:
        self.query_one("#title").focus()
        if self.problem:
            self.error(self.problem)

    def result(self):
        from ..i18n import parse_money

        title = self.value("#title").strip()
        if not title:
            self.error(_("Give the deal a title."))
            return None
        try:
            amount = parse_money(self.value("#amount") or "0")
        except ValueError:
            self.error(_("The amount is not a number (for example 12.500,00)."))
            return None
        return {"title": title, "amount_minor": amount, "stage": self.value("#stage")}


class ConflictModal(FormModal):
    """Someone saved first: say who and when; offer to reload keeping what was typed."""

    def __init__(self, by: str | None, at):
        self.TITLE_TEXT = _("Someone else saved this contact first")
        self.by = by
        self.at = at
        super().__init__()

    def fields(self):
        when = fmt_datetime(self.at) if hasattr(self.at, "year") else ""
        who = self.by or _("another user")
        yield Static(_("{who} saved changes at {when}.").format(who=safe.clean(who), when=when)
                     if when else _("{who} saved changes.").format(who=safe.clean(who)),
                     markup=False, classes="text")
        yield Static(_("OK reloads their version and keeps what you typed on top of it; "
                       "check it and save again."), markup=False, classes="text")

    def on_mount(self) -> None:
        self.query_one("#ok").focus()

    def result(self):
        return "reload"


def date_row(modal: FormModal, label: str, widget_id: str, value: str) -> Horizontal:
    return modal.row(label, Field(value=value, id=widget_id, placeholder=date_hint(), max_length=10))
