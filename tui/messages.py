"""Messages the app posts to its screens."""
from __future__ import annotations

from textual.message import Message


class StoreChanged(Message):
    """Another session (or a worker) committed: these entities changed.

    `ids` maps an entity name ("contact", "user", ...) to the set of ids;
    `everything` is True after a bulk change (id 0): reload whatever is shown.
    """

    def __init__(self, ids: dict[str, set[int]], everything: bool = False):
        super().__init__()
        self.ids = ids
        self.everything = everything

    def touches(self, entity: str, entity_id: int | None = None) -> bool:
        if self.everything:
            return True
        ids = self.ids.get(entity)
        if not ids:
            return False
        return entity_id is None or entity_id in ids or 0 in ids
