"""The invoice kept after an erasure holds only what bookkeeping needs (momsbekendtgørelsen
§ 58), and is kept until the end of the financial year the setting names, plus 5 years."""
from __future__ import annotations

import datetime as dt

import pytest


def _private_invoice(p, *, number: str, issued_on: dt.date) -> int:
    """An invoice to the person as a private customer, billed to their own e-mail."""
    from store.db import database
    from store.models import Invoice
    from store.rights.erasure import bookkeeping_retain_until

    with database.atomic():
        return Invoice.create(number=number, issued_on=issued_on, due_on=issued_on, amount_minor=129_500,
                              currency="DKK", paid_on=issued_on, contact=p.id, company=None,
                              billing_name=p.name, billing_address="Vestergade 7, 5000 Odense C",
                              billing_email=p.email, retain_until=bookkeeping_retain_until(issued_on)).id


def _scan(blob: bytes, *values: str) -> dict[str, int]:
    return {v: blob.count(v.encode()) for v in values}


def test_a_kept_private_invoice_keeps_name_and_address_and_loses_the_email(store, scopes, make_person,
                                                                           raw_bytes, handled_by):
    from store import demo
    from store.invoices import search_invoices
    from store.models import Invoice
    from store.rights import erase_person
    from store.rights.erasure import checkpoint

    demo.generate(200)  # neighbours on every page
    p = make_person()
    issued = dt.date.today().replace(month=1, day=15)
    inv = _private_invoice(p, number="P-2026-0001", issued_on=issued)
    checkpoint()
    finance = scopes["finance"]
    assert inv in [i.id for i in search_invoices(finance, p.email)]  # found by e-mail before
    pages, _wal, _copy = raw_bytes()
    assert _scan(pages, p.email)[p.email] >= 1

    handled_by("privacy", p.id, "erasure")
    erase_person(scopes["privacy"], p.id, legal_basis="art17_1a")

    kept = Invoice.get_by_id(inv)
    assert (kept.number, kept.issued_on, kept.due_on, kept.amount_minor, kept.currency, kept.paid_on) == (
        "P-2026-0001", issued, issued, 129_500, "DKK", issued)
    assert (kept.billing_name, kept.billing_address) == (p.name, "Vestergade 7, 5000 Odense C")
    assert kept.billing_email is None and kept.contact_id is None and kept.retained_after_erasure
    assert search_invoices(finance, p.email) == []
    assert search_invoices(finance, p.email.split("@")[0]) == []
    assert [i.id for i in search_invoices(finance, "P-2026-0001")] == [inv]
    pages, wal, copy = raw_bytes()
    for blob, what in ((pages, "pages"), (wal, "wal frames"), (copy, "decrypted copy")):
        assert _scan(blob, p.email, p.phone) == {p.email: 0, p.phone: 0}, what


@pytest.fixture
def split_year(store):
    """The open store's financial year set to end on 30 June, as config.toml would."""
    from store import runtime

    values = runtime.current().config.values
    saved = dict(values["retention"])
    values["retention"]["financial_year_end"] = "06-30"
    yield
    values["retention"].clear()
    values["retention"].update(saved)


def test_retention_follows_the_financial_year_setting(store, split_year, scopes, make_person, handled_by):
    from store.models import Invoice
    from store.rights import erase_person, erasure_plan, purge_expired_invoices

    p = make_person()
    handled_by("privacy", p.id, "erasure")
    inv = _private_invoice(p, number="P-2030-0007", issued_on=dt.date(2030, 3, 10))
    assert Invoice.get_by_id(inv).retain_until == dt.date(2035, 7, 1)  # year ends 30 June 2030, + 5 years
    plan = erasure_plan(scopes["privacy"], p.id, today=dt.date(2031, 1, 1))
    assert plan.invoices_kept_until == dt.date(2035, 7, 1)
    erase_person(scopes["privacy"], p.id, legal_basis="art17_1a", today=dt.date(2031, 1, 1))
    purge_expired_invoices(dt.date(2035, 6, 30))
    assert Invoice.select().where(Invoice.id == inv).exists()
    assert purge_expired_invoices(dt.date(2035, 7, 1)) == 1
    assert not Invoice.select().where(Invoice.id == inv).exists()


def test_the_financial_year_end_must_be_a_day_of_the_year(tmp_path):
    from store.config import ConfigError, load_config

    path = tmp_path / "c.toml"
    for bad in ("31-12", "02-29", "13-01", "12/31"):
        path.write_text(f'[database]\npath = "x.db"\nkey_file = "x.key"\n[retention]\nfinancial_year_end = "{bad}"\n')
        with pytest.raises(ConfigError, match=r"retention\.financial_year_end"):
            load_config(path)
