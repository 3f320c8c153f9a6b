"""The words of the data processing agreement (Art. 28(3)) and the staff policy, Danish and English.

Every clause Art. 28(3)(a)-(h) requires is one entry of `DPA_CLAUSES`, keyed by its letter, so a
test (and a reader) can check that none is missing.
"""
from __future__ import annotations

from typing import Any

from ..bilingual import Bilingual as B

DPA = {
    "parties": B("Parter", "Parties"),
    "controller_party": B("Den dataansvarlige", "The controller"),
    "processor_party": B("Databehandleren", "The processor"),
    "blank": B("........................ (navn, CVR-nr., adresse)",
               "........................ (name, reg. no., address)"),
    "intro": B("Denne aftale fastsætter databehandlerens forpligtelser, når den behandler personoplysninger på "
               "vegne af den dataansvarlige (databeskyttelsesforordningen art. 28, stk. 3).",
               "This agreement sets out the processor's obligations when it processes personal data on behalf of "
               "the controller (General Data Protection Regulation Art. 28(3))."),
    "scope": B("Behandlingens genstand, varighed, karakter og formål", "Subject matter, duration, nature and purpose"),
    "subject": B("Genstand og karakter: {role}, for den dataansvarliges kunderegister.",
                 "Subject matter and nature: {role}, for the controller's customer register."),
    "subject_blank": B("Genstand og karakter: ........................ for den dataansvarliges kunderegister.",
                       "Subject matter and nature: ........................ for the controller's customer register."),
    "duration": B("Varighed: så længe databehandleren leverer ydelsen til den dataansvarlige.",
                  "Duration: for as long as the processor provides the service to the controller."),
    "purposes": B("Formål: de formål, den dataansvarlige behandler oplysningerne til:",
                  "Purpose: the purposes for which the controller processes the data:"),
    "data": B("Typer af personoplysninger", "Types of personal data"),
    "subjects": B("Kategorier af registrerede", "Categories of data subjects"),
    "clauses": B("Databehandlerens forpligtelser", "The processor's obligations"),
    "subs": B("Godkendte underdatabehandlere", "Approved sub-processors"),
    "no_subs": B("Ingen underdatabehandlere er godkendt.", "No sub-processors are approved."),
    "transfers": B("Overførsel til tredjelande", "Transfers to third countries"),
    "controller_duties": B("Den dataansvarliges forpligtelser", "The controller's obligations"),
    "controller_text": B("Den dataansvarlige sikrer, at der er hjemmel til behandlingen, og giver sine instrukser "
                         "skriftligt.",
                         "The controller ensures that the processing has a legal basis and gives its instructions "
                         "in writing."),
    "signatures": B("Underskrifter", "Signatures"),
    "sign_line": B("For {party}: ........................  Dato: ..........",
                   "For {party}: ........................  Date: .........."),
}

