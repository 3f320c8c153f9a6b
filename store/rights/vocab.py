"""The fixed vocabularies of the rights features (codes, never free text).

Kept free of database imports, so the command line can offer them as choices
without loading the store.
"""
from __future__ import annotations

# How a request ends.
OUTCOMES = ("completed", "refused", "withdrawn")

# Why a person is erased: Art. 17(1) points, the retention rule, or the ledger after a restore.
LEGAL_BASES = {
    "art17_1a": ("no longer necessary for the purposes they were collected for",
                 "ikke længere nødvendige til de formål, de blev indsamlet til"),
    "art17_1b": ("consent withdrawn and no other legal ground",
                 "samtykke trukket tilbage og intet andet retsgrundlag"),
    "art17_1c": ("the person objected (Art. 21)", "personen har gjort indsigelse (art. 21)"),
    "art17_1d": ("processed unlawfully", "behandlet ulovligt"),
    "art17_1e": ("erasure required by law", "sletning kræves efter loven"),
    "art17_1f": ("collected from a child for an online service",
                 "indsamlet fra et barn i forbindelse med en onlinetjeneste"),
    "retention_expired": ("the retention period ended", "opbevaringsperioden er udløbet"),
    "ledger_reapplied": ("erased before; brought back by a backup restore",
                         "slettet tidligere; kom tilbage med en gendannet sikkerhedskopi"),
}

# Art. 18(1) grounds for restricting processing.
GROUNDS = {
    "accuracy_contested": "Art. 18(1)(a): the person contests the accuracy of the data",
    "unlawful_processing": "Art. 18(1)(b): unlawful processing; the person asks for restriction instead of erasure",
    "legal_claims": "Art. 18(1)(c): the person needs the data for legal claims",
    "objection_pending": "Art. 18(1)(d): an objection (Art. 21(1)) is being considered",
}

# Who asked (Art. 12): the person, or someone acting for them with a mandate.
REQUESTERS = ("person", "representative", "guardian")

# How the request reached us.
CHANNELS = ("email", "letter", "phone", "in_person", "web_form")

# How the person's identity was verified before anything is handed out or erased (Art. 12(6)).
IDENTITY_METHODS = {
    "mitid": "MitID signature",
    "known_email": "reply from the e-mail address on record",
    "callback": "call back to the phone number on record",
    "id_document": "identity document checked",
    "in_person": "met in person and known to us",
}
