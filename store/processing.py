"""What personal data MiniCRM processes, why, and for how long.

Every personal-data field in store/models/ points at one category, one purpose
and one retention rule defined here.  Exports, the record of processing and
the privacy notice read this module, so the paperwork follows the code.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    id: str
    en: str
    da: str


@dataclass(frozen=True)
class Purpose:
    id: str
    en: str
    da: str
    lawful_basis: str  # GDPR Art. 6(1) point


@dataclass(frozen=True)
class Retention:
    id: str
    en: str
    da: str


CATEGORIES = {c.id: c for c in [
    Category("identity", "Name and job title", "Navn og stilling"),
    Category("contact_details", "Contact details (email, phone, address)",
             "Kontaktoplysninger (e-mail, telefon, adresse)"),
    Category("professional", "Employer and business relationship", "Arbejdsgiver og forretningsforhold"),
    Category("commercial", "Deals and their value", "Handler og deres værdi"),
    Category("financial", "Invoices and payments", "Fakturaer og betalinger"),
    Category("communication", "Notes on conversations", "Noter om samtaler"),
    Category("consent", "Consents and their proof", "Samtykker og dokumentation for dem"),
    Category("provenance", "Where the data came from", "Hvor oplysningerne kom fra"),
    Category("account", "Staff user accounts and sign-ins", "Medarbejderes brugerkonti og log-ind"),
]}

PURPOSES = {p.id: p for p in [
    Purpose("customer_relationship", "Managing the customer relationship",
            "Pleje af kundeforholdet", "Art. 6(1)(b) contract / (f) legitimate interest"),
    Purpose("sales", "Sales and offers", "Salg og tilbud", "Art. 6(1)(f) legitimate interest"),
    Purpose("bookkeeping", "Bookkeeping required by law", "Bogføring efter loven",
            "Art. 6(1)(c) legal obligation (bogføringsloven)"),
    Purpose("marketing", "Newsletters and marketing by email", "Nyhedsbreve og markedsføring på e-mail",
            "Art. 6(1)(a) consent (markedsføringsloven § 10)"),
    Purpose("compliance", "Documenting compliance (consent proof, requests)",
            "Dokumentation af overholdelse (samtykker, anmodninger)", "Art. 6(1)(c) legal obligation"),
    Purpose("security", "Securing access to the system", "Sikring af adgang til systemet",
            "Art. 6(1)(f) legitimate interest / Art. 32"),
]}

RETENTION = {r.id: r for r in [
    Retention("relationship",
              "While the customer relationship lasts; archived after 24 months without activity, "
              "erased 12 months later",
              "Så længe kundeforholdet varer; arkiveres efter 24 måneder uden aktivitet og slettes 12 måneder senere"),
    Retention("bookkeeping_5y", "5 years from the end of the financial year (bogføringsloven § 10)",
              "5 år fra udgangen af regnskabsåret (bogføringsloven § 10)"),
    Retention("consent_proof", "While the consent is used, and 2 years after withdrawal as proof",
              "Så længe samtykket bruges, og 2 år efter tilbagetrækning som dokumentation"),
    Retention("opt_in_pending", "Until the sign-up is confirmed, or deleted when its link expires",
              "Indtil tilmeldingen er bekræftet, eller slettes når linket udløber"),
    Retention("account", "While the staff member has access, and 12 months after",
              "Så længe medarbejderen har adgang, og 12 måneder efter"),
]}

# Contact lifecycle and lawful-basis vocabularies (structured, not free text).
LIFECYCLES = ("lead", "prospect", "customer", "former")
LAWFUL_BASES = ("contract", "legitimate_interest", "consent")
DEAL_STAGES = ("new", "qualified", "proposal", "won", "lost")
NOTE_CATEGORIES = ("call", "meeting", "email", "offer", "complaint", "other")
NOTE_VISIBILITY = ("team", "private")
CONSENT_STATUSES = ("pending", "given", "withdrawn")
CONSENT_METHODS = ("web_double_opt_in", "phone", "paper", "in_person", "import")
CONSENT_PURPOSES = ("newsletter", "offers", "events")
CHANNELS = ("email", "sms", "phone", "post")
REQUEST_KINDS = ("access", "portability", "rectification", "erasure", "restriction", "objection")


@dataclass(frozen=True)
class PersonalData:
    category: str
    purpose: str
    retention: str

    def __post_init__(self):
        assert self.category in CATEGORIES, self.category
        assert self.purpose in PURPOSES, self.purpose
        assert self.retention in RETENTION, self.retention


# --- Art. 30(1)(g): the technical and organisational security measures ----------

@dataclass(frozen=True)
class Measure:
    id: str
    en: str
    da: str


SECURITY_MEASURES = {m.id: m for m in [
    Measure("encryption", "The register is encrypted at rest (SQLCipher, AES-256); the key file is readable "
            "by the service account only",
            "Registret er krypteret (SQLCipher, AES-256); nøglefilen kan kun læses af tjenestekontoen"),
    Measure("backups", "Encrypted online backups with a checksum and a manifest, kept daily, weekly and "
            "monthly; restore drills verify them (Art. 32(1)(c))",
            "Krypterede sikkerhedskopier med kontrolsum og manifest, gemt dagligt, ugentligt og månedligt; "
            "genskabelsesøvelser kontrollerer dem (art. 32, stk. 1, litra c)"),
    Measure("key_rotation", "The database key can be changed; secrets sealed under it are re-sealed",
            "Databasenøglen kan skiftes; hemmeligheder beskyttet af den forsegles igen"),
    Measure("audit", "A hash-chained audit trail of every view and change, naming people by id only",
            "En hash-kædet log over hver visning og ændring, der kun nævner personer ved id"),
    Measure("access", "Personal accounts with two-factor login, roles, lockout and automatic screen lock",
            "Personlige konti med totrinslogin, roller, spærring og automatisk skærmlås"),
]}


def backup_status() -> tuple[str, str]:
    """(English, Danish) line on the last verified backup, for the record of processing.

    Reads the open store's audit trail (`backup verify` and `backup drill` note each pass)."""
    from .backup import last_verified

    last = last_verified()
    if last is None:
        return ("No backup has been verified yet", "Ingen sikkerhedskopi er kontrolleret endnu")
    when = f"{last.verified_at:%Y-%m-%d %H:%M} UTC"
    if last.drill:
        return (f"Last verified backup: {last.file}, restored in a drill on {when}",
                f"Senest kontrollerede sikkerhedskopi: {last.file}, genskabt i en øvelse {when}")
    return (f"Last verified backup: {last.file}, verified on {when}",
            f"Senest kontrollerede sikkerhedskopi: {last.file}, kontrolleret {when}")
