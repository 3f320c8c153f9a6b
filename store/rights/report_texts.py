"""What the export report says, in Danish and English: every text a `Bilingual`.

report.py lays these out as text and HTML; nothing here is formatted or escaped.
Labels are keyed by the exported column, sources by the contact's source,
actions by the audit action, roles by the role name.
"""
from __future__ import annotations

from ..bilingual import Bilingual

DATATILSYNET = {
    "name": "Datatilsynet",
    "address": "Carl Jacobsens Vej 35, 2500 Valby",
    "email": "dt@datatilsynet.dk",
    "web": "www.datatilsynet.dk",
}


# Art. 6(1) legal bases in Danish legal style (processing.py holds the English).
LEGAL_BASIS_DA = {
    "customer_relationship": "Art. 6, stk. 1, litra b (aftale) / litra f (legitim interesse)",
    "sales": "Art. 6, stk. 1, litra f (legitim interesse)",
    "bookkeeping": "Art. 6, stk. 1, litra c (retlig forpligtelse efter bogføringsloven)",
    "marketing": "Art. 6, stk. 1, litra a (samtykke, markedsføringsloven § 10)",
    "compliance": "Art. 6, stk. 1, litra c (retlig forpligtelse)",
    "security": "Art. 6, stk. 1, litra f (legitim interesse) / art. 32",
}


T = {
    "title": Bilingual(
        da="Dine personoplysninger hos {controller}",
        en="Your personal data held by {controller}"),
    "intro": Bilingual(
        da=("Dette er en kopi af de personoplysninger, vi behandler om dig "
            "(databeskyttelsesforordningens art. 15), dannet {date} (UTC). De samme oplysninger "
            "findes i maskinlæsbar form i data.json og i CSV-filerne (art. 20). Din reference "
            "hos os er nummer {id}."),
        en=("This is a copy of the personal data we process about you (GDPR Art. 15), made "
            "{date} (UTC). The same data is in machine-readable form in data.json and the CSV "
            "files (Art. 20). Your reference with us is number {id}.")),
    "us": Bilingual("Dataansvarlig", "Controller"),
    "dpo": Bilingual("Databeskyttelsesrådgiver / kontakt", "Data protection contact"),
    "purposes": Bilingual("Formål og retsgrundlag", "Purposes and legal bases"),
    "purpose": Bilingual("Formål", "Purpose"),
    "basis": Bilingual("Retsgrundlag", "Legal basis"),
    "categories": Bilingual("Kategorier af oplysninger", "Categories of data"),
    "category": Bilingual("Kategori", "Category"),
    "recipients": Bilingual("Modtagere", "Recipients"),
    "recipients_text": Bilingual(
        da=("Medarbejdere hos {controller}, der har brug for oplysningerne i deres "
            "arbejde; adgangen er styret efter rolle (salg, økonomi, ledelse, "
            "databeskyttelse), og hver visning og ændring logges. Vores databehandlere "
            "(drift og hosting af systemet) efter databehandleraftaler (art. 28). "
            "Offentlige myndigheder, når loven kræver det, f.eks. Skattestyrelsen for "
            "så vidt angår regnskabsmateriale. Vi videregiver ikke dine oplysninger "
            "til andre til deres egne formål."),
        en=("Staff of {controller} who need the data for their work; access depends on "
            "their role (sales, finance, management, data protection) and every view "
            "and change is logged. Our processors (operation and hosting of the "
            "system) under data processing agreements (Art. 28). Public authorities "
            "where the law requires it, such as the Danish Tax Agency for accounting "
            "records. We do not disclose your data to others for their own purposes.")),
    "retention": Bilingual("Hvor længe vi gemmer oplysningerne", "How long we keep the data"),
    "period": Bilingual("Opbevaringsperiode", "Retention period"),
    "source": Bilingual("Hvor oplysningerne kommer fra", "Where the data came from"),
    "basis_of_record": Bilingual(
        da="Retsgrundlag for registreringen: {basis}.",
        en="Legal basis for holding your record: {basis}."),
    "automated": Bilingual("Automatiske afgørelser", "Automated decisions"),
    "automated_text": Bilingual(
        da=("Vi træffer ingen automatiske afgørelser om dig, og vi laver ikke "
            "profilering (art. 22)."),
        en="We make no automated decisions about you and do no profiling (Art. 22)."),
    "rights": Bilingual("Dine rettigheder", "Your rights"),
    "complain": Bilingual("Klage", "Complaints"),
    "complain_text": Bilingual(
        da="Du kan klage over vores behandling af dine oplysninger til Datatilsynet:",
        en=("You can complain about how we process your data to the Danish Data "
            "Protection Agency (Datatilsynet):")),
    "data": Bilingual("Oplysningerne", "The data"),
    "none": Bilingual("(ingen)", "(none)"),
    "history": Bilingual("Hvem har set eller ændret dine oplysninger", "Who viewed or changed your data"),
    "history_note": Bilingual("Medarbejdere vises med deres rolle.", "Staff are shown by their role."),
    "files": Bilingual("Om filerne", "About the files"),
    "files_text": Bilingual(
        da=("data.json indeholder alle oplysninger uændret. I CSV-filerne (UTF-8) står der "
            "en apostrof foran tekst, der begynder med = + - eller @, så regneark ikke "
            "kører den som en formel; et telefonnummer står derfor som '+4512345678."),
        en=("data.json holds every value unchanged. In the CSV files (UTF-8), text starting "
            "with = + - or @ has an apostrophe in front, so spreadsheets do not run it as a "
            "formula; a phone number therefore reads '+4512345678.")),
}


