"""Realistic Danish sample data: names with æøå, companies with valid CVR
numbers, +45 phones, deals, invoices, consents and notes.

Seeded, so the same N always gives the same data (tests and benches rely on it).
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from . import audit, bulk, changes, retention
from .db import database
from .models import User, utcnow
from .validate import CVR_WEIGHTS

FIRST = ("Søren Mette Jørgen Åse Ærling Anne Lars Kirsten Niels Hanne Jens Birgitte Morten Lone Rasmus "
         "Sofie Mads Freja Jonas Ida Mikkel Emma Frederik Clara Thorbjørn Bjørn Sørine Ølsted Åge Maja "
         "Kasper Signe Troels Line Anders Karen Henrik Pernille Christian Camilla José Zoë Noémie").split()
LAST = ("Jensen Nielsen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen "
        "Petersen Madsen Kristensen Olsen Thomsen Christiansen Poulsen Johansen Møller Mortensen "
        "Kjær Østergaard Bøgh Skovgaard Lindahl Ærø Dahl Holm Brøndum Aagaard Vestergård Fjeldsø").split()
TITLES = ("Direktør", "Indkøber", "Bogholder", "Projektleder", "Salgschef", "Værkfører",
          "Kontorchef", "Indehaver", "IT-ansvarlig", "Økonomichef")
CITIES = (("8000", "Århus C"), ("2100", "København Ø"), ("5000", "Odense C"), ("9000", "Aalborg"),
          ("7100", "Vejle"), ("6700", "Esbjerg"), ("4000", "Roskilde"), ("8600", "Silkeborg"),
          ("3400", "Hillerød"), ("6000", "Kolding"), ("8800", "Viborg"), ("4700", "Næstved"))
STREETS = ("Østergade", "Vestergade", "Søndergade", "Nørregade", "Åboulevarden", "Strandvejen",
           "Møllevej", "Skovbrynet", "Kirkevej", "Havnegade", "Ærøvej", "Bøgevej")
TRADES = ("VVS", "Byg", "El-service", "Tømrer", "Maler", "Rengøring", "Revision", "Grossist",
          "Transport", "Køleteknik", "Glarmester", "Anlæg")
SUFFIX = ("ApS", "A/S", "I/S", "& Søn", "ApS", "A/S")
TAGS = ("vip", "nyhedsbrev", "messe-2026", "b2b", "offentlig", "tilbud-sendt", "fynsk", "jysk")
NOTES = ("Ringede om tilbud på service; vender tilbage i næste uge.",
         "Møde på kontoret: ønsker pris på udvidelse.",
         "Sendt materiale pr. mail.", "Klage over levering, løst med kreditnota.",
         "Interesseret i årsaftale.", "Aftalt opfølgning efter sommerferien.")
STAGES = ("new", "qualified", "proposal", "won", "lost")
FOLLOW_UPS = ("Ring om tilbuddet", "Send revideret tilbud", "Følg op på mødet i sidste uge",
              "Bekræft leveringsdato", "Send kontrakt til underskrift", "Ring og hør om servicebesøget gik godt",
              "Aftal besøg på lageret", "Send prisliste for 2027", "Book opstartsmøde",
              "Tilbyd årsaftale før nytår", "Spørg til udvidelse af aftalen")
# days from today: overdue ones, today's, and some ahead, so every home screen has a list
FOLLOW_UP_DAYS = (-12, -5, -3, -1, -1, 0, 0, 0, 1, 2, 5, 9, 14, 30)
LIFECYCLES = ("lead", "prospect", "customer", "customer", "former")


def cvr_number(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(6)]
        # the last weight belongs to the check digit itself
        check = (-sum(d * w for d, w in zip(digits, CVR_WEIGHTS[:-1], strict=True))) % 11
        if check < 10:
            return "".join(map(str, [*digits, check]))


# Leading digits whose every number passes `validate.phone` (phonenumbers' metadata
# leaves gaps such as +4537, +4583-85): demo data must pass the app's own checks.
PHONE_PREFIXES = ("201", "212", "223", "226", "242", "254", "261", "272", "281", "293", "301", "313",
                  "322", "402", "404", "411", "422", "424", "504", "512", "531", "604", "611", "612",
                  "711", "812", "913", "931")


def phone_number(rng: random.Random) -> str:
    return f"+45{rng.choice(PHONE_PREFIXES)}{rng.randint(0, 99_999):05d}"


def _ascii(name: str) -> str:
    return (name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
            .replace("é", "e").replace("ë", "e").replace(" ", "").replace("&", ""))


def generate(contacts: int, *, seed: int = 2026, owners: Sequence[int | None] | None = None) -> dict[str, int]:
    """Add `contacts` contacts with companies, deals, invoices, consents, notes and follow-ups."""
    rng = random.Random(seed + contacts)
    if owners is None:
        owners = [u.id for u in User.select().where(User.role.in_(["sales", "manager"]))] or \
                 [u.id for u in User.select().where(User.role == "admin")] or [None]
    n_companies = max(1, contacts // 5)
    now = utcnow()
    counts: dict[str, Any] = {}  # also the audit row's detail
    with database.atomic():
        conn = database.connection()
        first_company = bulk.next_free_id(conn, "company")
        used_cvr = {r[0] for r in conn.execute("SELECT cvr FROM company WHERE cvr IS NOT NULL")}
        companies: dict[int, tuple] = {}  # id -> (name, cvr, street, postcode, city): the search index
        rows = []
        for i in range(n_companies):
            cid = first_company + i
            cvr = cvr_number(rng)
            while cvr in used_cvr:
                cvr = cvr_number(rng)
            used_cvr.add(cvr)
            name = f"{rng.choice(LAST)} {rng.choice(TRADES)} {rng.choice(SUFFIX)}"
            postcode, city = rng.choice(CITIES)
            street = f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
            companies[cid] = (name, cvr, street, postcode, city)
            rows.append((cid, name, cvr, street, postcode, city, str(now), str(now)))
        conn.executemany("INSERT INTO company (id, name, cvr, address, postcode, city, created_at, "
                         "updated_at) VALUES (?,?,?,?,?,?,?,?)", rows)
        counts["companies"] = n_companies

        contact_rows, tag_sets = [], {}
        for n in range(contacts):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            cid = first_company + rng.randrange(n_companies)
            domain = _ascii(companies[cid][0].split()[0]) + ".dk"
            email = f"{_ascii(first)}.{_ascii(last)}{n}@{domain}"
            contact_rows.append((first, last, rng.choice(TITLES), email, phone_number(rng), cid,
                                 rng.choice(owners), rng.choice(LIFECYCLES), "demo", None,
                                 rng.choice(("contract", "legitimate_interest"))))
            if rng.random() < 0.4:
                tag_sets[n] = sorted(set(rng.sample(TAGS, rng.randint(1, 2))))
        ids = bulk.insert_contacts(contact_rows, company_names=companies, tags=tag_sets)
        counts["contacts"] = len(ids)

        for name in TAGS:
            conn.execute("INSERT OR IGNORE INTO tag (name) VALUES (?)", (name,))
        tag_ids = dict(conn.execute("SELECT name, id FROM tag").fetchall())
        conn.executemany("INSERT INTO contact_tag (contact_id, tag_id) VALUES (?, ?)",
                         [(ids[n], tag_ids[t]) for n, ts in tag_sets.items() for t in ts])

        deals = []
        for _ in range(contacts // 3):
            k = rng.randrange(contacts)
            row = contact_rows[k]
            deals.append((f"{rng.choice(('Serviceaftale', 'Renovering', 'Levering', 'Rådgivning'))} "
                          f"{rng.randint(2025, 2027)}", rng.randint(5, 500) * 100_000, "DKK",
                          rng.choice(STAGES), row[6], ids[k], row[5], str(now), str(now), 1))
        conn.executemany("INSERT INTO deal (title, amount_minor, currency, stage, owner_id, contact_id, "
                         "company_id, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?)", deals)
        counts["deals"] = len(deals)

        first_invoice = (conn.execute("SELECT count(*) FROM invoice").fetchone()[0] or 0) + 1
        invoices = []
        for n in range(contacts // 4):
            k = rng.randrange(contacts)
            row = contact_rows[k]
            issued = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(1700))
            company = companies[row[5]]
            invoices.append((f"F{first_invoice + n:07d}", str(issued), str(issued + dt.timedelta(days=30)),
                             rng.randint(10, 2000) * 10_000, "DKK",
                             str(issued + dt.timedelta(days=rng.randint(5, 40))) if rng.random() < 0.8 else None,
                             ids[k], row[5], f"{row[0]} {row[1]}, {company[0]}", "Danmark", row[3],
                             company[1], str(retention.bookkeeping_retain_until(issued)), 0))
        conn.executemany(
            "INSERT INTO invoice (number, issued_on, due_on, amount_minor, currency, paid_on, contact_id, "
            "company_id, billing_name, billing_address, billing_email, billing_cvr, retain_until, "
            "retained_after_erasure) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", invoices)
        counts["invoices"] = len(invoices)

        text_id, label = _demo_texts(conn)
        consent_rows: list[tuple[Any, ...]] = []
        consent_events: list[tuple[Any, ...]] = []
        first_consent = bulk.next_free_id(conn, "consent")
        for n, k in enumerate(rng.sample(range(contacts), contacts // 2)):
            given = now - dt.timedelta(days=rng.randrange(900))
            withdrawn = given + dt.timedelta(days=rng.randrange(1, 200)) if rng.random() < 0.15 else None
            method = rng.choice(("web_double_opt_in", "phone", "paper", "in_person"))
            consent_rows.append((first_consent + n, ids[k], "newsletter", "email",
                                 "withdrawn" if withdrawn else "given", str(given),
                                 str(withdrawn) if withdrawn else None, method, label, str(now), text_id))
            consent_events.append((first_consent + n, str(given), "given", method, label,
                                   "Demo: bekræftet via link" if method == "web_double_opt_in" else
                                   "Demo: aftalt i telefonen", None, text_id))
            if withdrawn:
                consent_events.append((first_consent + n, str(withdrawn), "withdrawn", "web_unsubscribe",
                                       label, None, None, text_id))
        conn.executemany("INSERT INTO consent (id, contact_id, purpose, channel, status, given_at, "
                         "withdrawn_at, method, text_version, updated_at, text_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                         consent_rows)
        conn.executemany("INSERT INTO consent_event (consent_id, at, event, method, text_version, evidence, "
                         "actor_id, text_id) VALUES (?,?,?,?,?,?,?,?)", consent_events)
        counts["consents"] = len(consent_rows)

        notes = []
        for _ in range(contacts // 2):
            k = rng.randrange(contacts)
            private = rng.random() < 0.25
            notes.append((ids[k], contact_rows[k][6], rng.choice(("call", "meeting", "email", "other")),
                          rng.choice(NOTES), "private" if private else "team", str(now)))
        conn.executemany("INSERT INTO note (contact_id, author_id, category, body, visibility, created_at) "
                         "VALUES (?,?,?,?,?,?)", notes)
        counts["notes"] = len(notes)

        counts.update(_recent(conn, random.Random(seed + contacts + 17), ids, contact_rows, companies,
                              first_invoice + len(invoices)))

        changes.record("contact", 0, "bulk")
        audit.record(None, "demo.generate", **counts)
    return counts


def _recent(conn, rng: random.Random, ids: list[int], contact_rows: list[tuple], companies: dict,
            next_invoice: int) -> dict[str, int]:
    """Follow-ups and invoices around today (a random generator of their own: the data above stays
    as it was for the same seed): overdue and today's follow-ups for each owner (and some for the
    administrator), recent invoices of which most are unpaid and some overdue, a few in euros."""
    today = dt.date.today()
    now = utcnow()
    admin = conn.execute("SELECT id FROM user WHERE role = 'admin' AND revoked_at IS NULL ORDER BY id").fetchone()
    deals_of: dict[int, list[int]] = {}
    first_id = ids[0] if ids else 0
    for deal_id, contact_id in conn.execute("SELECT id, contact_id FROM deal WHERE contact_id >= ?", (first_id,)):
        deals_of.setdefault(contact_id, []).append(deal_id)
    follow_ups = []
    for n in range(len(ids) // 3):
        k = rng.randrange(len(ids))
        owner = admin[0] if admin and n % 7 == 3 else contact_rows[k][6]
        due = today + dt.timedelta(days=rng.choice(FOLLOW_UP_DAYS))
        done = str(now - dt.timedelta(hours=rng.randint(1, 48))) if due < today and rng.random() < 0.2 else None
        deal = rng.choice(deals_of[ids[k]]) if ids[k] in deals_of and rng.random() < 0.5 else None
        follow_ups.append((ids[k], deal, owner, owner, str(due), rng.choice(FOLLOW_UPS), done,
                           str(now - dt.timedelta(days=rng.randint(1, 20)))))
    conn.executemany("INSERT INTO follow_up (contact_id, deal_id, owner_id, created_by_id, due_on, body, done_at, "
                     "created_at, version) VALUES (?,?,?,?,?,?,?,?,1)", follow_ups)
    invoices = []
    for n in range(max(1, len(ids) // 10) if ids else 0):
        k = rng.randrange(len(ids))
        row = contact_rows[k]
        issued = today - dt.timedelta(days=rng.randint(3, 75))
        due = issued + dt.timedelta(days=rng.choice((8, 14, 30)))
        paid = issued + dt.timedelta(days=rng.randint(1, (today - issued).days)) if rng.random() < 0.3 else None
        company = companies[row[5]]
        invoices.append((f"F{next_invoice + n:07d}", str(issued), str(due), rng.randint(5, 400) * 25_000,
                         "EUR" if rng.random() < 0.1 else "DKK", str(paid) if paid else None, ids[k], row[5],
                         f"{row[0]} {row[1]}, {company[0]}", "Danmark", row[3], company[1],
                         str(retention.bookkeeping_retain_until(issued))))
    conn.executemany(
        "INSERT INTO invoice (number, issued_on, due_on, amount_minor, currency, paid_on, contact_id, company_id, "
        "billing_name, billing_address, billing_email, billing_cvr, retain_until, retained_after_erasure) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,0)", invoices)
    return {"follow_ups": len(follow_ups), "recent_invoices": len(invoices)}


def _demo_texts(conn) -> tuple[int, str]:
    """A first version of every default purpose's text (published long before the demo's consents);
    returns the Danish newsletter text's id and label, which the demo consents point at."""
    from .consent_texts import LANGUAGES, default_wording, digest
    from .processing import CONSENT_PURPOSES

    for purpose in CONSENT_PURPOSES:
        for language in LANGUAGES:
            if conn.execute("SELECT 1 FROM consent_text WHERE purpose = ? AND language = ?",
                            (purpose, language)).fetchone() is None:
                wording = default_wording(purpose, language, "Demo ApS")
                conn.execute("INSERT INTO consent_text (purpose, language, version, wording, sha256, published_at) "
                             "VALUES (?, ?, 1, ?, ?, '2023-01-02 09:00:00')",
                             (purpose, language, wording, digest(wording)))
    row = conn.execute("SELECT id, version FROM consent_text WHERE purpose = 'newsletter' AND language = 'da' "
                       "ORDER BY version DESC LIMIT 1").fetchone()
    return row[0], f"newsletter-da-v{row[1]}"
