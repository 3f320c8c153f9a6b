"""Acting on one request: what the privacy desk does from a request, each step on the record.

    export_for_request    the bundle written on the server and attached to the request
    fetch_bundle          the attached bundle's bytes, for `export fetch` over SSH
    restrict_for_request  Art. 18 restriction or lifting it, noted under the request
    erase_for_request     the erasure confirmed by the contact's id, the request closed with
                          the ledger entry as its outcome, in one transaction

Export and erasure need the person's identity verified on the request first
(Art. 12(6), requests.verify_identity).  The front ends call these and nothing
below them, so the rule lives here once.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import audit
from ..db import StoreError, database
from ..errors import Invalid
from ..scope import Scope
from . import erasure, export, requests, restriction


def _about_person(scope: Scope, request_id: int) -> int:
    view = requests.get_request(scope, request_id)
    if view.contact_id is None:
        raise StoreError(f"request {request_id} is not about a person in the register")
    return view.contact_id


def export_for_request(scope: Scope, request_id: int, *, language: str | None = None) -> Path:
    """Write the person's bundle to the export folder and attach it to the request."""
    contact_id = _about_person(scope, request_id)
    requests.verified_request(scope, request_id)
    return export.export_person(scope, contact_id, language=language, request_id=request_id)


def fetch_bundle(scope: Scope, request_id: int) -> tuple[str, bytes]:
    """(name, bytes) of the bundle attached to the request, for its handler (or an admin)."""
    scope.require("person.export")
    view = requests.get_request(scope, request_id)
    if scope.role == "privacy" and view.handler_id != scope.user_id:
        raise StoreError(f"request {request_id} is handled by someone else; "
                         f"its bundle goes to its handler")
    path = export.attached_bundle(view.bundle_name)
    data = path.read_bytes()
    audit.record(scope.user_id, "request.fetch", "request", request_id, bytes=len(data),
                 contact_id=view.contact_id)
    return path.name, data


def restrict_for_request(scope: Scope, request_id: int, *, lift: bool = False,
                         ground: str = "accuracy_contested") -> bool:
    """Restrict (or lift) the person of an open request; False if nothing changed."""
    requests._open_request(scope, request_id)
    contact_id = _about_person(scope, request_id)
    with database.atomic():
        done = (restriction.lift_restriction(scope, contact_id) if lift
                else restriction.restrict_person(scope, contact_id, ground=ground))
        if done:
            audit.record(scope.user_id, "request.restrict_lift" if lift else "request.restrict",
                         "request", request_id, contact_id=contact_id)
    return done


@dataclass(frozen=True)
class Closed:
    request_id: int
    contact_id: int
    ledger_entry: int
    outcome: str  # what the request now says ("erased: ledger entry 12")
    wal_cleared: bool


def erase_for_request(scope: Scope, request_id: int, confirmation: str, *,
                      legal_basis: str = "art17_1a") -> Closed:
    """Erase the request's person and close the request with the ledger entry as its outcome.

    `confirmation` is what the handler typed: it must be the contact's id.
    """
    contact_id = _about_person(scope, request_id)
    if str(confirmation).strip() != str(contact_id):
        raise Invalid("confirmation", f"type the contact's id ({contact_id}) to erase")
    with database.atomic():  # the erasure and the closing commit together
        requests.verified_request(scope, request_id)
        result = erasure.erase_person(scope, contact_id, legal_basis=legal_basis, _scrub=False)
        outcome = f"erased: ledger entry {result.ledger_entry}"
        requests.close_request(scope, request_id, "completed", outcome)
    cleared = erasure.scrub()  # after the commit: the old page images leave the WAL
    return Closed(request_id, contact_id, result.ledger_entry, outcome, cleared)




@dataclass(frozen=True)
class DeskView:
    """One request as the desk shows it: the request, and whether its person is restricted."""
    request: requests.RequestView
    restricted: bool | None  # None: the request is about no one in the register (any more)


def desk_view(scope: Scope, request_id: int) -> DeskView:
    view = requests.get_request(scope, request_id)
    restricted = None
    if view.contact_id is not None:
        restricted = scope.contact(view.contact_id).restricted_at is not None
    return DeskView(view, restricted)


def open_request_for(scope: Scope, contact_id: int) -> int | None:
    """The person's open request to continue: one this user handles first, else any; None if none."""
    views = requests.list_requests(scope, status="open", contact_id=contact_id)
    mine = [v for v in views if v.handler_id == scope.user_id]
    chosen = mine or views
    return chosen[0].id if chosen else None


__all__ = ["export_for_request", "fetch_bundle", "restrict_for_request", "erase_for_request", "Closed",
           "DeskView", "desk_view", "open_request_for"]
