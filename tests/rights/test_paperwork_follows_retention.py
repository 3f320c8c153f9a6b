"""One source for retention: a changed `[retention]` setting changes the generated documents and the
Art. 15 export report together (the retention jobs' side: tests/rights/test_hygiene.py)."""
from __future__ import annotations

import re

import pytest


@pytest.fixture
def settings(store):
    from store import runtime

    values = runtime.current().config.values
    saved = {k: dict(v) for k, v in values.items()}

    def change(section: str, **new):
        values[section].update(new)

    yield change
    for k, v in saved.items():
        values[k].clear()
        values[k].update(v)


def _words(text: str) -> str:
    text = re.sub(r"<[^>]+>|[│─┌┐└┘├┤┬┴┼|]", " ", text)
    return " ".join(re.sub(r"\\(.)", r"\1", text).split())


def _everything(scopes, person_id: int, lang: str) -> dict[str, str]:
    from store import paperwork
    from store.rights import export
    from store.rights.report import render_html, render_text

    data = export.collect_person(scopes["privacy"], person_id, language=lang)
    out = {"report.txt": render_text(data), "report.html": render_html(data)}
    for kind in ("ropa", "privacy-notice", "staff-policy"):
        for fmt in ("md", "html"):
            out[f"{kind}.{fmt}"] = paperwork.render(kind, lang, fmt)
    return {name: _words(text) for name, text in out.items()}


def test_a_retention_setting_changes_the_documents_and_the_export_report_together(
        store, scopes, make_person, handled_by, settings):
    p = make_person()
    handled_by("privacy", p.id, "access")
    for name, text in _everything(scopes, p.id, "da").items():
        assert "arkiveres efter 24 måneder uden aktivitet og slettes 12 måneder senere" in text, name
        assert "31. december" in text and "2 år efter tilbagetrækning" in text, name

    settings("retention", inactive_archive_months=36, archived_erase_months=6, financial_year_end="06-30",
             consent_proof_years=3, erasure_proof_years=4)
    for lang, now, before, year_end, proof in (
            ("da", "arkiveres efter 36 måneder uden aktivitet og slettes 6 måneder senere", "24 måneder",
             "30. juni", "i 4 år kun det"),  # "gemmer vi i 4 år kun det" (to the person), "gemmes i 4 år ..."
            ("en", "archived after 36 months without activity, erased 6 months later", "24 months",
             "30 June", "for 4 years")):
        for name, text in _everything(scopes, p.id, lang).items():
            assert now in text and before not in text, (lang, name)
            assert year_end in text and proof in text, (lang, name)


def test_the_sign_up_link_lifetime_is_stated_with_its_number(store, settings):
    """`web.confirm_days` (what optin stamps on each sign-up and the hygiene job expires) is the figure
    the record of processing gives for unconfirmed sign-ups, not the setting's name."""
    from store import paperwork

    settings("web", confirm_days=3)
    for lang, words in (("da", "udløber efter 3 dage"), ("en", "expires after 3 days")):
        text = _words(paperwork.render("ropa", lang, "md"))
        assert words in text and "confirm_days" not in text, lang