# The data subject's rights, one line each (Art. 13-22), in the report's order.
RIGHTS = (
    Bilingual(
        da="Indsigt i oplysningerne (art. 15) - denne rapport.",
        en="Access to the data (Art. 15) - this report."),
    Bilingual(
        da="At få urigtige oplysninger rettet (art. 16).",
        en="To have inaccurate data corrected (Art. 16)."),
    Bilingual(
        da=("At få oplysningerne slettet (art. 17); regnskabsmateriale skal vi dog gemme i 5 år efter "
            "bogføringsloven."),
        en=("To have the data erased (Art. 17); accounting records must however be kept for 5 years under "
            "the Danish Bookkeeping Act.")),
    Bilingual("At få behandlingen begrænset (art. 18).", "To have processing restricted (Art. 18)."),
    Bilingual(
        da="At få oplysninger, du selv har givet os, i et maskinlæsbart format (art. 20).",
        en="To receive data you gave us in a machine-readable format (Art. 20)."),
    Bilingual(
        da=("At gøre indsigelse mod behandling, der bygger på legitim interesse, og altid mod direkte "
            "markedsføring (art. 21)."),
        en=("To object to processing based on legitimate interest, and always to direct marketing (Art. "
            "21).")),
    Bilingual(
        da=("At trække et samtykke tilbage når som helst, uden at det påvirker lovligheden af "
            "behandlingen før tilbagetrækningen (art. 7, stk. 3)."),
        en=("To withdraw a consent at any time, without affecting the lawfulness of processing before the "
            "withdrawal (Art. 7(3)).")),
    Bilingual(
        da="Vi svarer senest en måned efter, vi har modtaget din anmodning (art. 12, stk. 3).",
        en="We answer within one month of receiving your request (Art. 12(3))."),
)


SECTION_TITLES = {
    "contact": Bilingual("Kontaktoplysninger", "Contact details"),
    "emails": Bilingual("Dine e-mailadresser", "Your email addresses"),
    "phones": Bilingual("Dine telefonnumre", "Your phone numbers"),
    "company": Bilingual("Virksomhed", "Company"),
    "import_sources": Bilingual("Importer", "Imports"),
    "import_changes": Bilingual("Ændringer ved import", "Changes made by imports"),
    "tags": Bilingual("Mærker", "Tags"),
    "deals": Bilingual("Handler", "Deals"),
    "invoices": Bilingual("Fakturaer", "Invoices"),
    "notes": Bilingual("Noter", "Notes"),
    "follow_ups": Bilingual("Planlagte opfølgninger", "Planned follow-ups"),
    "consents": Bilingual("Samtykker", "Consents"),
    "consent_events": Bilingual("Samtykkehistorik og dokumentation", "Consent history and evidence"),
    "campaigns": Bilingual("Udsendelser du har fået", "Campaigns sent to you"),
    "pending_sign_ups": Bilingual("Tilmeldinger der venter på bekræftelse", "Sign-ups waiting for confirmation"),
    "requests": Bilingual("Dine anmodninger", "Your requests"),
}


