"""One staff process of the concurrency suite (run as a script; see test_concurrency.py).

argv: kind seconds start-file [hot contact ids ...].  Kinds:
  staff     searches, opens contacts (each view audited), optimistic edits, consent, notes
  importer  one large import first, then small ones
  admin     adds a user, changes its role, revokes it with a hand-over, again and again
  baseline  saves alone, for the unloaded p95
Waits for the start file, works until the time is up, prints one JSON line of figures.
Every exception is counted by kind: a Conflict is a correct refusal, anything else a failure.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

from store import accounts, auth, consent, contacts, notes, runtime
from store.errors import Conflict, DatabaseBusy, StoreError
from store.importing.batch import import_file
from store.models import User
from store.scope import Scope

WORDS = ("holm", "jensen", "byg", "søren", "nordlys", "aps", "østergaard", "vvs", "mette", "hansen")


def main() -> None:
    kind, seconds, start = sys.argv[1], float(sys.argv[2]), Path(sys.argv[3])
    hot = [int(x) for x in sys.argv[4:]]
    rng = random.Random(os.getpid())
    runtime.open_store()
    scope = Scope(User.get(User.username == "manager-user"))
    figures: dict = {"ops": Counter(), "errors": Counter(), "saves_ms": [], "acks": [], "conflicts": 0,
                     "import_rows": []}
    print("ready", flush=True)
    while not start.exists():
        time.sleep(0.005)
    deadline = time.monotonic() + seconds
    n = 0
    big = int(os.environ.get("MINICRM_LOAD_BIG_IMPORT", "0"))
    while time.monotonic() < deadline or (kind == "importer" and big):
        n += 1
        try:
            if kind in ("staff", "baseline"):
                staff_step(kind, scope, rng, hot, n, figures)
            elif kind == "importer":
                rows, big = (big or 20), 0
                path = start.parent / f"load-{os.getpid()}-{n}.csv"
                path.write_text("Fornavn;Efternavn;E-mail\n" + "".join(
                    f"Imp{os.getpid()}x{n}r{i};Load;imp{os.getpid()}x{n}r{i}@eksempel.dk\n"
                    for i in range(rows)), encoding="utf-8")
                import_file(scope, path)
                figures["ops"]["import"] += 1
                figures["import_rows"].append(rows)
            elif kind == "admin":
                name = f"vikar{os.getpid()}n{n}"
                console = Scope.console()
                accounts.add_user(console, name, "sales")
                accounts.set_role(console, name, "manager")
                auth.revoke(console, name, hand_over_to="manager-user")
                figures["ops"]["revoke"] += 1
        except Conflict:
            figures["conflicts"] += 1
        except DatabaseBusy:
            figures["errors"]["DatabaseBusy"] += 1
        except StoreError as exc:
            figures["errors"][type(exc).__name__] += 1
        except Exception as exc:
            figures["errors"]["unexpected " + type(exc).__name__] += 1
    print(json.dumps(figures), flush=True)


def staff_step(kind: str, scope: Scope, rng: random.Random, hot: list[int], n: int, figures: dict) -> None:
    roll = 1.0 if kind == "baseline" else rng.random()
    if roll < 0.35:
        contacts.search_contacts(scope, rng.choice(WORDS)[:rng.randrange(2, 6)])
        figures["ops"]["search"] += 1
    elif roll < 0.60:
        contacts.get_contact(scope, rng.choice(hot))
        figures["ops"]["open"] += 1
    elif roll < 0.68:
        cid = rng.choice(hot)
        consent.record_consent(scope, cid, "newsletter", method="phone", given_on=dt.date.today(),
                               text_id=_text_id(), evidence=f"telefon {n}")
        figures["ops"]["consent"] += 1
    elif roll < 0.75:
        notes.add_note(scope, rng.choice(hot), body=f"Opfølgning {n}")
        figures["ops"]["note"] += 1
    else:
        cid = rng.choice(hot)
        version = contacts.get_contact(scope, cid, audit_view=False).version
        token = f"p{os.getpid()}e{n}"
        started = time.perf_counter()
        new_version = contacts.update_contact(scope, cid, version, title=token)
        figures["saves_ms"].append((time.perf_counter() - started) * 1000)
        figures["acks"].append([cid, new_version, token])
        figures["ops"]["save"] += 1


def _text_id() -> int:
    """The published newsletter text consent is recorded under (as tests/consent_text_helper.py)."""
    from store.consent_texts import current_text, publish_text

    text = current_text("newsletter", "da") or publish_text(
        Scope.console(), "newsletter", "da",
        "Ja tak, send mig nyhedsbrevet. Du kan til enhver tid trække dit samtykke tilbage via linket i hver mail.")
    return text.id


if __name__ == "__main__":
    main()