DPA_CLAUSES = {
    "a": B("a) Databehandleren behandler kun personoplysningerne efter dokumenteret instruks fra den "
           "dataansvarlige, også for så vidt angår overførsel til et tredjeland eller en international "
           "organisation, medmindre EU-retten eller medlemsstaternes nationale ret kræver det; i så fald "
           "underretter databehandleren den dataansvarlige om dette retlige krav inden behandlingen, medmindre "
           "loven forbyder en sådan underretning.",
           "(a) The processor processes the personal data only on documented instructions from the controller, "
           "including with regard to transfers to a third country or an international organisation, unless "
           "required to do so by Union or Member State law; in that case the processor informs the controller "
           "of that legal requirement before processing, unless that law prohibits such information."),
    "b": B("b) Databehandleren sikrer, at de personer, der er autoriseret til at behandle personoplysningerne, "
           "har forpligtet sig til fortrolighed eller er underlagt en passende lovbestemt tavshedspligt.",
           "(b) The processor ensures that persons authorised to process the personal data have committed "
           "themselves to confidentiality or are under an appropriate statutory obligation of confidentiality."),
    "c": B("c) Databehandleren træffer alle foranstaltninger, der kræves i henhold til artikel 32 "
           "(behandlingssikkerhed).",
           "(c) The processor takes all measures required pursuant to Article 32 (security of processing)."),
    "d": B("d) Databehandleren overholder betingelserne i artikel 28, stk. 2 og 4, for at gøre brug af en anden "
           "databehandler: kun med den dataansvarliges forudgående specifikke eller generelle skriftlige "
           "godkendelse, med underretning om påtænkte ændringer, så den dataansvarlige kan gøre indsigelse, og "
           "med de samme databeskyttelsesforpligtelser pålagt underdatabehandleren; databehandleren forbliver "
           "fuldt ansvarlig over for den dataansvarlige.",
           "(d) The processor respects the conditions of Article 28(2) and (4) for engaging another processor: "
           "only with the controller's prior specific or general written authorisation, informing the controller "
           "of intended changes so that it can object, and imposing the same data protection obligations on the "
           "sub-processor; the processor remains fully liable to the controller."),
    "e": B("e) Under hensyntagen til behandlingens karakter bistår databehandleren så vidt muligt den "
           "dataansvarlige ved hjælp af passende tekniske og organisatoriske foranstaltninger med at opfylde den "
           "dataansvarliges forpligtelse til at besvare anmodninger om udøvelse af de registreredes rettigheder "
           "(kapitel III).",
           "(e) Taking into account the nature of the processing, the processor assists the controller by "
           "appropriate technical and organisational measures, insofar as this is possible, in fulfilling the "
           "controller's obligation to respond to requests for exercising the data subject's rights (Chapter III)."),
    "f": B("f) Databehandleren bistår den dataansvarlige med at sikre overholdelse af forpligtelserne i artikel "
           "32-36 (sikkerhed, anmeldelse af brud til Datatilsynet og underretning af de registrerede, "
           "konsekvensanalyser og forudgående høring), under hensyntagen til behandlingens karakter og de "
           "oplysninger, databehandleren har; et brud meddeles den dataansvarlige uden unødig forsinkelse "
           "(artikel 33, stk. 2).",
           "(f) The processor assists the controller in ensuring compliance with the obligations of Articles "
           "32 to 36 (security, notification of breaches to the supervisory authority and communication to the "
           "data subjects, impact assessments and prior consultation), taking into account the nature of the "
           "processing and the information available to the processor; a breach is reported to the controller "
           "without undue delay (Article 33(2))."),
    "g": B("g) Efter den dataansvarliges valg sletter eller tilbageleverer databehandleren alle "
           "personoplysninger, når ydelserne vedrørende behandling er ophørt, og sletter eksisterende kopier, "
           "medmindre EU-retten eller medlemsstaternes nationale ret foreskriver opbevaring.",
           "(g) At the choice of the controller, the processor deletes or returns all the personal data after "
           "the end of the provision of services relating to processing, and deletes existing copies unless "
           "Union or Member State law requires storage of the personal data."),
    "h": B("h) Databehandleren stiller alle oplysninger, der er nødvendige for at påvise overholdelse af "
           "artikel 28, til rådighed for den dataansvarlige og giver mulighed for og bidrager til revisioner, "
           "herunder inspektioner, som foretages af den dataansvarlige eller en revisor, som er bemyndiget af den "
           "dataansvarlige; databehandleren underretter straks den dataansvarlige, hvis en instruks efter "
           "databehandlerens mening er i strid med forordningen eller anden databeskyttelsesret.",
           "(h) The processor makes available to the controller all information necessary to demonstrate "
           "compliance with Article 28 and allows for and contributes to audits, including inspections, "
           "conducted by the controller or another auditor mandated by the controller; the processor immediately "
           "informs the controller if, in its opinion, an instruction infringes the Regulation or other data "
           "protection law."),
}

