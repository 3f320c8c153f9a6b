"""Messages the app posts to its screens."""
from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message


@dataclass
class StoreChanged(Message, bubble=False):  # for the screen it is posted to
    """Another session committed: these entities changed.

    `ids` maps an entity name ("contact", "user", ...) to the set of ids;
    `everything` is True after a bulk change (id 0): reload whatever is shown.
    The app posts it to the active screen only; a hidden screen gets what it
    missed, merged into one message, when it becomes active again.
    """

    ids: dict[str, set[int]] = field(default_factory=dict)
    everything: bool = False

    def touches(self, entity: str, entity_id: int | None = None) -> bool:
        if self.everything:
            return True
        ids = self.ids.get(entity)
        if not ids:
            return False
        return entity_id is None or entity_id in ids or 0 in ids

    def merged(self, later: StoreChanged) -> StoreChanged:
        """One message saying what this one and `later` say."""
        ids = {entity: set(found) for entity, found in self.ids.items()}
        for entity, found in later.ids.items():
            ids.setdefault(entity, set()).update(found)
        if self.everything or later.everything or sum(map(len, ids.values())) > _MOST_IDS_KEPT:
            return StoreChanged({}, True)
        return StoreChanged(ids)


# Past this many ids a hidden screen reloads whatever it shows: a long session
# under a running import must not keep every id it ever heard of.
_MOST_IDS_KEPT = 1000
