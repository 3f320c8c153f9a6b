"""The words of the generated documents, Danish and English (`Bilingual`: both, always).

Figures are never written here: `{placeholders}` are filled from the config, the field
metadata and the running system (facts.py), so the documents say what the system does.
"""
from __future__ import annotations

from ..bilingual import Bilingual as B

TITLES = {
    "ropa": B("Fortegnelse over behandlingsaktiviteter (art. 30, stk. 1)",
              "Record of processing activities (Art. 30(1))"),
    "privacy-notice": B("Privatlivspolitik", "Privacy notice"),
    "dpa": B("Databehandleraftale (art. 28, stk. 3)", "Data processing agreement (Art. 28(3))"),
    "staff-policy": B("Regler for medarbejdere: persondata i kunderegistret",
                      "Staff policy: personal data in the customer register"),
    "processors": B("Databehandlere og underdatabehandlere", "Processors and sub-processors"),
}

COMMON = {
    "generated": B("Dannet {date} UTC af MiniCRM ud fra konfigurationen {path} (indstillingernes SHA-256: {digest}).",
                   "Generated {date} UTC by MiniCRM from the configuration {path} (SHA-256 of the settings: "
                   "{digest})."),
    "controller": B("Dataansvarlig", "Controller"),
    "unnamed": B("(virksomhedens navn er ikke angivet: company.name)", "(company name not set: company.name)"),
    "cvr": B("CVR-nr.", "CVR no."),
    "address": B("Adresse", "Address"),
    "email": B("E-mail", "E-mail"),
    "dpo": B("Databeskyttelsesrådgiver (DPO)", "Data protection officer (DPO)"),
    "no_dpo": B("Der er ikke udpeget en databeskyttelsesrådgiver; henvendelser om persondata går til {email}.",
                "No data protection officer has been designated; questions about personal data go to {email}."),
    "not_set": B("(ikke angivet)", "(not set)"),
    "purpose": B("Formål", "Purpose"), "basis": B("Retsgrundlag", "Legal basis"),
    "categories": B("Kategorier af oplysninger", "Categories of data"),
    "category": B("Kategori", "Category"), "fields": B("Felter i systemet", "Fields in the system"),
    "period": B("Opbevaringsperiode og sletning", "Retention and erasure"),
    "name": B("Navn", "Name"), "role": B("Opgave", "Role"), "country": B("Land", "Country"),
    "type": B("Type", "Type"), "safeguard": B("Garanti (art. 44-49)", "Safeguard (Art. 44-49)"),
    "processor": B("databehandler", "processor"), "sub_processor": B("underdatabehandler", "sub-processor"),
    "other": B("anden modtager", "other recipient"),
    "works_for": B("Arbejder for", "Works for"),
    "staff": B("vores egne medarbejdere", "our own staff"),
    "staff_role": B("efter deres rolle i systemet", "according to their role in the system"),
    "no_transfers": B("Ingen: der overføres ikke personoplysninger til lande uden for EU/EØS.",
                      "None: no personal data is transferred to countries outside the EU/EEA."),
    "no_transfer_listed": B("ingen overførsel til tredjeland angivet", "no third-country transfer listed"),
    "measure": B("Foranstaltning", "Measure"), "in_force": B("I kraft nu (aflæst i systemet)",
                                                              "In force now (read from the system)"),
    "none": B("Ingen.", "None."),
    "lists": B("lister", "lists"),
    "erasure_proof": B("Efter en sletning gemmes i {years} år kun det, der beviser et tidligere samtykke og "
                       "forhindrer, at personen oprettes igen: nøglebaserede hash-værdier af e-mail og telefon, "
                       "datoer, samtykketekstens version og metoden; aldrig navn eller adresse.",
                       "After an erasure, for {years} years only what proves an earlier consent and keeps the person "
                       "from being added again is kept: keyed hashes of e-mail and phone, the dates, the consent "
                       "text's version and the method; never the name or address."),
}

