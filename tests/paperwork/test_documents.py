"""The generated paperwork holds what the law asks, with the figures the system uses.

Every document in both languages: the record of processing every Art. 30(1) item, the DPA every
Art. 28(3)(a)-(h) clause, the privacy notice every Art. 13/14 item, each with the configured
company, recipients and retention figures, the measures read from the running system, the date
and the config it came from; hostile config text stays text in Markdown and HTML.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from store import paperwork
from store.processing import CATEGORIES, PURPOSES

from .company import COMPANY

NOW = dt.datetime(2026, 3, 10, 9, 30)


def _words(text: str) -> str:
    """What a reader sees: markup, Markdown escapes and table rules gone, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\\(.)", r"\1", text)
    text = text.replace("&amp;", "&").replace("&#39;", "'").replace("&quot;", '"')
    return " ".join(text.replace("|", " ").split())


def _both(kind: str, lang: str, **kw) -> list[str]:
    return [_words(paperwork.render(kind, lang, fmt, now=NOW, **kw)) for fmt in ("md", "html")]


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("kind", paperwork.KINDS)
def test_every_document_carries_its_date_and_the_config_it_came_from(store, kind, lang):
    from store.paperwork.facts import settings_digest

    digest = settings_digest(store.values)[:16]
    for text in _both(kind, lang):
        assert "2026-03-10 09:30 UTC" in text
        assert str(store.source) in text and digest in text
        assert COMPANY["name"] in text


def _has_all(text: str, needles) -> None:
    missing = [n for n in needles if n not in text]
    assert not missing, missing


def test_the_record_of_processing_holds_every_art_30_1_item_in_both_languages(store):
    from store.models import personal_fields

    used_categories = {f.personal.category for _m, f in personal_fields()}
    used_purposes = {f.personal.purpose for _m, f in personal_fields()}
    for lang in ("da", "en"):
        for text in _both("ropa", lang):
            # (a) controller and DPO contact
            _has_all(text, [COMPANY["name"], COMPANY["cvr"], COMPANY["address"], COMPANY["email"], COMPANY["dpo"]])
            # (b) purposes, with their legal basis; (c) categories of personal data, from the models' metadata
            _has_all(text, [getattr(PURPOSES[p], lang) for p in used_purposes])
            _has_all(text, [getattr(CATEGORIES[c], lang) for c in used_categories])
            assert "newsletter, offers, events" in text  # the mailing lists of consent.purposes
            # (c) categories of data subjects
            _has_all(text, {"da": ["Kunder, mulige kunder", "tilmelder sig nyhedsbreve", "Vores medarbejdere"],
                            "en": ["Customers, prospects", "sign up for newsletters", "Our staff"]}[lang])
            # (d) recipients, sub-processors included; (e) transfers with their safeguard
            _has_all(text, ["Hetzner Online GmbH", "Postværket Inc.", "Skyhuset LLC", "Revisionsfirmaet Tal ApS",
                            "EU-U.S. Data Privacy Framework"])
            # (f) erasure time limits: the retention settings' figures
            _has_all(text, {"da": ["arkiveres efter 24 måneder uden aktivitet og slettes 12 måneder senere",
                                   "31. december", "2 år efter tilbagetrækning", "gemmes i 5 år kun det",
                                   "en faktura udstedt 2026-03-10 må slettes fra 2032-01-01"],
                            "en": ["archived after 24 months without activity, erased 12 months later",
                                   "31 December", "2 years after withdrawal", "for 5 years only what proves",
                                   "an invoice issued on 2026-03-10 may be deleted from 2032-01-01"]}[lang])
            # (g) the measures, read from the running system
            _has_all(text, ["SQLCipher", "AES-256", "TOTP", "-rw-------", "temp_store=memory",
                            "secure_delete=on"])


def test_the_categories_follow_the_field_metadata(store, monkeypatch):
    """A field marked personal in models.py appears in the record without anyone editing it."""
    from peewee import CharField

    from store import models

    extra = models.personal(CharField(null=True), "communication", "sales", "relationship")
    extra.name = "favourite_colour"
    extra.model = models.Deal
    original = models.personal_fields

    def with_extra():
        yield from original()
        yield models.Deal, extra

    monkeypatch.setattr("store.paperwork.facts.personal_fields", with_extra)
    text = _words(paperwork.render("ropa", "en", "md", now=NOW))
    assert "favourite colour" in text


