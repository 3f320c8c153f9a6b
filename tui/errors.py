"""Store errors as messages a person can act on, in the user's language.

Store messages name fields and rules, never values; here they are mapped to
translated text.  Unknown errors get a generic message (no traceback, which
could hold personal data).
"""
from __future__ import annotations

import re

from .i18n import N_, _

FIELD_LABELS = {
    "first_name": N_("First name"), "last_name": N_("Last name"), "title": N_("Job title"),
    "email": N_("Email"), "phone": N_("Phone"), "lifecycle": N_("Lifecycle"),
    "lawful_basis": N_("Lawful basis"), "owner": N_("Owner"), "owner_id": N_("Owner"),
    "company_id": N_("Company"), "tag": N_("Tag"), "body": N_("Note"), "category": N_("Category"),
    "visibility": N_("Visibility"), "amount": N_("Amount"), "stage": N_("Stage"),
    "purpose": N_("Purpose"), "method": N_("Method"), "channel": N_("Channel"),
    "text_version": N_("Text version"), "evidence": N_("Evidence"), "date": N_("Date"),
    "cvr": N_("CVR"), "company_cvr": N_("CVR"), "company": N_("Company"),
    "username": N_("User name"), "role": N_("Role"), "tags": N_("Tags"), "deal_title": N_("Deal title"),
    "emails": N_("Emails"), "phones": N_("Phones"), "email_label": N_("Email"), "phone_label": N_("Phone"),
    "address": N_("Street"), "postcode": N_("Postcode"), "city": N_("City"), "country": N_("Country"),
    "follow_up": N_("Follow-up"), "due_on": N_("Due date"), "paid_on": N_("Paid on"), "deal": N_("Deal"),
    "filter": N_("Filter"),
    # the breach register (store/breaches.py)
    "aware_at": N_("Became aware"), "occurred_at": N_("Occurred"), "kind": N_("Kind"), "nature": N_("What happened"),
    "data_categories": N_("Categories of data"), "people_approx": N_("People affected"),
    "records_approx": N_("Records affected"), "consequences": N_("Likely consequences"),
    "measures": N_("Measures taken"), "notified_at": N_("Datatilsynet notified"),
    "not_notified_reason": N_("Why not notified"), "people_told_at": N_("People told"),
    "people_told_note": N_("How they were told"),
}

# The kinds of special-category data the store's screening names (store/importing/sensitive.py).
SPECIAL_KINDS = {
    "health": N_("health"), "religion": N_("religion"), "ethnicity": N_("ethnic origin"),
    "politics": N_("political opinions"), "union": N_("trade-union membership"),
    "sexuality": N_("sex life or sexual orientation"),
}

MESSAGES = (
    N_("is required"), N_("contains control characters"), N_("is not a valid email address"),
    N_("is not a phone number"), N_("is not a valid phone number"),
    N_("is not a valid CVR number (8 digits, modulus 11)"), N_("is not an active user"),
    N_("must be zero or more"), N_("must not be in the future"), N_("is not an editable contact field"),
    N_("is not a date"), N_("is not an amount"),
    N_("holds a CPR number; CPR numbers are never stored in free text"),
    N_("is before the invoice date"), N_("is in the future"), N_("is not a date (yyyy-mm-dd)"),
    N_("must be a whole number of øre, zero or more"), N_("is not a deal of this contact"),
    N_("does not see this contact"),
    N_("must be a time as YYYY-MM-DD HH:MM (UTC)"), N_("must be a whole number"),
    N_("is after the time we became aware of the breach"), N_("is before the time we became aware of the breach"),
    N_("may have only one primary"), N_("may hold at most 20"), N_("is not an address field"),
)
# A contact's second, third ... e-mail or phone (store/contact_details.py): "email_1", "phone_2_label".
_NUMBERED = re.compile(r"^(email|phone)_(\d+)(?:_label)?$")
_LONGER = re.compile(r"^is longer than (\d+) characters$")
_ONE_OF = re.compile(r"^must be one of: (.*)$")

PASSWORD_MESSAGES = {
    "empty": N_("Please enter a password."),
    "too_short": N_("The password is too short: use at least {min_length} characters."),
    "too_long": N_("The password is too long: use at most {max_length} characters."),
    "control_chars": N_("The password contains control characters (such as tab or newline), "
                        "which are not allowed."),
    "invalid_chars": N_("The password contains characters that are not valid text."),
    "common": N_("This password is too common: it is on a list of frequently used passwords. "
                 "Please choose another."),
    "contains_username": N_("The password must not contain your user name."),
    "contains_company": N_("The password must not contain the company name."),
    "repetitive": N_("The password is a short pattern repeated over and over. Please choose "
                     "something less predictable."),
    "same_as_old": N_("Choose a new password: this is the one you were given or had before."),
    "sequential": N_("The password is a simple sequence of characters (like abcdef or 123456). "
                     "Please choose something less predictable."),
}