LABELS = {
    "id": Bilingual("Nr.", "No."),
    "first_name": Bilingual("Fornavn", "First name"),
    "last_name": Bilingual("Efternavn", "Last name"),
    "title": Bilingual("Titel", "Title"),
    "email": Bilingual("E-mail", "Email"),
    "phone": Bilingual("Telefon", "Phone"),
    "company": Bilingual("Virksomhed nr.", "Company no."),
    "source": Bilingual("Kilde", "Source"),
    "import_batch": Bilingual("Import nr.", "Import no."),
    "lawful_basis": Bilingual("Retsgrundlag", "Legal basis"),
    "created_at": Bilingual("Oprettet", "Created"),
    "updated_at": Bilingual("Ændret", "Updated"),
    "last_activity_at": Bilingual("Seneste aktivitet", "Last activity"),
    "lifecycle": Bilingual("Status", "Stage"),
    "archived_at": Bilingual("Arkiveret", "Archived"),
    "restricted_at": Bilingual("Begrænset", "Restricted"),
    "name": Bilingual("Navn", "Name"),
    "address": Bilingual("Adresse", "Address"),
    "postcode": Bilingual("Postnr.", "Postcode"),
    "city": Bilingual("By", "City"),
    "country": Bilingual("Land", "Country"),
    "label": Bilingual("Slags", "Kind"),
    "email_label": Bilingual("E-mail, slags", "Email, kind"),
    "phone_label": Bilingual("Telefon, slags", "Phone, kind"),
    "position": Bilingual("Rækkefølge", "Order"),
    "cvr": Bilingual("CVR", "CVR"),
    "imported_at": Bilingual("Importeret", "Imported"),
    "tag": Bilingual("Mærke", "Tag"),
    "amount_minor": Bilingual("Beløb", "Amount"),
    "currency": Bilingual("Valuta", "Currency"),
    "stage": Bilingual("Fase", "Stage"),
    "number": Bilingual("Fakturanr.", "Invoice no."),
    "issued_on": Bilingual("Udstedt", "Issued"),
    "due_on": Bilingual("Forfald", "Due"),
    "paid_on": Bilingual("Betalt", "Paid"),
    "billing_name": Bilingual("Faktureret til", "Billed to"),
    "billing_address": Bilingual("Faktureringsadresse", "Billing address"),
    "billing_email": Bilingual("Fakturerings-e-mail", "Billing email"),
    "billing_cvr": Bilingual("CVR", "CVR"),
    "retain_until": Bilingual("Gemmes til", "Kept until"),
    "retained_after_erasure": Bilingual("Gemt efter sletning", "Kept after erasure"),
    "category": Bilingual("Type", "Type"),
    "body": Bilingual("Tekst", "Text"),
    "visibility": Bilingual("Synlighed", "Visibility"),
    "author_role": Bilingual("Skrevet af", "Written by"),
    "deal": Bilingual("Handel nr.", "Deal no."),
    "done_at": Bilingual("Udført", "Done"),
    "owner_role": Bilingual("Ansvarlig", "Responsible"),
    "purpose": Bilingual("Formål", "Purpose"),
    "channel": Bilingual("Kanal", "Channel"),
    "status": Bilingual("Status", "Status"),
    "given_at": Bilingual("Givet", "Given"),
    "withdrawn_at": Bilingual("Trukket tilbage", "Withdrawn"),
    "method": Bilingual("Metode", "Method"),
    "text_version": Bilingual("Tekstversion", "Text version"),
    "text": Bilingual("Samtykketekst nr.", "Consent text no."),
    "proof_missing": Bilingual("Bevis mangler", "Proof missing"),
    "campaign": Bilingual("Udsendelse nr.", "Campaign no."),
    "state": Bilingual("Status", "State"),
    "requested_at": Bilingual("Bedt om", "Requested"),
    "expires_at": Bilingual("Linket udløber", "Link expires"),
    "ip": Bilingual("IP-adresse", "IP address"),
    "user_agent": Bilingual("Browser", "Browser"),
    "consent": Bilingual("Samtykke nr.", "Consent no."),
    "at": Bilingual("Tidspunkt", "When"),
    "event": Bilingual("Hændelse", "Event"),
    "evidence": Bilingual("Dokumentation", "Evidence"),
    "actor_role": Bilingual("Registreret af", "Recorded by"),
    "kind": Bilingual("Type", "Kind"),
    "received_on": Bilingual("Modtaget", "Received"),
    "extension_reason": Bilingual("Begrundelse for forlængelse", "Reason for extension"),
    "closed_at": Bilingual("Afsluttet", "Closed"),
    "action": Bilingual("Handling", "Action"),
    "by_role": Bilingual("Af", "By"),
    "fields": Bilingual("Felter", "Fields"),
    "old_values": Bilingual("Tidligere værdier", "Earlier values"),
    "batch": Bilingual("Import nr.", "Import no."),
    "version_after": Bilingual("Version", "Version"),
}


