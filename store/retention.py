"""How long data is kept: the [retention] settings, one place for the jobs and the report.

The retention jobs (store/hygiene.py, the invoice and erasure-proof purges) and
the Art. 15 report both call `rules()`, so what a person is told is what the jobs do: change
`retention.financial_year_end` and both the next invoice's deletion date and
the report's sentence about invoices follow.

Every figure here is read by every reader alike: the jobs (store/hygiene.py: archive, erase,
consent proof, invoices, erasure proof, export bundles after `export_bundle_days`, audit
rows after `audit_years`), the hygiene report, the Art. 15 report and the generated
documents.  A new reader takes `rules()`; it never reads the config section itself.

The Bookkeeping Act's 5 years (bogføringsloven § 10) is the law, not a setting.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .bilingual import Bilingual
from .errors import StoreError

BOOKKEEPING_YEARS = 5  # bogføringsloven § 10: from the end of the financial year


@dataclass(frozen=True)
class Rules:
    financial_year_end: tuple[int, int] = (12, 31)  # (month, day)
    inactive_archive_months: int = 24
    archived_erase_months: int = 12
    consent_proof_years: int = 2
    erasure_proof_years: int = 5
    export_bundle_days: int = 7   # a person's own copy, on disk until fetched (it holds all their data)
    audit_years: int = 5          # audit rows (ids and counts only) kept, then dropped with a checkpoint
    # Not a setting until a job deletes staff accounts (store/auth's lane): the figure the
    # record of processing states, kept here so it is stated once.
    staff_account_months: int = 12
    # `web.confirm_days`: how long a sign-up's confirmation link lives (store/optin.py stamps
    # each pending sign-up with it, and the hygiene job deletes it when it has passed).
    confirm_days: int = 7

    def year_end_text(self, lang: str) -> str:
        """"31. december" / "31 December"."""
        month, day = self.financial_year_end
        if lang == "da":
            return f"{day}. {_MONTHS_DA[month - 1]}"
        return f"{day} {_MONTHS_EN[month - 1]}"


_MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
              "oktober", "november", "december")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


def from_settings(values: dict, confirm_days: int | None = None) -> Rules:
    """Rules from a validated [retention] section (config.py has checked every value) and
    `web.confirm_days`."""
    month, day = (int(part) for part in values["financial_year_end"].split("-"))
    return Rules(financial_year_end=(month, day),
                 inactive_archive_months=values["inactive_archive_months"],
                 archived_erase_months=values["archived_erase_months"],
                 consent_proof_years=values["consent_proof_years"],
                 erasure_proof_years=values["erasure_proof_years"],
                 # settings newer than a caller's hand-made section fall back to their defaults
                 export_bundle_days=values.get("export_bundle_days", Rules.export_bundle_days),
                 audit_years=values.get("audit_years", Rules.audit_years),
                 confirm_days=Rules.confirm_days if confirm_days is None else confirm_days)


def rules() -> Rules:
    """The open store's rules; the defaults when no store is open (tools, tests of pure code)."""
    from .runtime import current

    try:
        values = current().config.values
        return from_settings(values["retention"], values.get("web", {}).get("confirm_days"))
    except (StoreError, KeyError):  # no store open, or a config without the section: the defaults
        from .config import SCHEMA

        return from_settings({key: setting.default for key, setting in SCHEMA["retention"].items()})


def financial_year_end(day: dt.date, rules_: Rules | None = None) -> dt.date:
    """The last day of the financial year `day` belongs to."""
    month, last = (rules_ or rules()).financial_year_end
    end = dt.date(day.year, month, last)
    return end if end >= day else dt.date(day.year + 1, month, last)


def bookkeeping_retain_until(issued_on: dt.date, rules_: Rules | None = None) -> dt.date:
    """The first day an invoice may be deleted: the day after its financial year's end + 5 years.

    2025-03-10, calendar year -> 2031-01-01; financial year ending 30 June -> 2030-07-01.
    """
    end = financial_year_end(issued_on, rules_)
    return dt.date(end.year + BOOKKEEPING_YEARS, end.month, end.day) + dt.timedelta(days=1)


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same time of day `months` calendar months earlier (the 31st becomes the month's last day)."""
    from .rights.requests import add_months

    return dt.datetime.combine(add_months(moment.date(), -months), moment.time())


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


# What each retention rule of processing.py says, filled in from the rules.
_TEXTS = {
    "relationship": Bilingual(
        da=("Så længe kundeforholdet varer; arkiveres efter {inactive_archive_months} måneder uden aktivitet "
            "og slettes {archived_erase_months} måneder senere"),
        en=("While the customer relationship lasts; archived after {inactive_archive_months} months without "
            "activity, erased {archived_erase_months} months later")),
    "bookkeeping_5y": Bilingual(
        da=("5 år fra udgangen af regnskabsåret, der slutter {year_end} (bogføringsloven § 10); "
            "derefter slettes fakturaen"),
        en=("5 years from the end of the financial year, which ends on {year_end} (the Danish Bookkeeping "
            "Act, bogføringsloven § 10); then the invoice is deleted")),
    "consent_proof": Bilingual(
        da="Så længe samtykket bruges, og {consent_proof_years} år efter tilbagetrækning som dokumentation",
        en="While the consent is used, and {consent_proof_years} years after withdrawal as proof"),
    "opt_in_pending": Bilingual(
        da="Indtil tilmeldingen er bekræftet, eller slettes når linket udløber efter {confirm_days} dage",
        en="Until the sign-up is confirmed, or deleted when its link expires after {confirm_days} days"),
    "account": Bilingual(
        da="Så længe medarbejderen har adgang, og {staff_account_months} måneder efter",
        en="While the staff member has access, and {staff_account_months} months after"),
}

ERASURE_PROOF = Bilingual(
    da=("Hvis dine oplysninger slettes, gemmer vi i {erasure_proof_years} år kun det, der beviser et "
        "tidligere samtykke og forhindrer, at du bliver oprettet igen: nøglebaserede hash-værdier af din "
        "e-mail og dit telefonnummer, datoer, samtykketekstens version og metoden; aldrig dit navn eller "
        "din adresse."),
    en=("If your data is erased, for {erasure_proof_years} years we keep only what proves an earlier "
        "consent and keeps you from being added again: keyed hashes of your e-mail and phone number, the "
        "dates, the consent text's version and the method; never your name or address."))


def describe(retention_id: str, lang: str, rules_: Rules | None = None) -> str:
    """A processing.py retention rule in words, with the figures the jobs use."""
    r = rules_ or rules()
    values = {"inactive_archive_months": r.inactive_archive_months,
              "archived_erase_months": r.archived_erase_months,
              "consent_proof_years": r.consent_proof_years, "staff_account_months": r.staff_account_months,
              "erasure_proof_years": r.erasure_proof_years, "year_end": r.year_end_text(lang),
              "confirm_days": r.confirm_days}
    return _TEXTS[retention_id].in_language(lang, **values)


def erasure_proof_text(lang: str, rules_: Rules | None = None) -> str:
    return ERASURE_PROOF.in_language(lang, erasure_proof_years=(rules_ or rules()).erasure_proof_years)


__all__ = ["Rules", "rules", "from_settings", "financial_year_end", "bookkeeping_retain_until", "describe",
           "erasure_proof_text", "add_years", "months_before", "BOOKKEEPING_YEARS"]
