"""Behind the configured reverse proxy, X-Forwarded-For names the visitor in the evidence."""
from __future__ import annotations

import re

import pytest


@pytest.fixture
def web_settings():
    return {"trusted_proxies": ["127.0.0.1"]}


def test_the_forwarded_address_of_a_trusted_proxy_is_the_evidence(site, users):
    from store import consent
    from store.models import Contact
    from store.scope import Scope

    c = site.client()
    page = c.get("/subscribe/events")
    fields = {"csrf": page.field("csrf"), "text_id": page.field("text_id"), "name": "Ole",
              "email": "ole@firma.dk", "consent": "yes"}
    assert c.post("/subscribe/events", fields, headers={"X-Forwarded-For": "203.0.113.50"}).status == 200
    link = re.search(r"/confirm/[\w-]+", site.sink.wait_for_mail("ole@firma.dk").get_content()).group(0)
    shown = c.get(link)
    assert c.post(link, {"csrf": shown.field("csrf")}, headers={"X-Forwarded-For": "198.51.100.60"}).status == 200
    (given,) = consent.consents_of(Scope(users["manager"]), Contact.get(Contact.email == "ole@firma.dk").id)
    evidence = given.events[0].evidence
    assert "ip=203.0.113.50" in evidence and "ip=198.51.100.60" in evidence and "127.0.0.1" not in evidence