# Field names the Art. 15 report never shows (staff accounts), beside its LABELS.
FIELD_LABELS = {
    "username": B("Brugernavn", "User name"), "last_login_at": B("Seneste login", "Last login"),
    "source_addr": B("Adresse ved login", "Sign-in address"), "comment": B("Nøglens kommentar", "Key comment"),
    "last_used_at": B("Senest brugt", "Last used"), "old_values": B("Tidligere værdier", "Earlier values"),
}

# Who the data is about: derived from each field's category and retention (facts.py).
SUBJECTS = {
    "customers": B("Kunder, mulige kunder og kontaktpersoner hos kunder og leverandører",
                   "Customers, prospects and contact persons at customers and suppliers"),
    "signups": B("Personer, der tilmelder sig nyhedsbreve via vores formular",
                 "People who sign up for newsletters through our form"),
    "staff": B("Vores medarbejdere, der bruger systemet", "Our staff who use the system"),
}

ROPA = {
    "intro": B("Denne fortegnelse dannes af systemet selv: kategorierne kommer fra datamodellens felter, "
               "opbevaringsperioderne er de samme tal, som sletteopgaverne bruger, og sikkerhedsforanstaltningerne "
               "er aflæst i den kørende installation.",
               "This record is generated by the system itself: the categories come from the data model's fields, "
               "the retention periods are the figures the erasure jobs use, and the security measures are read "
               "from the running installation."),
    "a": B("a) Den dataansvarlige og databeskyttelsesrådgiveren", "(a) The controller and the data protection officer"),
    "b": B("b) Formålene med behandlingen", "(b) The purposes of the processing"),
    "c_subjects": B("c) Kategorier af registrerede", "(c) Categories of data subjects"),
    "c_data": B("c) Kategorier af personoplysninger", "(c) Categories of personal data"),
    "d": B("d) Kategorier af modtagere", "(d) Categories of recipients"),
    "e": B("e) Overførsler til tredjelande", "(e) Transfers to third countries"),
    "f": B("f) Tidsfrister for sletning", "(f) Time limits for erasure"),
    "f_invoice": B("Eksempel: en faktura udstedt {today} må slettes fra {until}; sletteopgaven gør det den dag.",
                   "Example: an invoice issued on {today} may be deleted from {until}; the erasure job does it "
                   "that day."),
    "g": B("g) Tekniske og organisatoriske sikkerhedsforanstaltninger (art. 32, stk. 1)",
           "(g) Technical and organisational security measures (Art. 32(1))"),
    "no_special": B("Der behandles ikke følsomme oplysninger (art. 9) eller CPR-numre; systemet advarer mod dem i "
                    "fritekst.",
                    "No special categories of data (Art. 9) or CPR numbers are processed; the system warns against "
                    "them in free text."),
}

