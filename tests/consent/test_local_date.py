"""A consent dated today in Copenhagen is accepted while UTC still says yesterday (00:30 local)."""
from __future__ import annotations

import datetime as dt
import os
import time

import consent_text_helper

from store import consent, contacts
from store.scope import Scope


def test_a_consent_given_just_after_midnight_in_copenhagen_is_today(store, users):
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Copenhagen"
    time.tzset()
    try:
        sales = Scope(users["sales"])
        cid = contacts.create_contact(sales, first_name="Nat", last_name="Ugle", email="nat@ugle.dk")
        now = dt.datetime(2026, 12, 2, 23, 30)  # UTC: 00:30 on 3 December in Copenhagen
        consent.record_consent(sales, cid, "newsletter", method="phone", given_on=dt.date(2026, 12, 3),
                               text_id=consent_text_helper.text_id(), evidence="called", now=now)
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()