_STAFF: dict[str, Any] = {  # a title and its items, side by side as a reader finds them
    "intro": B("Disse regler gælder for alle hos {controller}, der arbejder med kunder og kontaktpersoner. De "
               "følger af databeskyttelsesforordningen og af, hvordan vores system er sat op.",
               "These rules apply to everyone at {controller} who works with customers and contact persons. They "
               "follow from the General Data Protection Regulation and from how our system is set up."),
    "one_system": B("Ét system, ingen sidelister", "One system, no side lists"),
    "one_system_items": (
        B("Alle oplysninger om kunder og kontaktpersoner står i MiniCRM og kun der.",
          "All data about customers and contact persons lives in MiniCRM, and only there."),
        B("Ingen regneark, notesbøger, lister i telefonen eller private mapper med kundeoplysninger ved siden af; "
          "en sideliste kan vi hverken slette efter reglerne, give indsigt i eller beskytte.",
          "No spreadsheets, notebooks, lists on your phone or private folders with customer data on the side: "
          "a side list can be neither erased on schedule, nor disclosed on request, nor protected."),
        B("Udtræk og eksporter laves kun til et bestemt formål (en anmodning, en udsendelse) og slettes bagefter.",
          "Extracts and exports are made for one purpose only (a request, a mailing) and deleted afterwards."),
    ),
    "notes": B("Hvad må stå i noter", "What may go in notes"),
    "notes_items": (
        B("Kun det, der er nødvendigt for kundeforholdet: hvad der blev aftalt, tilbudt og spurgt om.",
          "Only what the customer relationship needs: what was agreed, offered and asked."),
        B("Aldrig helbredsoplysninger (fx allergier, sygdom, diagnoser), etnisk oprindelse, politisk, religiøs "
          "eller filosofisk overbevisning, fagforeningsmedlemskab (fx 3F), genetiske eller biometriske data, "
          "seksuelle forhold eller orientering (art. 9).",
          "Never health data (such as allergies, illness, diagnoses), racial or ethnic origin, political, "
          "religious or philosophical beliefs, trade-union membership (such as 3F), genetic or biometric data, "
          "sex life or sexual orientation (Art. 9)."),
        B("Aldrig CPR-numre (databeskyttelsesloven § 11). Systemet advarer; gemmer du alligevel, bliver noten "
          "markeret til gennemgang.",
          "Never CPR numbers (Databeskyttelsesloven § 11). The system warns; if you save anyway, the note is "
          "flagged for review."),
        B("Skriv sagligt, som om personen læser med: enhver kan få indsigt i det, der står om dem.",
          "Write factually, as if the person were reading along: anyone may see what is written about them."),
    ),
    "requests": B("Når en person beder om noget", "When a person asks for something"),
    "requests_items": (
        B("En anmodning om indsigt, rettelse, sletning, begrænsning eller indsigelse registreres i MiniCRM samme "
          "dag, uanset hvordan den kom (mail, telefon, brev).",
          "A request for access, rectification, erasure, restriction or objection is registered in MiniCRM the "
          "same day, however it arrived (mail, phone, letter)."),
        B("Bekræft, hvem der spørger, før noget udleveres eller slettes (art. 12, stk. 6), og noter hvordan.",
          "Confirm who is asking before anything is disclosed or erased (Art. 12(6)), and note how."),
        B("Personen skal have svar senest en måned efter modtagelsen (art. 12, stk. 3); privacy-rollen "
          "behandler anmodningen i systemet.",
          "The person must have an answer within one month of receipt (Art. 12(3)); the privacy role handles "
          "the request in the system."),
        B("En afmelding eller tilbagetrækning af samtykke registreres straks.",
          "An unsubscription or withdrawal of consent is recorded at once."),
    ),
    "breach": B("Mistet computer eller telefon, eller mistanke om brud",
                "A lost laptop or phone, or a suspected breach"),
    "breach_items": (
        B("Sig det straks til {contact}, også uden for arbejdstid: fristen for at anmelde et brud til "
          "Datatilsynet er 72 timer fra, vi blev opmærksomme på det (art. 33).",
          "Tell {contact} at once, also outside working hours: the deadline for notifying a breach to "
          "Datatilsynet is 72 hours from when we became aware of it (art. 33)."),
        B("En administrator spærrer kontoen og afslutter dens sessioner og SSH-nøgler; skift din adgangskode.",
          "An administrator revokes the account and ends its sessions and SSH keys; change your password."),
        B("Slet ikke spor, og undersøg ikke på egen hånd.",
          "Do not delete traces, and do not investigate on your own."),
        B("Bruddet registreres i brudregistret (minicrm breach add), også når det ikke anmeldes; er der høj risiko "
          "for de berørte, får de besked i et klart sprog (art. 34).",
          "The breach is recorded in the breach register (minicrm breach add), also when it is not notified; if "
          "the people affected face a high risk, they are told in clear language (Art. 34)."),
    ),
    "accounts": B("Din konto", "Your account"),
    "accounts_items": (
        B("Din konto er personlig: del aldrig adgangskode, totrinskode eller SSH-nøgle.",
          "Your account is personal: never share your password, two-factor code or SSH key."),
        B("Skærmen låses efter {idle} minutters inaktivitet; lås den selv, når du går fra.",
          "The screen locks after {idle} minutes idle; lock it yourself when you step away."),
    ),
    "retention": B("Hvor længe gemmer vi", "How long we keep data"),
}

STAFF: dict[str, B] = {k: v for k, v in _STAFF.items() if not k.endswith("_items")}
STAFF_ITEMS: dict[str, tuple[B, ...]] = {k.removesuffix("_items"): v for k, v in _STAFF.items() if k.endswith("_items")}
