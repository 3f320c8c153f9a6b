"""Bad input to the real endpoint: each gets a clear page with the right status, and
nothing is recorded and nothing is mailed."""
from __future__ import annotations

import re
import urllib.parse

import pytest

ADDRESS = "karen@firma.dk"


@pytest.fixture
def web_settings():
    return {"per_ip_per_hour": 12}


def _form(client, purpose="newsletter"):
    page = client.get(f"/subscribe/{purpose}")
    return {"csrf": page.field("csrf"), "text_id": page.field("text_id"), "name": "Karen Blixen",
            "email": ADDRESS, "consent": "yes", "website": ""}


def _nothing_recorded(site):
    from store.models import Consent, Contact, OptIn

    assert (OptIn.select().count(), Consent.select().count(), Contact.select().count()) == (0, 0, 0)
    assert site.sink.messages == []


def test_each_bad_field_is_named_and_nothing_is_kept(site):
    c = site.client()
    cases = [
        ({"email": "karen(at)firma.dk"}, 400, "Skriv en gyldig e-mailadresse"),
        ({"email": "k" * 300 + "@firma.dk"}, 400, "Skriv en gyldig e-mailadresse"),
        ({"consent": ""}, 400, "Sæt kryds i feltet"),
        ({"name": "Karen\r\nBcc: everyone@example.com"}, 400, "Skriv dit navn"),  # header injection
        ({"name": ""}, 400, "Skriv dit navn"),
        ({"csrf": ""}, 403, "Formularen er for gammel"),
        ({"csrf": "0" * 64}, 403, "Formularen er for gammel"),
        ({"text_id": "999"}, 400, "Samtykketeksten er ændret"),
    ]
    for change, status, says in cases:
        fields = {**_form(c), **change}
        if change.get("consent") == "":
            del fields["consent"]
        reply = c.post("/subscribe/newsletter", fields)
        assert (reply.status, says in reply.text()) == (status, True), (change, reply.status, reply.text())
        assert ADDRESS not in reply.body or change.get("email") is None  # typed values are kept, escaped
    assert "&lt;" in c.post("/subscribe/newsletter", {**_form(c), "name": "<b>Karen</b>", "consent": ""}).body
    no_cookie = site.client()
    assert no_cookie.post("/subscribe/newsletter", _form(c)).status == 403  # a form lifted from elsewhere
    assert c.get("/subscribe/lottery").status == 404
    _nothing_recorded(site)


def test_oversized_bodies_get_413_and_get_requests_change_nothing(site):
    c = site.client()
    fields = _form(c)
    big = b"email=" + b"a" * (1024 * 1024)
    assert c.post("/subscribe/newsletter", raw=big).status == 413
    chunked = c.post("/subscribe/newsletter", raw=big, chunked=True)
    assert chunked.status == 413  # refused at the limit without a length: never read whole
    query = urllib.parse.urlencode(fields)
    assert c.get(f"/subscribe/newsletter?{query}").status == 200  # a GET with the fields: no sign-up
    assert c.get("/confirm/" + "A" * 43).status == 410
    assert c.post("/confirm/" + "A" * 43, {"csrf": fields["csrf"]}).status == 410
    assert c.post("/unsubscribe/" + "A" * 32, raw=b"List-Unsubscribe=One-Click").status == 200  # same page
    assert c.post("/unsubscribe/x", raw=b"nothing").status == 400
    filled = c.post("/subscribe/newsletter", {**fields, "website": "http://spam.example"})
    assert filled.status == 200 and "Tjek din e-mail" in filled.text()  # the bot learns nothing
    _nothing_recorded(site)


def test_an_expired_link_confirms_nothing(site):
    from store.db import database
    from store.models import Consent, OptIn

    c = site.client()
    assert c.post("/subscribe/newsletter", _form(c)).status == 200
    link = re.search(r"/confirm/[\w-]+", site.sink.wait_for_mail(ADDRESS).get_content()).group(0)
    with database.atomic():
        database.execute_sql("UPDATE opt_in SET expires_at = '2020-01-01 00:00:00'")
    page = c.get(link)
    assert page.status == 410 and "udløbet" in page.text()
    assert c.post(link, {"csrf": _form(c)["csrf"]}).status == 410
    assert OptIn.select().count() == 0 and Consent.select().count() == 0


def test_a_flood_is_slowed_per_address_and_per_ip_whatever_x_forwarded_for_says(site):
    from store.models import OptIn

    c = site.client()
    statuses = [c.post("/subscribe/newsletter", _form(c)).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # web.per_address_per_hour = 3
    assert len(site.sink.to(ADDRESS)) == 1 and OptIn.select().count() == 1  # and one mail: the cool-down
    flood = [c.post("/subscribe/newsletter", {**_form(c), "email": f"x{n}@firma.dk", "consent": ""},
                    headers={"X-Forwarded-For": f"203.0.113.{n}"}).status for n in range(10)]
    assert flood[-1] == 429 and 429 in flood[:9]  # 12 per IP: the untrusted header changed nothing
    assert "For mange forsøg" in c.post("/subscribe/newsletter", _form(c)).text()