def field_label(field: str) -> str:
    m = _NUMBERED.match(field)
    if m:
        return f"{_(FIELD_LABELS[m.group(1)])} {int(m.group(2)) + 1}"
    return _(FIELD_LABELS.get(field, field))


def validation_message(field: str, message: str) -> str:
    m = _LONGER.match(message)
    if m:
        text = _("is longer than {n} characters").format(n=m.group(1))
    elif _ONE_OF.match(message):
        text = _("is not one of the allowed choices")
    else:
        text = _(message)
    return f"{field_label(field)}: {text}"


def session_ended_message(reason: object) -> str:
    """What the login screen says after a session ended for `reason` (an EndReason or its value)."""
    from store.errors import EndReason

    messages = {
        EndReason.REVOKED: _("Your access has been revoked. Your session has ended."),
        EndReason.ENDED: _("An administrator ended your session."),
        EndReason.EXPIRED: _("Your session has reached its time limit. Please log in again."),
        EndReason.ROLE_CHANGED: _("Your role was changed. Please log in again."),
        EndReason.RESET: _("Your login was reset by an administrator. Please log in again."),
    }
    # Older spellings still found in stored rows and in callers.
    aliases = {"ended_by_admin": EndReason.ENDED, "admin": EndReason.ENDED,
               "max_age": EndReason.EXPIRED, "role": EndReason.ROLE_CHANGED}
    if reason == "idle":
        return _("Your session ended after a period of inactivity. Please log in again.")
    key = aliases.get(str(reason or ""), str(reason or ""))
    return messages.get(key, _("Your session has ended. Please log in again."))


def describe(exc: BaseException) -> str:
    """One line for a notification or a form's message area."""
    from store.errors import (
        AccountLocked,
        AccountRevoked,
        CodeRejected,
        Conflict,
        DatabaseBusy,
        Forbidden,
        Invalid,
        LoginFailed,
        NotFound,
        NotGiven,
        Restricted,
        SessionEnded,
        SpecialCategory,
        StoreError,
    )

    if isinstance(exc, SpecialCategory):
        kinds = ", ".join(_(SPECIAL_KINDS[k]) if k in SPECIAL_KINDS else k for k in exc.kinds)
        return f"{field_label(exc.field)}: " + _("may hold special-category data ({kinds})").format(kinds=kinds)
    if isinstance(exc, Invalid):
        return validation_message(exc.field, exc.message)
    code = getattr(exc, "code", None)
    if code in PASSWORD_MESSAGES:
        params = getattr(exc, "params", {}) or {}
        try:
            return _(PASSWORD_MESSAGES[code]).format(**params)
        except (KeyError, IndexError):
            return _(PASSWORD_MESSAGES[code])
    if isinstance(exc, DatabaseBusy):
        return _("The database is busy; try again.")
    if isinstance(exc, Forbidden):
        return _("Your role may not do this.")
    if isinstance(exc, NotFound):
        return _("Not found, or not visible to you.")
    if isinstance(exc, Restricted):
        return _("This person's processing is restricted (GDPR Art. 18): nothing new may be added.")
    if isinstance(exc, NotGiven):
        return _("There is no given consent to withdraw.")
    if isinstance(exc, Conflict) and exc.what == "deal":
        return _("Someone else changed this deal first. It has been reloaded.")
    if isinstance(exc, Conflict) and exc.what == "invoice":
        return _("Someone else changed this invoice first. It has been reloaded: check it and try again.")
    if isinstance(exc, Conflict) and exc.what == "follow-up":
        return _("Someone else changed this follow-up first. It has been reloaded.")
    if isinstance(exc, (AccountLocked, AccountRevoked, CodeRejected, LoginFailed, SessionEnded)):
        return _describe_login(exc)
    if isinstance(exc, StoreError):
        return _("That did not work: {reason}").format(reason=str(exc))
    return _("Something went wrong ({kind}). Nothing was saved.").format(kind=type(exc).__name__)


def _describe_login(exc: BaseException) -> str:
    from store.errors import AccountLocked, AccountRevoked, CodeRejected, SessionEnded

    from .i18n import fmt_time

    if isinstance(exc, AccountLocked):
        until = getattr(exc, "until", None)
        return (_("This account is locked until {time} after too many failed attempts.")
                .format(time=fmt_time(until)) if until else
                _("This account is locked after too many failed attempts."))
    if isinstance(exc, AccountRevoked):
        return _("This account has been closed. Ask an administrator.")
    if isinstance(exc, SessionEnded):
        return session_ended_message(exc.reason)
    if isinstance(exc, CodeRejected):
        return _("That code was not accepted. Check the time on your phone and try the next code.")
    return _("Wrong user name, password or code.")


def in_store_words(exc: BaseException) -> str:
    """A StoreError in the store's own words (file, line, column: never a value), for a
    status line that needs that detail (the import wizard); anything else by its kind only."""
    from store.errors import StoreError

    if isinstance(exc, StoreError):
        return str(exc)
    return _("Unexpected error ({kind}); nothing was imported.").format(kind=type(exc).__name__)
