"""The whole double opt-in through real HTTP against the real `minicrm web` process and a
real SMTP server: sign up, read the mail, confirm by POST, see the evidence and the text
version, export the list, send a campaign, unsubscribe by the RFC 8058 one-click POST from
its List-Unsubscribe link, leave the list and get no further mail."""
from __future__ import annotations

import csv
import io
import re
import urllib.parse

ADDRESS = "karen@firma.dk"


def test_sign_up_confirm_export_and_one_click_unsubscribe(site, users):
    from store import consent, mailing
    from store.campaigns import send_campaign
    from store.consent_texts import current_text
    from store.models import Consent, Contact, OptIn
    from store.scope import Scope

    browser = site.client()
    page = browser.get("/subscribe/newsletter")
    assert page.status == 200
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp
    assert page.headers["referrer-policy"] == "no-referrer" and page.headers["x-frame-options"] == "DENY"
    seen = page.text()
    assert "Tilmeld dig nyhedsbrevet fra Smedjen ApS" in seen and "https://smedjen.dk/privatliv" in page.body
    text = current_text("newsletter", "da")
    assert text.wording in seen and "newsletter-da-v1" in seen
    assert re.search(r'<input id="consent" name="consent" type="checkbox" value="yes">', page.body)  # unticked
    assert "checked" not in page.body and "http" not in re.sub(r'https://smedjen\.dk/privatliv', "",
                                                                page.body.replace(site.base, ""))

    done = browser.post("/subscribe/newsletter", {
        "csrf": page.field("csrf"), "text_id": page.field("text_id"), "name": "Karen Blixen",
        "email": ADDRESS, "consent": "yes", "website": ""})
    assert done.status == 200 and "Tjek din e-mail" in done.text()
    assert Consent.select().count() == 0 and OptIn.select().count() == 1

    mail = site.sink.wait_for_mail(ADDRESS)
    link = re.search(rf"{re.escape(site.base)}(/confirm/[\w-]+)", mail.get_content()).group(1)
    shown = browser.get(link)  # what a mail scanner's prefetch also does: nothing changes
    assert shown.status == 200 and text.wording in shown.text() and "Bekræft" in shown.text()
    assert Consent.select().count() == 0 and OptIn.select().count() == 1

    confirmed = browser.post(link, {"csrf": shown.field("csrf")})
    assert confirmed.status == 200 and "Tilmeldingen er bekræftet" in confirmed.text()
    contact = Contact.get(Contact.email == ADDRESS)
    manager = Scope(users["manager"])
    (given,) = consent.consents_of(manager, contact.id)
    assert (given.status, given.method, given.text_version, given.wording) == (
        "given", "web_double_opt_in", "newsletter-da-v1", text.wording)
    evidence = given.events[0].evidence
    assert "ip=127.0.0.1" in evidence and "user_agent=minicrm-tests/1" in evidence and text.sha256 in evidence
    assert browser.post(link, {"csrf": shown.field("csrf")}).status == 410  # replayed: single use

    out = io.BytesIO()
    assert mailing.write_list_csv(manager, "newsletter", out) == 1
    (row,) = csv.DictReader(io.StringIO(out.getvalue().decode()))
    assert row["email"] == ADDRESS and row["unsubscribe_url"].startswith(f"{site.base}/unsubscribe/")
    path = urllib.parse.urlsplit(row["unsubscribe_url"]).path

    report = send_campaign(manager, "newsletter", "Åbent hus i smedjen", "Kom og se lørdag kl. 10.\n")
    assert report.sent == 1
    campaign_mail = site.sink.wait_for_mail(ADDRESS, 2)
    assert campaign_mail["List-Unsubscribe"].strip() == f"<{row['unsubscribe_url']}>"
    assert campaign_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    mail_client = site.client()  # a mail client's one-click POST: no cookie, no form page first
    assert "Afmeld" in mail_client.get(path).text()
    assert Consent.get(Consent.contact == contact.id).status == "given"  # the GET changed nothing
    gone = mail_client.post(path, raw=b"List-Unsubscribe=One-Click")
    assert gone.status == 200 and "Du er afmeldt" in gone.text()
    assert Consent.get(Consent.contact == contact.id).status == "withdrawn"
    assert mailing.recipients(manager, "newsletter") == []
    assert send_campaign(manager, "newsletter", "Næste gang", "Hej igen\n").sent == 0
    assert len(site.sink.to(ADDRESS)) == 2  # the withdrawal is honoured: no further mail
    assert [e.event for e in consent.consents_of(manager, contact.id)[0].events][:1] == ["withdrawn"]
