"""Data-subject rights (GDPR Art. 12-20): the request register, the person's own
copy, erasure with its ledger, and restriction.  Every function takes a Scope.

    requests.py     register and deadlines (one month, +2 with a reason)
    export.py       the access/portability bundle (data.json, CSVs, report)
    report.py       the readable report with the Art. 15 information
    erasure.py      erasure plan, erasure, invoice and erasure-proof retention purges
    ledger.py       keyed hashes of erased people: is_erased, reapply_ledger
    restriction.py  Art. 18 restriction and lifting it
    handling.py     acting on one request: export attached, restrict, erase and close
    vocab.py        the codes (legal bases, grounds, outcomes); no store imports

`from store.rights import erase_person` works; the submodules load on first
use, so `store.rights.vocab` stays cheap for the command line's --help.
"""
from __future__ import annotations

import importlib

_WHERE = {
    "requests": ("RequestView", "NoOpenRequest", "IdentityNotVerified", "add_months", "due_date",
                 "add_request", "verify_identity", "record_rectification", "extend_request",
                 "assign_request", "close_request", "list_requests", "open_requests",
                 "get_request", "deadline_summary"),
    "export": ("collect_person", "export_person", "write_export_zip", "purge_exports"),
    "erasure": ("ErasurePlan", "ErasureResult", "erasure_plan", "erase_person", "purge_expired_invoices",
                "purge_expired_proof", "bookkeeping_retain_until"),
    "ledger": ("is_erased", "erased_checker", "reapply_ledger"),
    "restriction": ("restrict_person", "lift_restriction", "processable_contacts"),
    "handling": ("export_for_request", "fetch_bundle", "restrict_for_request", "erase_for_request"),
    "vocab": ("LEGAL_BASES", "GROUNDS", "OUTCOMES", "REQUESTERS", "CHANNELS", "IDENTITY_METHODS"),
}
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}

# built from _WHERE so the lazy-import table stays the one list of names; a list, as __all__ must be
__all__ = sorted(_MODULE_OF)  # noqa: PLE0605


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'store.rights' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
