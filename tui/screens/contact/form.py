"""The contact's fields as a form: what the role may change is enabled, and the
form tells what the user changed compared with the version shown.

Stored text is cleaned before it is put in a field (tui/safe.py), so a field
never holds a control or bidi character that came from the store.
"""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Label, Select, Static

from ... import safe, vocab
from ...i18n import _, fmt_date, fmt_datetime
from ...widgets.field import Field
from .points import PointRows

TEXT_FIELDS = ("first_name", "last_name", "title", "address", "postcode", "city", "country")
POINT_FIELDS = ("emails", "phones")  # every e-mail and phone, labelled, the primary first (points.py)
COMPANY_FIELDS = ("company", "company_cvr")
SELECT_FIELDS = ("lifecycle", "lawful_basis", "owner_id")


class ContactForm(VerticalScroll):
    """The Details tab's fields, the company line and the record's status line."""

    can_focus = False  # tab goes from the tab bar straight into the fields

    def __init__(self, scope) -> None:
        # Only built for editing: a contact being read shows its card (card.py) instead.
        super().__init__(id="form")
        self.scope = scope
        self.original: dict[str, object] = {}
        self._by_name: dict = {}
        self._points: list = []

    def compose(self) -> ComposeResult:
        from store.processing import LAWFUL_BASES, LIFECYCLES

        labels = {"first_name": _("First name"), "last_name": _("Last name"), "title": _("Job title"),
                  "address": _("Street"), "postcode": _("Postcode"), "city": _("City"), "country": _("Country")}
        for name in TEXT_FIELDS[:3]:
            yield _row(labels[name], _input(name, 200))
        for kind in POINT_FIELDS:
            yield PointRows(kind, disabled=False)
        for name in TEXT_FIELDS[3:]:
            yield _row(labels[name], _input(name, 20 if name == "postcode" else 200))
        yield _row(_("Lifecycle"), Select(vocab.options(LIFECYCLES), compact=True, id="f-lifecycle",
                                          allow_blank=False, value="lead"))
        yield _row(_("Lawful basis"), Select(vocab.options(LAWFUL_BASES), compact=True,
                                             id="f-lawful_basis", allow_blank=False,
                                             value="legitimate_interest"))
        if self.scope.can("contact.reassign"):
            yield _row(_("Owner"), Select([], compact=True, id="f-owner_id", prompt=_("(none)")))
        yield _row(_("Tags"), _input("tags", 400, _("comma separated, e.g. vip, b2b")))
        if self.scope.can("company.edit"):
            yield _row(_("Company"), _input("company", 200))
            yield _row(_("CVR"), _input("company_cvr", 12, "12345674"))
        yield Static("", id="company", markup=False)
        yield Static("", id="meta", markup=False)

    def apply_permissions(self, creating: bool) -> None:
        scope = self.scope
        may_edit = scope.can("contact.create") if creating else scope.can("contact.edit")
        may_rectify = may_edit or (not creating and scope.can("contact.rectify"))
        for name in TEXT_FIELDS:
            self.query_one(f"#f-{name}").disabled = not may_rectify
        self.may_rectify = may_rectify
        for rows in self.query(PointRows):
            rows.show([row.point() for row in rows.rows], disabled=not may_rectify)
        for name in ("lifecycle", "lawful_basis", "tags"):
            self.query_one(f"#f-{name}").disabled = not may_edit
        for owner in self.query("#f-owner_id"):
            owner.disabled = not (may_edit and scope.can("contact.reassign"))

    def set_owners(self, owners) -> None:
        for select in self.query("#f-owner_id").results(Select):
            select.set_options([(safe.text(o.username), o.id) for o in owners])

    def show(self, d) -> None:
        """Fill the fields from the contact detail `d` (the version now shown)."""
        self.original = {"first_name": d.first_name, "last_name": d.last_name, "title": d.title,
                         "emails": _points(d.emails), "phones": _points(d.phones),
                         "address": d.address, "postcode": d.postcode, "city": d.city, "country": d.country,
                         "lifecycle": d.lifecycle,
                         "lawful_basis": d.lawful_basis, "owner_id": d.owner_id,
                         "tags": ", ".join(d.tags)}
        if self.query("#f-company"):
            self.original.update(company=d.company, company_cvr=d.company_cvr)
        for name, value in self.original.items():
            self.set_field(name, value)
        company = (_("Company: {name} (CVR {cvr})").format(name=safe.clean(d.company), cvr=d.company_cvr)
                   if d.company_cvr else _("Company: {name}").format(name=safe.clean(d.company))
                   if d.company else _("No company"))
        self.query_one("#company", Static).update(company)
        self.query_one("#meta", Static).update(
            _("Status: {status} · Source: {source} · Created {created} · Changed {changed} · "
              "Version {version}").format(status=vocab.label(d.status), source=safe.clean(d.source),
                                          created=fmt_date(d.created_at),
                                          changed=fmt_datetime(d.updated_at), version=d.version))

    def set_field(self, name: str, value) -> None:
        if name in POINT_FIELDS:
            self.query_one(f"#{name}", PointRows).show(value or ())
            return
        widgets = self.query(f"#f-{name}")
        if not widgets:
            return
        widget = widgets.first()
        if isinstance(widget, Select):
            if value is None:
                widget.clear() if widget._allow_blank else None
            else:
                widget.value = value
        else:
            widget.value = safe.clean(value)

    def _fields(self) -> dict:
        """The fixed fields by name, looked up once (a DOM query per field, on each save
        and dirty check, was a fifth of save to "Saved.", profiled)."""
        if not self._by_name:
            names = (*TEXT_FIELDS, "tags", *COMPANY_FIELDS, *SELECT_FIELDS)
            self._by_name = {name: widget for name in names for widget in self.query(f"#f-{name}")}
            self._points = list(self.query(PointRows))
        return self._by_name

    def values(self) -> dict:
        values = {}
        fields = self._fields()
        for name in (*TEXT_FIELDS, "tags", *COMPANY_FIELDS):  # company fields: for roles that edit them
            if name in fields:
                values[name] = fields[name].value
        for rows in self._points:
            values[rows.kind] = rows.points()
        for name in SELECT_FIELDS:
            if name in fields:
                widget = fields[name]
                values[name] = None if widget.value is Select.NULL else widget.value
        return values

    def changes(self) -> dict:
        """Only what the user changed (compared with the version shown)."""
        out = {}
        for name, value in self.values().items():
            shown = self.original.get(name)
            if name in TEXT_FIELDS or name in COMPANY_FIELDS or name == "tags":
                shown = safe.clean(shown)
            if name in POINT_FIELDS:
                shown = [(safe.clean(v), lab, p) for v, lab, p in shown or ()]
            if value != shown and not (value in ("", None) and shown in ("", None)):
                out[name] = value
        return out


def _points(points) -> list[tuple[str, str, bool]]:
    return [(p.value, p.label, p.primary) for p in points]


def _input(name: str, max_length: int, placeholder: str = "", *, disabled: bool = False) -> Input:
    return Field(compact=True, select_on_focus=False, id=f"f-{name}", max_length=max_length,
                 placeholder=placeholder, disabled=disabled)


def _row(label: str, widget) -> Horizontal:
    return Horizontal(Label(label, classes="label", markup=False), widget, classes="row")
