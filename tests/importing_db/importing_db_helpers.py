"""Helpers for the database-side import tests (imported by the test modules)."""
from __future__ import annotations

import csv
import io
from pathlib import Path


def write(folder: Path, name: str, text: str, *, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path = folder / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def header_cells(samples: Path, name: str) -> list[str]:
    text = (samples / "headers" / name).read_text(encoding="utf-8")
    last = [line for line in text.splitlines() if line.strip()][-1]
    return next(csv.reader([last], delimiter=";" if name.startswith("timeout") else ","))


def from_header(samples: Path, folder: Path, name: str, rows: list[dict[str, str]], *,
                encoding: str = "utf-8", newline: str = "\n") -> Path:
    """A file with a header sample's exact header (and preamble, for LinkedIn and TimeOut)
    followed by `rows` (column name -> value)."""
    header = header_cells(samples, name)
    for row in rows:
        assert not set(row) - set(header), f"not in the {name} header: {set(row) - set(header)}"
    timeout = name.startswith("timeout")
    delimiter = ";" if timeout else ","
    body = io.StringIO()
    csv.writer(body, delimiter=delimiter, lineterminator="\n").writerows(
        [[row.get(h, "") for h in header] for row in rows])
    text = body.getvalue()
    if timeout or name.startswith("linkedin"):
        head = (samples / "headers" / name).read_text(encoding="utf-8").replace("\r\n", "\n")
        head += "" if head.endswith("\n") else "\n"
        if timeout:  # TimeOut ends every line with a separator
            text = "".join(line + ";\n" for line in text.splitlines())
    else:
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, lineterminator="\n").writerow(header)
        head = out.getvalue()
    return write(folder, name, head + text, encoding=encoding, newline=newline)


def contacts_of(batch_id: int) -> dict[str, dict]:
    """The contacts a batch added, keyed by e-mail (else 'first last'), with company, tags, notes."""
    from store.db import database

    rows = database.execute_sql(
        "SELECT c.id, c.first_name, c.last_name, c.title, c.email, c.phone, co.name, co.cvr, co.address, "
        "co.postcode, co.city, c.source, c.lawful_basis, c.owner_id, c.lifecycle "
        "FROM contact c LEFT JOIN company co ON co.id = c.company_id WHERE c.import_batch_id = ? "
        "ORDER BY c.id", (batch_id,)).fetchall()
    out = {}
    for (cid, first, last, title, email, phone, company, cvr, address, postcode, city, source, basis,
         owner, lifecycle) in rows:
        tags = sorted(t for (t,) in database.execute_sql(
            "SELECT t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id WHERE ct.contact_id = ?", (cid,)))
        notes = [b for (b,) in database.execute_sql("SELECT body FROM note WHERE contact_id = ?", (cid,))]
        out[email or f"{first} {last}".strip()] = {
            "id": cid, "first_name": first, "last_name": last, "title": title, "email": email,
            "phone": phone, "company": company, "cvr": cvr, "address": address, "postcode": postcode,
            "city": city, "source": source, "lawful_basis": basis, "owner_id": owner,
            "lifecycle": lifecycle, "tags": tags, "notes": notes}
    return out


def table_counts() -> dict[str, int]:
    from store.db import database

    names = [n for (n,) in database.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'contact_search_%'")]
    return {n: database.execute_sql(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names
            if n != "contact_search"}


def stored_anywhere(needle: str) -> list[str]:
    """Every table.column whose text holds `needle` (case-insensitive), plus the search index."""
    from store.db import database

    found = []
    tables = [n for (n,) in database.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'contact_search%'")]
    for table in tables:
        for col in database.execute_sql(f'PRAGMA table_info("{table}")').fetchall():
            name = col[1]
            hit = database.execute_sql(
                f'SELECT count(*) FROM "{table}" WHERE CAST("{name}" AS TEXT) LIKE ?',
                (f"%{needle}%",)).fetchone()[0]
            if hit:
                found.append(f"{table}.{name}")
    for token in needle.split():
        query = '"' + token.replace('"', "") + '"'
        if database.execute_sql("SELECT count(*) FROM contact_search WHERE contact_search MATCH ?",
                                (query,)).fetchone()[0]:
            found.append(f"contact_search:{token}")
    return found
