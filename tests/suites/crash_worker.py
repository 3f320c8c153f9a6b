"""The crash suite's writer (run as a script; see test_crash.py).

A fork server: it imports the store once, then for each `go SEED` line forks a child that
opens the store and commits random realistic transactions until it is killed.  Before each
transaction the child writes `try <op> <json>`, after its commit `ack <op> <json>` (one line,
one write: lines from a dying child are never torn).  The test kills the child with SIGKILL
and sends `reap PID`; the server answers `reaped` after the child's last line.
Forking after the imports and before any connection is safe: no SQLite state is shared.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

from store import consent, contacts, deals, notes, runtime
from store.importing.batch import import_file
from store.models import Consent, Contact, Deal, User
from store.rights import erase_person
from store.scope import Scope

TAGS = ("kunde", "leverandør", "vip", "nyhedsbrev", "messe")
COMPANIES = ("Nordlys ApS", "Havbryg A/S", "Fjordtømrer I/S", "Kystbageriet ApS")
STAGES = ("qualified", "proposal", "won", "lost")


def say(kind: str, op: str, **data) -> None:
    os.write(1, f"{kind} {op} {json.dumps(data, separators=(',', ':'))}\n".encode())


def any_contact(rng: random.Random) -> Contact | None:
    count = Contact.select().count()
    if not count:
        return None
    return Contact.select().order_by(Contact.id).offset(rng.randrange(count)).first()


def run_child(config: str, folder: Path, seed: int) -> None:
    rng = random.Random(seed)
    runtime.open_store(config)
    manager = Scope(User.get(User.username == "manager-user"))
    console = Scope.console()
    say("ready", "open", seed=seed)
    n = 0
    while True:
        n += 1
        token = f"k{seed}n{n}"
        roll = rng.random()
        target = any_contact(rng)
        if roll < 0.30 or target is None:
            say("try", "create", token=token)
            detail = contacts.save_contact(manager, None, None, {
                "first_name": token, "last_name": rng.choice(("Holm", "Østergaard", "Nielsen")),
                "email": f"{token}@eksempel.dk", "company": rng.choice(COMPANIES)},
                tags=rng.sample(TAGS, 2))
            say("ack", "create", id=detail.id, token=token)
        elif roll < 0.55:
            value = time.time_ns()  # grows across children: a later edit always has a larger one
            say("try", "edit", id=target.id, value=value)
            contacts.update_contact(manager, target.id, target.version, title=str(value))
            say("ack", "edit", id=target.id, value=value)
        elif roll < 0.65:
            say("try", "note", contact=target.id)
            note = notes.add_note(manager, target.id, body=f"Ringede {token}\nvil have tilbud")
            say("ack", "note", id=note, contact=target.id)
        elif roll < 0.75:
            say("try", "deal", contact=target.id)
            deal = deals.create_deal(manager, target.id, title=f"Tilbud {token}", amount_minor=rng.randrange(10**7))
            say("ack", "deal", id=deal, contact=target.id)
            stage = rng.choice(STAGES)
            say("try", "stage", id=deal, stage=stage)
            deals.set_stage(manager, deal, 1, stage)
            say("ack", "stage", id=deal, stage=stage)
        elif roll < 0.85:
            given = Consent.get_or_none((Consent.contact == target.id) & (Consent.purpose == "newsletter")
                                        & (Consent.status == "given"))
            say("try", "consent", contact=target.id, given=given is None)
            if given is None:
                consent.record_consent(manager, target.id, "newsletter", method="phone",
                                       given_on=dt.date.today(), text_id=_text_id(),
                                       evidence=f"telefon {token}")
            else:
                consent.withdraw_consent(manager, target.id, "newsletter", method="phone")
            say("ack", "consent", contact=target.id, given=given is None)
        elif roll < 0.93:
            rows = rng.randrange(5, 30)
            path = folder / f"{token}.csv"
            path.write_text("Fornavn;Efternavn;E-mail;Telefon\n" + "".join(
                f"{token}r{i};Import;{token}r{i}@eksempel.dk;+45 2{rng.randrange(10**7):07d}\n"
                for i in range(rows)), encoding="utf-8")
            say("try", "import", token=token, rows=rows)
            report = import_file(manager, path)
            say("ack", "import", token=token, rows=rows, batch=report.batch_id, new=report.new)
        else:
            batch = target.import_batch_id
            deals_of = [d for (d,) in Deal.select(Deal.id).where(Deal.contact == target.id).tuples()]
            say("try", "erase", id=target.id, batch=batch, deals=deals_of)
            erase_person(console, target.id, legal_basis="art17_1b")
            say("ack", "erase", id=target.id, batch=batch, deals=deals_of)


def main() -> None:
    config, folder = sys.argv[1], Path(sys.argv[2])
    for line in sys.stdin:
        command, *args = line.split()
        if command == "go":
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    run_child(config, folder, int(args[0]))
                except BaseException as exc:  # told to the test, which fails on it
                    say("error", "child", error=type(exc).__name__, text=str(exc)[:200])
                    code = 1
                os._exit(code)
            say("pid", "fork", pid=pid)
        elif command == "reap":
            _, status = os.waitpid(int(args[0]), 0)
            say("reaped", "child", signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0,
                code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None)
        elif command == "quit":
            break


def _text_id() -> int:
    """The published newsletter text consent is recorded under (as tests/consent_text_helper.py)."""
    from store.consent_texts import current_text, publish_text

    text = current_text("newsletter", "da") or publish_text(
        Scope.console(), "newsletter", "da",
        "Ja tak, send mig nyhedsbrevet. Du kan til enhver tid trække dit samtykke tilbage via linket i hver mail.")
    return text.id


if __name__ == "__main__":
    main()
