"""A person in a real headless browser (Debian's chromium, driven through chromedriver by
Selenium): fills in and submits the form, confirms from the received mail, unsubscribes,
and reads the right words on each page."""
from __future__ import annotations

import re
import shutil

import pytest
from needs import unavailable
from waiting import wait_for

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
ADDRESS = "maja@firma.dk"


@pytest.fixture
def browser():
    if not (CHROMIUM and DRIVER):
        unavailable("chromium and chromedriver are not installed (make system-deps installs them as root)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--lang=da"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _body(driver) -> str:
    return driver.find_element("tag name", "body").text


def test_a_person_signs_up_confirms_and_unsubscribes_in_a_real_browser(site, browser, users):
    from selenium.webdriver.common.by import By

    from store.consent_texts import current_text
    from store.models import Consent, Contact

    text = current_text("newsletter", "da")
    browser.get(f"{site.base}/subscribe/newsletter")
    assert browser.title == "Tilmelding · Smedjen ApS"
    assert text.wording in _body(browser)
    box = browser.find_element(By.ID, "consent")
    assert not box.is_selected()  # never pre-ticked
    assert not browser.find_element(By.ID, "website").is_displayed()  # the honeypot is hidden from people
    browser.find_element(By.ID, "name").send_keys("Maja Hansen")
    browser.find_element(By.ID, "email").send_keys(ADDRESS)
    browser.find_element(By.ID, "submit").click()  # forgot the box: told so, nothing kept
    wait_for(lambda: "Sæt kryds i feltet" in _body(browser), what="the missing-box message")
    assert browser.find_element(By.ID, "email").get_attribute("value") == ADDRESS  # kept, not retyped
    browser.find_element(By.ID, "consent").click()
    browser.find_element(By.ID, "submit").click()
    wait_for(lambda: "Tjek din e-mail" in _body(browser), what="the check-your-mail page")

    link = re.search(r"http://127\.0\.0\.1:\d+/confirm/[\w-]+", site.sink.wait_for_mail(ADDRESS).get_content())
    browser.get(link.group(0))
    assert "Bekræft tilmelding" in _body(browser) and text.wording in _body(browser)
    assert Consent.select().count() == 0  # opening the link changed nothing
    browser.find_element(By.ID, "submit").click()
    wait_for(lambda: "Tilmeldingen er bekræftet" in _body(browser), what="the confirmed page")
    contact = Contact.get(Contact.email == ADDRESS)
    assert Consent.get(Consent.contact == contact.id).status == "given"

    from store.unsubscribe import url_for

    browser.get(url_for(contact.id))
    assert "Afmeld" in _body(browser)
    browser.find_element(By.ID, "submit").click()
    wait_for(lambda: "Du er afmeldt" in _body(browser), what="the unsubscribed page")
    assert Consent.get(Consent.contact == contact.id).status == "withdrawn"
    console = [e for e in browser.get_log("browser") if "Content Security Policy" in e.get("message", "")]
    assert console == []  # the strict CSP blocked nothing the pages need