# Art. 32 measures, each with the live status line measures.py reads.
MEASURES = {
    "encryption": B("Kryptering af registret", "Encryption at rest"),
    "encryption_on": B("SQLCipher {version}: hele databasefilen og dens WAL-log er krypteret ({cipher}, "
                       "sidestørrelse {page_size}, HMAC {hmac}); midlertidige data kun i hukommelsen ({temp}); "
                       "slettet indhold overskrives ({secure_delete}); nøglefilen har rettighederne {key_mode}.",
                       "SQLCipher {version}: the whole database file and its WAL are encrypted ({cipher}, page size "
                       "{page_size}, HMAC {hmac}); temporary data in memory only ({temp}); deleted content is "
                       "overwritten ({secure_delete}); the key file's permissions are {key_mode}."),
    "encryption_off": B("ADVARSEL: databasen er ikke krypteret.", "WARNING: the database is not encrypted."),
    "access": B("Adgangskontrol og totrinslogin", "Access control and two-factor login"),
    "access_on": B("Totrinslogin (TOTP) er obligatorisk for alle konti og kan ikke slås fra; {enrolled} af {active} "
                   "aktive konti har det sat op, resten sætter det op ved første login. Adgangskoder på mindst "
                   "{min_length} tegn; kontoen spærres efter {lockout} fejl i {lockout_minutes} minutter; skærmen "
                   "låses efter {idle} minutters inaktivitet; nyt login efter {session} timer. {roles} roller "
                   "afgrænser, hvad hver medarbejder ser.",
                   "Two-factor login (TOTP) is mandatory for every account and cannot be turned off; {enrolled} of "
                   "{active} active accounts have set it up, the rest do at their first login. Passwords of at least "
                   "{min_length} characters; an account locks after {lockout} failures for {lockout_minutes} "
                   "minutes; the screen locks after {idle} minutes idle; a new login after {session} hours. "
                   "{roles} roles limit what each staff member sees."),
    "audit": B("Logning", "Audit trail"),
    "audit_ok": B("Hash-kædet log over visninger og ændringer, der kun nævner personer ved id: {rows} rækker, "
                  "kæden er kontrolleret og hel.",
                  "A hash-chained log of views and changes naming people by id only: {rows} rows, the chain was "
                  "checked and is intact."),
    "audit_broken": B("ADVARSEL: logkæden er brudt ved række {row}.",
                      "WARNING: the audit chain is broken at row {row}."),
    "backups": B("Sikkerhedskopier", "Backups"),
    "backups_kept": B("Krypterede sikkerhedskopier under databasenøglen, med kontrolsum og manifest; der gemmes "
                      "{daily} daglige, {weekly} ugentlige og {monthly} månedlige. {status}.",
                      "Encrypted backups under the database key, with a checksum and a manifest; {daily} daily, "
                      "{weekly} weekly and {monthly} monthly are kept. {status}."),
    "key_rotation": B("Nøgleskift", "Key rotation"),
    "organisational": B("Organisatoriske foranstaltninger", "Organisational measures"),
    "organisational_text": B("Regler for medarbejdere (ét system, ingen sidelister, ingen følsomme oplysninger i "
                             "noter); adgangsgennemgang, senest {review}; brudregister med 72-timersfristen.",
                             "A staff policy (one system, no side lists, no sensitive data in notes); access reviews, "
                             "the last one {review}; a breach register with the 72-hour deadline."),
    "never": B("aldrig", "never"),
}

NOTICE: dict[str, B] = {
    "intro": B("Her kan du læse, hvordan {controller} behandler personoplysninger om kunder, kontaktpersoner og "
               "personer, der tilmelder sig vores nyhedsbreve (databeskyttelsesforordningen art. 13 og 14).",
               "This notice tells how {controller} processes personal data about customers, contact persons and "
               "people who sign up for our newsletters (General Data Protection Regulation Art. 13 and 14)."),
    "who": B("Hvem er dataansvarlig", "Who is the controller"),
    "what": B("Hvilke oplysninger, hvorfor og på hvilket grundlag", "What data, why, and on which legal basis"),
    "interest": B("Vores legitime interesse er at kunne pleje vores kundeforhold og tilbyde vores varer og ydelser "
                  "til virksomheder, vi har eller ønsker en forretningsforbindelse med (art. 6, stk. 1, litra f).",
                  "Our legitimate interest is to manage our customer relationships and offer our goods and services "
                  "to businesses we have or seek a business relationship with (Art. 6(1)(f))."),
    "source": B("Hvor oplysningerne kommer fra", "Where the data comes from"),
    "required": B("Du har ikke pligt til at give os oplysninger; uden navn og adresse kan vi dog ikke udstede en "
                  "faktura, og bogføringsloven kræver, at vi gemmer den.",
                  "You are under no obligation to give us data; without a name and address we cannot issue an "
                  "invoice, however, and the Bookkeeping Act requires us to keep it."),
    "recipients": B("Hvem modtager oplysningerne", "Who receives the data"),
    "recipients_text": B("Kun de af vores medarbejdere, hvis arbejde kræver det, og de modtagere, der er nævnt "
                         "her; databehandlere arbejder kun efter vores instruks og under en databehandleraftale.",
                         "Only those of our staff whose work requires it, and the recipients named here; processors "
                         "act only on our instructions and under a data processing agreement."),
    "transfers": B("Overførsel til lande uden for EU/EØS", "Transfers outside the EU/EEA"),
    "retention": B("Hvor længe vi gemmer oplysningerne", "How long we keep the data"),
    "rights": B("Dine rettigheder", "Your rights"),
    "rights_how": B("Skriv til {email} for at bruge dine rettigheder. Vi kan bede dig bekræfte, hvem du er "
                    "(art. 12, stk. 6).",
                    "Write to {email} to use your rights. We may ask you to confirm who you are (Art. 12(6))."),
    "automated": B("Automatiske afgørelser", "Automated decisions"),
    "automated_text": B("Vi træffer ingen afgørelser alene på grundlag af automatisk behandling, herunder "
                        "profilering (art. 22).",
                        "We make no decisions based solely on automated processing, including profiling "
                        "(Art. 22)."),
    "complain": B("Klage til Datatilsynet", "Complaints to Datatilsynet"),
    "complain_text": B("Du kan klage over vores behandling af dine oplysninger til Datatilsynet, den danske "
                       "tilsynsmyndighed:",
                       "You can complain about our processing of your data to Datatilsynet, the Danish supervisory "
                       "authority:"),
}

