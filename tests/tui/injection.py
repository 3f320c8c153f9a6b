"""Hostile text planted in stored data, as an import of a crafted file could leave it."""
from __future__ import annotations

MARKUP = ["[bold]x", "[link=https://evil.example]c[/link]", "[@click=app.quit]x[/]", "[/]"]
ESCAPES = ["\x1b]52;c;ZXZpbA==\x07", "\x1b[2J", "\x9b31m"]
EVERYTHING = " ".join(MARKUP + ESCAPES)
# What must never reach the terminal from data: ESC, CSI (C1), BEL.
FORBIDDEN = ("\x1b", "\x9b", "\x07")


def plant(contact_id: int, author_id: int) -> None:
    """Write the strings into every kind of stored text shown on screen (test setup)."""
    from store import search
    from store.db import database

    with database.atomic():
        database.execute_sql(
            "UPDATE contact SET first_name=?, last_name=?, title=?, email=?, phone=?, source=? WHERE id=?",
            ("[bold]x" + ESCAPES[0], "[link=https://evil.example]c[/link]" + ESCAPES[1],
             "[@click=app.quit]x[/]", "evil\x1b[2J@evil.example", "\x9b31m", "[/]", contact_id))
        company = database.execute_sql("SELECT company_id FROM contact WHERE id=?", (contact_id,)).fetchone()[0]
        database.execute_sql("UPDATE company SET name=? WHERE id=?", ("[/]" + ESCAPES[2], company))
        database.execute_sql("INSERT OR IGNORE INTO tag (name) VALUES (?)", ("[bold]tag\x1b[2J",))
        tag_id = database.execute_sql("SELECT id FROM tag WHERE name=?", ("[bold]tag\x1b[2J",)).fetchone()[0]
        database.execute_sql("INSERT OR IGNORE INTO contact_tag (contact_id, tag_id) VALUES (?, ?)",
                             (contact_id, tag_id))
        database.execute_sql(
            "INSERT INTO note (contact_id, author_id, category, body, visibility, created_at) "
            "VALUES (?, ?, 'call', ?, 'team', '2026-03-02 09:30:00')",
            (contact_id, author_id, "\n".join(MARKUP + ESCAPES)))
        database.execute_sql(
            "INSERT INTO deal (title, amount_minor, currency, stage, owner_id, contact_id, company_id, "
            "created_at, updated_at, version) VALUES (?, 100, 'DKK', 'new', ?, ?, ?, "
            "'2026-03-02 09:30:00', '2026-03-02 09:30:00', 1)",
            (EVERYTHING, author_id, contact_id, company))
        deal_id = database.execute_sql("SELECT max(id) FROM deal").fetchone()[0]
        database.execute_sql(
            "INSERT INTO follow_up (contact_id, deal_id, owner_id, created_by_id, due_on, body, created_at, version) "
            "VALUES (?, ?, ?, ?, '2026-01-15', ?, '2026-03-02 09:30:00', 1)",
            (contact_id, deal_id, author_id, author_id, EVERYTHING))
        database.execute_sql(
            "INSERT INTO invoice (number, issued_on, due_on, amount_minor, currency, contact_id, company_id, "
            "billing_name, billing_address, retain_until, retained_after_erasure) VALUES "
            "('X-1', '2026-01-01', '2026-01-31', 100, 'DKK', ?, ?, ?, '', '2032-01-01', 0)",
            (contact_id, company, EVERYTHING))
        database.execute_sql(
            "INSERT INTO consent (contact_id, purpose, channel, status, given_at, method, text_version, "
            "updated_at) VALUES (?, 'events', 'email', 'given', '2026-01-01 12:00:00', 'paper', ?, "
            "'2026-01-01 12:00:00')", (contact_id, "[bold]v1" + ESCAPES[0]))
        consent_id = database.execute_sql("SELECT id FROM consent WHERE contact_id=? AND purpose='events'",
                                          (contact_id,)).fetchone()[0]
        database.execute_sql(
            "INSERT INTO consent_event (consent_id, at, event, method, text_version, evidence, actor_id) "
            "VALUES (?, '2026-01-01 12:00:00', 'given', 'paper', ?, ?, ?)",
            (consent_id, "[bold]v1", EVERYTHING, author_id))
        search.index_contacts(database, [contact_id])
