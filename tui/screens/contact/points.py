"""A contact's e-mails or phones as rows of the form: a value, its label, and the first
row is the primary one.

Every key types into the field that has focus: adding a row, making a row the primary
and removing one are buttons reached with Tab (Enter or Space presses them), never a
single letter.  Emptying a row's field removes it on save (the store drops empty values).
Stored text is cleaned before it is put in a field (tui/safe.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Select

from ... import safe, vocab
from ...i18n import _
from ...widgets.field import Field

KINDS = {"emails": "email", "phones": "phone"}


def _labels() -> list[tuple[str, str]]:
    from store.contact_points import LABELS

    return vocab.options(LABELS)


class PointRow(Horizontal):
    """One e-mail or phone: its field, its label and (not on the primary row) a button
    that makes it the primary one."""

    def __init__(self, kind: str, n: int, value: str, label: str, *, disabled: bool) -> None:
        super().__init__(classes="row point")
        self.kind, self.n = kind, n
        self._value, self._label, self._disabled = value, label, disabled

    @property
    def base(self) -> str:
        single = KINDS[self.kind]
        return single if self.n == 0 else f"{single}_{self.n}"

    def compose(self) -> ComposeResult:
        title = {"emails": _("Email"), "phones": _("Phone")}[self.kind]
        yield Label(title if self.n == 0 else "", classes="label", markup=False)
        hint = {"emails": "navn@firma.dk", "phones": "+45 12 34 56 78"}[self.kind] if self.n == 0 else ""
        yield Field(safe.clean(self._value), compact=True, select_on_focus=False, id=f"f-{self.base}",
                    max_length=200, placeholder=hint, disabled=self._disabled)
        yield Select(_labels(), compact=True, allow_blank=False, value=self._label, id=f"f-{self.base}_label",
                     classes="point-label", disabled=self._disabled)
        if self.n:
            yield Button(_("Primary"), compact=True, id=f"f-{self.base}_primary", classes="point-primary",
                         disabled=self._disabled)

    def set(self, value: str, label: str, *, disabled: bool) -> None:
        """Show another value and label in this row (the form is refilled in place)."""
        if not self.is_mounted:  # not composed yet: compose() uses these
            self._value, self._label, self._disabled = value, label, disabled
            return
        field = self.query_one(Input)
        field.value, field.disabled = safe.clean(value), disabled
        select = self.query_one(Select)
        select.value, select.disabled = label, disabled
        for button in self.query(Button):
            button.disabled = disabled

    def point(self) -> tuple[str, str, bool]:
        if not self.query(Input):  # mounted a moment ago, not composed yet: what it will show
            return self._value.strip(), self._label, self.n == 0
        select = self.query_one(Select)
        label = "other" if select.value is Select.NULL else str(select.value)
        return self.query_one(Input).value.strip(), label, self.n == 0


@dataclass
class PointsChanged(Message):
    """The rows of one kind were added to or reordered (the form's dirty state may change)."""
    kind: str


class PointRows(Vertical):
    """Every e-mail (or phone) of the contact, the primary first, and an "Add" button."""

    def __init__(self, kind: str, *, disabled: bool = False) -> None:
        super().__init__(id=kind, classes="points")
        self.kind = kind
        self.disabled_rows = disabled

    def compose(self) -> ComposeResult:
        off = self.disabled_rows
        yield Vertical(PointRow(self.kind, 0, "", "other", disabled=off), classes="point-rows")
        add = {"emails": _("Add email"), "phones": _("Add phone")}[self.kind]
        yield Horizontal(Label("", classes="label"),
                         Button(add, compact=True, id=f"add-{KINDS[self.kind]}", disabled=off), classes="row")

    @property
    def rows(self) -> list[PointRow]:
        """The rows in order (not those on their way out)."""
        return sorted((r for r in self.query(PointRow) if not r._pruning), key=lambda r: r.n)

    def points(self) -> list[tuple[str, str, bool]]:
        """(value, label, primary) of each row with a value, the primary first."""
        return [p for p in (row.point() for row in self.rows) if p[0]]

    def show(self, points, *, disabled: bool | None = None) -> None:
        """Rebuild the rows from (value, label, primary) items, the primary one first; one
        empty row when there are none."""
        if disabled is not None:
            self.disabled_rows = disabled
        items = sorted(((str(v), str(lab), bool(p)) for v, lab, p in points), key=lambda item: not item[2])
        items = items or [("", "other", True)]
        holder = self.query_one(".point-rows", Vertical)
        rows = self.rows
        for row in rows[len(items):]:  # a row has no id of its own: a new one may follow at once
            row.remove()
        for n, (value, label, _primary) in enumerate(items):
            if n < len(rows):
                rows[n].set(value, label, disabled=self.disabled_rows)
            else:
                holder.mount(PointRow(self.kind, n, value, label, disabled=self.disabled_rows))
        for button in self.query(f"#add-{KINDS[self.kind]}").results(Button):
            button.disabled = self.disabled_rows

    @on(Button.Pressed)
    async def _pressed(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        if button_id == f"add-{KINDS[self.kind]}":
            event.stop()
            current = [row.point() for row in self.rows]
            holder = self.query_one(".point-rows", Vertical)
            row = PointRow(self.kind, len(current), "", "other", disabled=self.disabled_rows)
            await holder.mount(row)  # its fields are there now (a focus after a refresh could come first)
            row.query_one(Input).focus()
            self.post_message(PointsChanged(self.kind))
        elif button_id.endswith("_primary"):
            event.stop()
            row = next(r for r in self.rows if r.query(f"#{button_id}"))
            current = [r.point() for r in self.rows]
            chosen = current.pop(row.n)
            self.show([(chosen[0], chosen[1], True), *((v, lab, False) for v, lab, _p in current)])
            self.call_after_refresh(lambda: self.query_one(f"#f-{KINDS[self.kind]}", Input).focus())
            self.post_message(PointsChanged(self.kind))