RIGHTS = (
    B("Indsigt: du kan få at vide, hvilke oplysninger vi har om dig, og få en kopi (art. 15).",
      "Access: you can learn what data we hold about you and get a copy (Art. 15)."),
    B("Berigtigelse: urigtige oplysninger bliver rettet (art. 16).",
      "Rectification: inaccurate data is corrected (Art. 16)."),
    B("Sletning: du kan få oplysningerne slettet (art. 17); regnskabsmateriale skal vi dog gemme efter "
      "bogføringsloven.",
      "Erasure: you can have the data erased (Art. 17); accounting records must however be kept under the "
      "Bookkeeping Act."),
    B("Begrænsning af behandlingen (art. 18).", "Restriction of processing (Art. 18)."),
    B("Dataportabilitet: oplysninger, du selv har givet, i et maskinlæsbart format (art. 20).",
      "Data portability: data you provided, in a machine-readable format (Art. 20)."),
    B("Indsigelse mod behandling på grundlag af legitim interesse, og altid mod direkte markedsføring (art. 21).",
      "Objection to processing based on legitimate interest, and always to direct marketing (Art. 21)."),
    B("Tilbagetrækning af samtykke når som helst, uden at det påvirker behandlingen før tilbagetrækningen "
      "(art. 7, stk. 3); hver e-mail har et afmeldingslink.",
      "Withdrawal of consent at any time, without affecting the processing before the withdrawal (Art. 7(3)); "
      "every e-mail has an unsubscribe link."),
    B("Vi svarer senest en måned efter, vi har modtaget din anmodning (art. 12, stk. 3).",
      "We answer within one month of receiving your request (Art. 12(3))."),
)

# Art. 14(2)(f): where data not collected from the person comes from.
NOTICE_SOURCES = (
    B("Fra dig selv, når du kontakter os, køber hos os eller tilmelder dig vores nyhedsbrev.",
      "From you, when you contact us, buy from us or sign up for our newsletter."),
    B("Fra din arbejdsgiver eller dine kolleger, når de giver os dine kontaktoplysninger som "
      "kontaktperson (art. 14).",
      "From your employer or colleagues, when they give us your contact details as a contact person "
      "(Art. 14)."),
    B("Fra offentligt tilgængelige kilder som virksomhedens hjemmeside og CVR-registret, og fra "
      "visitkort og adressebøger, vi har importeret.",
      "From public sources such as your company's website and the CVR register, and from business "
      "cards and address books we have imported."))