ROLE_NAMES = {
    "admin": Bilingual("administrator", "administrator"),
    "manager": Bilingual("leder", "manager"),
    "sales": Bilingual("salg", "sales"),
    "finance": Bilingual("økonomi", "finance"),
    "privacy": Bilingual("databeskyttelse", "data protection"),
    "system": Bilingual("systemet", "the system"),
    "": Bilingual("(ukendt)", "(unknown)"),
}


ACTIONS = {
    "contact.view": Bilingual("så oplysningerne", "viewed the record"),
    "contact.create": Bilingual("oprettede posten", "created the record"),
    "contact.edit": Bilingual("ændrede", "changed"),
    "contact.tags": Bilingual("ændrede mærker", "changed tags"),
    "contact.archive": Bilingual("arkiverede posten", "archived the record"),
    "contact.unarchive": Bilingual("genåbnede posten", "unarchived the record"),
    "contact.reassign": Bilingual("skiftede ansvarlig", "changed the responsible person"),
    "person.export": Bilingual("udleverede en kopi", "made a copy for you"),
    "person.restrict": Bilingual("begrænsede behandlingen", "restricted processing"),
    "person.restrict_lift": Bilingual("ophævede begrænsningen", "lifted the restriction"),
    "request.add": Bilingual("registrerede din anmodning", "registered your request"),
    "request.extend": Bilingual("forlængede svarfristen", "extended the deadline"),
    "request.assign": Bilingual("tildelte din anmodning", "assigned your request"),
    "request.close": Bilingual("afsluttede din anmodning", "closed your request"),
    "access.denied": Bilingual(
        da="forsøgte at se posten uden adgang",
        en="tried to view the record without access"),
}


SOURCES = {
    "manual": Bilingual(
        da="registreret af vores medarbejdere, f.eks. efter en samtale eller en e-mail med dig",
        en="entered by our staff, for example after a conversation or an email with you"),
    "web_form": Bilingual("givet af dig selv via vores webformular", "given by you through our web form"),
    "web": Bilingual("givet af dig selv via vores webformular", "given by you through our web form"),
    "import": Bilingual(
        da="importeret fra en kontaktliste (fil), se afsnittet Importer",
        en="imported from a contact list (file), see the Imports section"),
    "demo": Bilingual("demonstrationsdata", "demonstration data"),
}


LAWFUL_BASES = {
    "contract": Bilingual(
        da="aftale med dig eller din virksomhed (art. 6, stk. 1, litra b)",
        en="a contract with you or your company (Art. 6(1)(b))"),
    "legitimate_interest": Bilingual(
        da="vores legitime interesse i kundeforholdet (art. 6, stk. 1, litra f)",
        en="our legitimate interest in the customer relationship (Art. 6(1)(f))"),
    "consent": Bilingual("dit samtykke (art. 6, stk. 1, litra a)", "your consent (Art. 6(1)(a))"),
}


YES_NO = (Bilingual("ja", "yes"), Bilingual("nej", "no"))
US = Bilingual("os", "us")  # the controller when the configuration names none
IMPORTED = Bilingual("Importeret", "Imported")


