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
        # 23:30 UTC today is 00:30 tomorrow in Copenhagen (UTC+1 or +2); the text is published
        # today, so a consent dated tomorrow is not before it (fixed dates went stale)
        today = dt.datetime.now(dt.UTC).date()
        now = dt.datetime.combine(today, dt.time(23, 30))
        consent.record_consent(sales, cid, "newsletter", method="phone", given_on=today + dt.timedelta(days=1),
                               text_id=consent_text_helper.text_id(), evidence="called", now=now)
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()