def test_the_measures_are_read_from_the_system_a_verified_backup_shows_its_date(store):
    from store import backup

    before = _words(paperwork.render("ropa", "en", "md", now=NOW))
    assert "No backup has been verified yet" in before
    manifest = backup.create_backup()
    assert backup.verify_backup(backup.backup_folder() / manifest.file).ok
    last = backup.last_verified()
    for lang, words in (("en", "verified on"), ("da", "kontrolleret")):
        after = _words(paperwork.render("ropa", lang, "html", now=NOW))
        assert f"{manifest.file}, {words} {last.verified_at:%Y-%m-%d %H:%M} UTC" in after


def test_two_factor_counts_come_from_the_accounts(store, users):
    from store.db import database
    from store.models import User

    with database.atomic():
        User.update(totp_enrolled=True).where(User.role.in_(("admin", "privacy"))).execute()
    text = _words(paperwork.render("ropa", "en", "md", now=NOW))
    assert f"2 of {len(users)} active accounts have set it up" in text


def test_the_dpa_holds_every_clause_of_art_28_3(store):
    from store.paperwork.agreements import DPA_CLAUSES

    assert sorted(DPA_CLAUSES) == list("abcdefgh")
    markers = {"da": {"a": "dokumenteret instruks", "b": "fortrolighed", "c": "artikel 32",
                      "d": "artikel 28, stk. 2 og 4", "e": "kapitel III", "f": "artikel 32-36",
                      "g": "sletter eller tilbageleverer", "h": "revisioner, herunder inspektioner"},
               "en": {"a": "documented instructions", "b": "confidentiality", "c": "Article 32",
                      "d": "Article 28(2) and (4)", "e": "Chapter III", "f": "Articles 32 to 36",
                      "g": "deletes or returns", "h": "audits, including inspections"}}
    for lang in ("da", "en"):
        for text in _both("dpa", lang, processor="postværket inc."):
            for letter, marker in markers[lang].items():
                clause = DPA_CLAUSES[letter].da if lang == "da" else DPA_CLAUSES[letter].en
                assert clause in text and marker in clause, letter
            # the parties, what is processed, about whom, and the processor's approved sub-processor
            _has_all(text, [COMPANY["name"], COMPANY["cvr"], "Postværket Inc.", "udsendelse af nyhedsbreve",
                            "Skyhuset LLC", "EU-U.S. Data Privacy Framework"])
            _has_all(text, [getattr(CATEGORIES["contact_details"], lang), getattr(PURPOSES["marketing"], lang)])
    blank = _words(paperwork.render("dpa", "en", "md", now=NOW))
    assert "........................ (name, reg. no., address)" in blank


def test_a_dpa_for_an_unknown_processor_is_refused_naming_the_known_ones(store):
    from store.errors import Invalid

    with pytest.raises(Invalid, match="Hetzner Online GmbH"):
        paperwork.render("dpa", "da", "md", processor="Ukendt A/S")


def test_the_privacy_notice_holds_every_art_13_and_14_item(store):
    for lang in ("da", "en"):
        for text in _both("privacy-notice", lang):
            _has_all(text, [COMPANY["name"], COMPANY["email"], COMPANY["dpo"], "Datatilsynet",
                            "Carl Jacobsens Vej 35, 2500 Valby", "Hetzner Online GmbH",
                            "EU-U.S. Data Privacy Framework"])
            _has_all(text, [getattr(PURPOSES["marketing"], lang), getattr(PURPOSES["bookkeeping"], lang)])
            if lang == "da":
                _has_all(text, ["art. 15", "art. 16", "art. 17", "art. 18", "art. 20", "art. 21",
                                "art. 7, stk. 3", "Art. 6, stk. 1, litra f", "legitime interesse",
                                "Hvor oplysningerne kommer fra", "arbejdsgiver", "automatisk behandling",
                                "arkiveres efter 24 måneder", "klage"])
            else:
                _has_all(text, ["Art. 15", "Art. 16", "Art. 17", "Art. 18", "Art. 20", "Art. 21", "Art. 7(3)",
                                "Art. 6(1)(f)", "legitimate interest", "Where the data comes from", "employer",
                                "automated processing", "archived after 24 months", "complain"])