# Every code a report prints, in words (a test checks each vocabulary of processing.py and
# consent.py is covered, so the Danish report never shows `lead`, `given` or `in_person`).
CODES = {
    "label": {  # an e-mail's or phone's label (contact_points.LABELS)
        "work": Bilingual("arbejde", "work"),
        "private": Bilingual("privat", "private"),
        "mobile": Bilingual("mobil", "mobile"),
        "other": Bilingual("anden", "other"),
    },
    "lifecycle": {
        "lead": Bilingual("mulig kunde", "lead"),
        "prospect": Bilingual("interesseret", "prospect"),
        "customer": Bilingual("kunde", "customer"),
        "former": Bilingual("tidligere kunde", "former customer"),
    },
    "stage": {
        "new": Bilingual("ny", "new"),
        "qualified": Bilingual("kvalificeret", "qualified"),
        "proposal": Bilingual("tilbud givet", "proposal"),
        "won": Bilingual("vundet", "won"),
        "lost": Bilingual("tabt", "lost"),
    },
    "category": {
        "call": Bilingual("opkald", "call"),
        "meeting": Bilingual("møde", "meeting"),
        "email": Bilingual("e-mail", "email"),
        "offer": Bilingual("tilbud", "offer"),
        "complaint": Bilingual("klage", "complaint"),
        "other": Bilingual("andet", "other"),
    },
    "visibility": {
        "team": Bilingual("kollegerne", "the team"),
        "private": Bilingual("kun forfatteren", "the author only"),
    },
    # consents (pending/given/withdrawn) and requests (open, then their outcome) share the column
    "status": {
        "pending": Bilingual("afventer bekræftelse", "awaiting confirmation"),
        "given": Bilingual("givet", "given"),
        "withdrawn": Bilingual("trukket tilbage", "withdrawn"),
        "open": Bilingual("åben", "open"),
        "completed": Bilingual("gennemført", "completed"),
        "refused": Bilingual("afvist", "refused"),
    },
    "event": {
        "requested": Bilingual("anmodet", "requested"),
        "given": Bilingual("givet", "given"),
        "withdrawn": Bilingual("trukket tilbage", "withdrawn"),
        "confirmed": Bilingual("bekræftet", "confirmed"),
    },
    "method": {
        "web_double_opt_in": Bilingual("webformular med bekræftelse via e-mail",
                                       "web form confirmed by email"),
        "phone": Bilingual("telefon", "phone"),
        "paper": Bilingual("papir", "paper"),
        "in_person": Bilingual("personligt", "in person"),
        "import": Bilingual("import", "import"),
        "email": Bilingual("e-mail", "email"),
        "web_unsubscribe": Bilingual("afmeldingslink", "unsubscribe link"),
    },
    "purpose": {
        "newsletter": Bilingual("nyhedsbrev", "newsletter"),
        "offers": Bilingual("tilbud", "offers"),
        "events": Bilingual("arrangementer", "events"),
    },
    "channel": {
        "email": Bilingual("e-mail", "email"),
        "sms": Bilingual("sms", "text message"),
        "phone": Bilingual("telefon", "phone"),
        "post": Bilingual("post", "post"),
    },
    "kind": {
        "access": Bilingual("indsigt", "access"),
        "portability": Bilingual("dataportabilitet", "portability"),
        "rectification": Bilingual("berigtigelse", "rectification"),
        "erasure": Bilingual("sletning", "erasure"),
        "restriction": Bilingual("begrænsning", "restriction"),
        "objection": Bilingual("indsigelse", "objection"),
    },
    "source": {
        "manual": Bilingual("registreret af medarbejder", "entered by staff"),
        "web_form": Bilingual("webformular", "web form"),
        "web": Bilingual("webformular", "web form"),
        "import": Bilingual("import", "import"),
        "demo": Bilingual("demonstrationsdata", "demonstration data"),
    },
}


# The Art. 15(1)(c) recipients and (2) transfers the configuration names ([recipients]).
RECIPIENT_TEXTS = {
    "named": Bilingual("Modtagere vi bruger", "Recipients we use"),
    "processor": Bilingual("databehandler", "processor"),
    "other": Bilingual("anden modtager", "other recipient"),
    "name": Bilingual("Navn", "Name"),
    "role": Bilingual("Opgave", "Role"),
    "country": Bilingual("Land", "Country"),
    "type": Bilingual("Type", "Type"),
    "transfers": Bilingual("Overførsel til lande uden for EU/EØS", "Transfers outside the EU/EEA"),
    "safeguard": Bilingual("Garanti (art. 46)", "Safeguard (Art. 46)"),
    "no_transfers": Bilingual(
        da="Vi overfører ikke dine oplysninger til lande uden for EU/EØS.",
        en="We do not transfer your data to countries outside the EU/EEA."),
    "erasure_proof": Bilingual("Efter en sletning", "After an erasure"),
}

MORE_ACTIONS = {
    "note.add": Bilingual("tilføjede en note", "added a note"),
    "duplicate.resolve": Bilingual("afgjorde, at posten ikke er en dublet", "decided the record is no duplicate"),
    "deal.create": Bilingual("oprettede en handel", "created a deal"),
    "deal.stage": Bilingual("ændrede en handels fase", "changed a deal's stage"),
    "consent.give": Bilingual("registrerede et samtykke", "recorded a consent"),
    "consent.withdraw": Bilingual("registrerede tilbagetrækning af et samtykke", "recorded a withdrawal of consent"),
    "text.special_allowed": Bilingual("gemte tekst med mulige følsomme oplysninger efter bekræftelse",
                                      "saved text that may hold sensitive data, after confirming"),
    "import.run": Bilingual("importerede", "imported"),
    "import.undo": Bilingual("fortrød en import", "undid an import"),
}
ACTIONS.update(MORE_ACTIONS)

# the primary e-mail's and phone's labels read like the others'
CODES["email_label"] = CODES["phone_label"] = CODES["label"]
