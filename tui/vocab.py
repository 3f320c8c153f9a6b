"""Labels for the store's vocabularies (lifecycles, stages, roles, ...)."""
from __future__ import annotations

from .i18n import N_, _

LABELS = {
    # lifecycle
    "lead": N_("Lead"), "prospect": N_("Prospect"), "customer": N_("Customer"), "former": N_("Former customer"),
    # status
    "active": N_("Active"), "archived": N_("Archived"), "restricted": N_("Restricted"),
    "all": N_("All"),
    # lawful basis
    "contract": N_("Contract"), "legitimate_interest": N_("Legitimate interest"), "consent": N_("Consent"),
    # deal stages
    "new": N_("New"), "qualified": N_("Qualified"), "proposal": N_("Proposal"), "won": N_("Won"),
    "lost": N_("Lost"),
    # note categories and visibility
    "call": N_("Call"), "meeting": N_("Meeting"), "email": N_("Email"), "offer": N_("Offer"),
    "complaint": N_("Complaint"), "other": N_("Other"), "team": N_("Team"), "private": N_("Private"),
    # e-mail and phone labels (store/contact_points.LABELS; "private" and "other" above)
    "work": N_("Work"), "mobile": N_("Mobile"),
    # roles
    "admin": N_("Administrator"), "manager": N_("Manager"), "sales": N_("Sales"),
    "finance": N_("Finance"), "privacy": N_("Privacy officer"),
    # consent
    "newsletter": N_("Newsletter"), "offers": N_("Offers"), "events": N_("Events"),
    "pending": N_("Pending"), "given": N_("Given"), "withdrawn": N_("Withdrawn"),
    "requested": N_("Requested"), "none": N_("None"),
    "web_double_opt_in": N_("Web form (double opt-in)"), "phone": N_("By phone"),
    "paper": N_("On paper"), "in_person": N_("In person"), "import": N_("Imported"),
    "web_unsubscribe": N_("Unsubscribe link"),
    "sms": N_("SMS"), "post": N_("Post"),
    # data-subject requests: kinds, who asked, channels, identity checks, status
    "access": N_("Access"), "portability": N_("Portability"), "rectification": N_("Rectification"),
    "erasure": N_("Erasure"), "restriction": N_("Restriction"), "objection": N_("Objection"),
    "person": N_("The person"), "representative": N_("A representative"), "guardian": N_("A guardian"),
    "letter": N_("Letter"), "web_form": N_("Web form"),
    "mitid": N_("MitID signature"), "known_email": N_("Reply from the e-mail on record"),
    "callback": N_("Call back to the phone on record"), "id_document": N_("Identity document checked"),
    "open": N_("Open"), "completed": N_("Completed"), "refused": N_("Refused"),
    # invoices and follow-ups
    "unpaid": N_("Unpaid"), "overdue": N_("Overdue"), "paid": N_("Paid"), "done": N_("Done"),
    "today": N_("Today"), "later": N_("Later"),
}


def label(value: str | None) -> str:
    if not value:
        return ""
    msgid = LABELS.get(value)
    return _(msgid) if msgid else value


def options(values) -> list[tuple[str, str]]:
    """(label, value) pairs for a Select."""
    return [(label(v), v) for v in values]