def test_the_staff_policy_and_processors_list(store):
    for lang, needles in (("da", ["Ét system, ingen sidelister", "CPR-numre", "3F", "72 timer",
                                  "Karen Dahl", "minicrm breach add", "15 minutters", "en måned"]),
                          ("en", ["One system, no side lists", "CPR numbers", "3F", "72 hours", "Karen Dahl",
                                  "minicrm breach add", "15 minutes", "one month"])):
        for text in _both("staff-policy", lang):
            _has_all(text, needles)
    for text in _both("processors", "en"):
        _has_all(text, ["Hetzner Online GmbH", "Tyskland", "no third-country transfer listed",
                        "Postværket Inc.", "USA: EU-U.S. Data Privacy Framework", "Skyhuset LLC (USA)",
                        "Revisionsfirmaet Tal ApS"])


HOSTILE = ('Evil <script>alert(1)</script> [click](javascript:alert(2)) ![x](http://x/y.png) '
           '# Heading *bold* `code` | cell | &amp; \x1b[2J \u202eevil\u202c')


def test_hostile_config_text_is_inert_in_markdown_and_html(store, settings):
    from markdown_it import MarkdownIt

    settings("company", name=HOSTILE, address="1. line\n# not a heading\n- not a list")
    settings("recipients", processors=["- <img src=x onerror=alert(3)> | [a](b) | > quote"])
    for kind in paperwork.KINDS:
        for lang in ("da", "en"):
            md = paperwork.render(kind, lang, "md", now=NOW)
            page = paperwork.render(kind, lang, "html", now=NOW)
            for out in (md, page):
                assert "\x1b" not in out and "\u202e" not in out and "\u202c" not in out
            assert "<script" not in page and "<img" not in page and "&lt;script&gt;" in page
            # the Markdown, rendered by a CommonMark renderer with raw HTML allowed, shows the text only
            rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
            assert "<script" not in rendered and "<img" not in rendered and "<a " not in rendered
            assert "<code>" not in rendered and "<strong>" not in rendered and "<em>" not in rendered
            assert "<blockquote>" not in rendered and "<ol" not in rendered
            assert rendered.count("<h1>") == 1  # the document's own title, nothing from the config
            assert "Evil &lt;script&gt;alert(1)&lt;/script&gt; [click](javascript:alert(2))" in rendered


def test_pdf_is_rendered_when_weasyprint_works(store):
    from needs import unavailable

    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        unavailable(f"WeasyPrint cannot load here ({type(exc).__name__}): the PDF test needs Pango")
    data = paperwork.render("ropa", "da", "pdf", now=NOW)
    assert data.startswith(b"%PDF-") and len(data) > 5000


def test_console_lists_the_same_kinds_and_formats():
    from console import docs

    assert docs.KINDS == paperwork.KINDS and docs.FORMATS == paperwork.FORMATS


def test_minicrm_docs_writes_each_document_from_a_child_process(closed_store, run_cli, tmp_path):
    out = tmp_path / "ropa.md"
    done = run_cli(closed_store, "docs", "ropa", "--lang", "da", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Fortegnelse over behandlingsaktiviteter" in out.read_text(encoding="utf-8")
    shown = run_cli(closed_store, "docs", "privacy-notice", "--lang", "en", "--format", "html")
    assert shown.returncode == 0 and "<h1>Privacy notice</h1>" in shown.stdout
    pdf = tmp_path / "dpa.pdf"
    made = run_cli(closed_store, "docs", "dpa", "--lang", "da", "--processor", "Hetzner Online GmbH",
                   "--format", "pdf", "--out", str(pdf))
    if made.returncode == 0:
        assert pdf.read_bytes().startswith(b"%PDF-")
    else:  # no Pango here: one line that says what to install (the PDF test above then says why)
        assert "libpango" in made.stderr and made.stderr.count("\n") == 1
    bad = run_cli(closed_store, "docs", "dpa", "--lang", "en", "--processor", "Nobody")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "recipients.processors" in bad.stderr
