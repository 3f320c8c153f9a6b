"""The Art. 15 report tells the truth: retention figures from the settings the retention jobs
apply, the recipients and transfers the settings name, every code in words, no import file names."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest


def published_text(purpose: str) -> int:
    """A published consent text to record consent under (staff pick one, never type one)."""
    from store import consent_texts
    from store.scope import Scope

    consent_texts.seed_defaults(Scope.console())
    return consent_texts.current_text(purpose, "da").id



@pytest.fixture
def settings(store):
    """settings(section, **values): change the open store's config as config.toml would."""
    from store import runtime

    values = runtime.current().config.values
    saved = {k: dict(v) for k, v in values.items()}

    def change(section: str, **new):
        values[section].update(new)

    yield change
    for k, v in saved.items():
        values[k].clear()
        values[k].update(v)


def _report(scopes, person_id: int, lang: str):
    from store.rights import export
    from store.rights.report import render_html, render_text

    data = export.collect_person(scopes["privacy"], person_id, language=lang)
    return render_text(data), render_html(data), data


def _flat(text: str) -> str:
    """The words of a report, table rules and line breaks gone (cells wrap over lines)."""
    return " ".join(re.sub(r"<[^>]+>|[│─┌┐└┘├┤┬┴┼]", " ", text).split())


def test_the_report_follows_changed_retention_and_recipient_settings(store, scopes, make_person, handled_by,
                                                                     settings):
    p = make_person()
    handled_by("privacy", p.id, "access")
    text, html, _ = _report(scopes, p.id, "da")
    flat = _flat(text)
    assert "24 måneder uden aktivitet" in flat and "31. december" in flat
    assert "Vi overfører ikke dine oplysninger til lande uden for EU/EØS." in flat
    assert "i 5 år kun det, der beviser" in flat

    settings("retention", inactive_archive_months=36, archived_erase_months=6, financial_year_end="06-30",
             consent_proof_years=3, erasure_proof_years=4)
    settings("recipients", processors=["Hetzner Online GmbH | drift af serveren | Tyskland"],
             others=["Revisionsfirmaet Tal ApS | revision | Danmark"],
             third_country_transfers=["Mailservice Inc. | USA | EU-U.S. Data Privacy Framework"])
    text, html, _ = _report(scopes, p.id, "da")
    for report in (text, html):
        flat = _flat(report)
        assert "36 måneder uden aktivitet og slettes 6 måneder senere" in flat
        assert "24 måneder" not in flat
        assert "30. juni" in flat and "31. december" not in flat
        assert "3 år efter tilbagetrækning" in flat
        assert "i 4 år kun det, der beviser" in flat
        assert "Hetzner Online GmbH" in flat and "databehandler" in flat and "Tyskland" in flat
        assert "Revisionsfirmaet Tal ApS" in flat
        assert "Mailservice Inc." in flat and "EU-U.S. Data Privacy Framework" in flat
        assert "Vi overfører ikke" not in flat
    english, _, _ = _report(scopes, p.id, "en")
    assert "archived after 36 months" in _flat(english) and "30 June" in _flat(english)


def test_the_retention_job_and_the_report_read_the_same_setting(store, scopes, make_person, handled_by,
                                                               settings):
    """The invoice purge deletes on the day the report's rule gives."""
    from store.retention import bookkeeping_retain_until, rules

    settings("retention", financial_year_end="03-31")
    assert rules().financial_year_end == (3, 31)
    assert bookkeeping_retain_until(dt.date(2026, 5, 1)) == dt.date(2032, 4, 1)
    p = make_person()
    handled_by("privacy", p.id, "access")
    text, _, _ = _report(scopes, p.id, "da")
    assert "31. marts" in _flat(text)


def _cells(text: str) -> set[str]:
    """Every table cell of the plain-text report."""
    return {cell.strip() for line in text.splitlines() if line.startswith("│") for cell in line.split("│")}


def test_the_danish_report_translates_every_code_it_prints(store, scopes, make_person, handled_by):
    from store import consent

    p = make_person()
    consent.record_consent(scopes["manager"], p.id, "events", method="in_person", given_on=dt.date.today(),
                           text_id=published_text("events"), evidence="Skrev under ved messen")
    handled_by("privacy", p.id, "access")
    text, _, data = _report(scopes, p.id, "da")
    assert data.one("contact")["lifecycle"] == "lead"
    cells = _cells(text)
    for raw in ("lead", "given", "in_person", "phone", "email", "newsletter", "events", "proposal", "call",
                "team", "private", "access", "open"):
        assert raw not in cells, raw
    for column, words in (("lifecycle", "mulig kunde"), ("method", "personligt"), ("status", "givet"),
                          ("kind", "indsigt"), ("stage", "tilbud givet"), ("purpose", "nyhedsbrev")):
        assert words in cells, column
    assert "consent.give" not in cells and "registrerede et samtykke" in cells


def test_every_vocabulary_has_words_in_both_languages():
    from store import consent, processing
    from store.rights.report_texts import CODES

    for column, codes in (("lifecycle", processing.LIFECYCLES), ("stage", processing.DEAL_STAGES),
                          ("category", processing.NOTE_CATEGORIES), ("visibility", processing.NOTE_VISIBILITY),
                          ("status", processing.CONSENT_STATUSES), ("method", processing.CONSENT_METHODS),
                          ("method", consent.WITHDRAW_METHODS), ("purpose", processing.CONSENT_PURPOSES),
                          ("channel", processing.CHANNELS), ("kind", processing.REQUEST_KINDS)):
        missing = set(codes) - set(CODES[column])
        assert not missing, f"{column}: {missing}"


def test_import_file_names_stay_out_of_the_bundle(store, scopes, make_person, handled_by):
    from store.models import ImportBatch
    from store.rights import export

    p = make_person()  # imported from "kunder.csv"
    handled_by("privacy", p.id, "access")
    data = export.collect_person(scopes["privacy"], p.id, language="da")
    imported = ImportBatch.get_by_id(p.batch_id).imported_at.date().isoformat()
    assert data.one("contact")["source"] == f"import {imported}"
    for name, content in export.bundle_files(data):
        assert b"kunder" not in content, name
    assert json.loads(export.to_json(data))["contact"]["source"] == f"import {imported}"
