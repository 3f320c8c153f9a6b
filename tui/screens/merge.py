"""The merge screen: two contacts side by side, the value to keep chosen per field, then
one confirmed merge (store/merge.py: one transaction, audited).  `space` switches the
selected field between the two sides, `x` swaps which contact survives, `ctrl+s` merges."""
from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Static

from .. import bindings, safe
from ..i18n import N_, _
from ..widgets.footer import Footer
from .base import BaseScreen

FIELD_LABELS = {
    "first_name": N_("First name"), "last_name": N_("Last name"), "title": N_("Job title"),
    "email": N_("E-mail"), "phone": N_("Phone"), "company_id": N_("Company"), "owner_id": N_("Owner"),
    "lifecycle": N_("Lifecycle"), "lawful_basis": N_("Lawful basis"),
}
MOVE_LABELS = {"deals": N_("deals"), "notes": N_("notes"), "consents": N_("consents"), "invoices": N_("invoices"),
               "tags": N_("tags"), "requests": N_("requests"), "follow_ups": N_("follow-ups")}


class MergeScreen(BaseScreen):
    BINDING_GROUP = "merge"
    BINDINGS = bindings.for_screen("merge")
    CSS_PATH = "admin.tcss"

    def __init__(self, survivor_id: int, merged_id: int):
        super().__init__()
        self.survivor_id, self.merged_id = survivor_id, merged_id
        self.plan = None
        self.choices: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static("", id="merge-moves", markup=False)
        yield DataTable(id="merge-fields", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Merge contacts")
        self.load()
        self.query_one("#merge-fields").focus()

    @work(exclusive=True, group="merge-load")
    async def load(self) -> None:
        from store import merge

        plan = await self.call_store(merge.merge_plan, self.survivor_id, self.merged_id)
        self.plan = plan
        self.choices = {f: self.choices.get(f, "survivor") for f in plan.differing}
        self._fill()

    def _fill(self) -> None:
        plan = self.plan
        table = self.query_one("#merge-fields", DataTable)
        table.clear(columns=True)
        table.add_columns(_("Field"), _("Keeps {id}").format(id=plan.survivor_id),
                          _("Merged {id}").format(id=plan.merged_id), _("Keep"))
        for field, (mine, theirs) in plan.shown.items():
            side = self.choices.get(field)
            keep = "" if side is None else _("this one") if side == "survivor" else _("the merged one")
            table.add_row(safe.text(_(FIELD_LABELS[field])), safe.text(mine), safe.text(theirs),
                          safe.text(keep), key=field)
        moves = ", ".join(f"{n} {_(MOVE_LABELS[k])}" for k, n in plan.moves.items() if n) or _("nothing else")
        self.query_one("#merge-moves", Static).update(
            _("Contact {merged} goes into contact {survivor}. Moves with it: {moves}. "
              "Space: keep the other value; x: swap; ctrl+s: merge.").format(
                merged=plan.merged_id, survivor=plan.survivor_id, moves=moves))

    def action_back(self) -> None:
        self.dismiss(False)

    def action_toggle(self) -> None:
        if self.plan is None:
            return
        table = self.query_one("#merge-fields", DataTable)
        field = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if field not in self.choices:
            self.app.tell(_("Both contacts have the same value here."))
            return
        self.choices[field] = "merged" if self.choices[field] == "survivor" else "survivor"
        row = table.cursor_row
        self._fill()
        table.move_cursor(row=row)

    def action_swap(self) -> None:
        self.survivor_id, self.merged_id = self.merged_id, self.survivor_id
        self.choices = {f: "merged" if s == "survivor" else "survivor" for f, s in self.choices.items()}
        self.load()

    @work(group="merge-write")
    async def action_merge(self) -> None:
        from store import merge

        from .forms import ConfirmModal

        plan = self.plan
        if plan is None:
            return
        ok = await self.app.push_screen_wait(ConfirmModal(
            _("Merge contacts"),
            _("Merge contact {merged} into contact {survivor}? Contact {merged} is deleted; everything "
              "of it moves. This cannot be undone.").format(merged=plan.merged_id, survivor=plan.survivor_id)))
        if not ok:
            return
        await self.call_store(merge.merge_contacts, plan.survivor_id, plan.merged_id, dict(self.choices),
                              versions=plan.versions)
        self.app.tell(_("Contacts merged."))
        self.dismiss(True)
