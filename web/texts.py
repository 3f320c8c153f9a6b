"""Every word a visitor reads, in Danish and English (the company's language, ui.language)."""
from __future__ import annotations

from store.bilingual import Bilingual

T = {
    "subscribe_title": Bilingual("Tilmelding", "Sign up"),
    "purpose.newsletter": Bilingual("nyhedsbrevet", "the newsletter"),
    "purpose.offers": Bilingual("tilbud", "offers"),
    "purpose.events": Bilingual("arrangementer", "events"),
    "intro": Bilingual("Tilmeld dig {what} fra {company}.", "Sign up for {what} from {company}."),
    "name": Bilingual("Navn", "Name"),
    "email": Bilingual("E-mail", "E-mail"),
    "agree": Bilingual("Ja, jeg giver mit samtykke:", "Yes, I give my consent:"),
    "submit": Bilingual("Tilmeld", "Sign up"),
    "privacy": Bilingual("Sådan behandler vi dine oplysninger", "How we process your data"),
    "website": Bilingual("Lad dette felt være tomt", "Leave this field empty"),
    "version": Bilingual("Tekstversion {version}", "Text version {version}"),
    "check_mail_title": Bilingual("Tjek din e-mail", "Check your e-mail"),
    "check_mail": Bilingual(
        "Tak. Hvis adressen kan tilmeldes, har vi sendt en e-mail med et link. Tilmeldingen gælder først, "
        "når du har trykket på linket og bekræftet.",
        "Thank you. If the address can be signed up, we have sent an e-mail with a link. The sign-up counts "
        "only once you have opened the link and confirmed."),
    "confirm_title": Bilingual("Bekræft tilmelding", "Confirm your sign-up"),
    "confirm_intro": Bilingual("Tryk på knappen for at bekræfte, at du giver dette samtykke:",
                               "Press the button to confirm that you give this consent:"),
    "confirm_button": Bilingual("Bekræft", "Confirm"),
    "confirmed_title": Bilingual("Tilmeldingen er bekræftet", "Your sign-up is confirmed"),
    "confirmed": Bilingual(
        "Tak, du er nu tilmeldt. Du kan til enhver tid afmelde dig med linket nederst i vores e-mails.",
        "Thank you, you are now signed up. You can unsubscribe at any time with the link at the bottom "
        "of our e-mails."),
    "link_bad_title": Bilingual("Linket virker ikke", "This link does not work"),
    "link_bad": Bilingual("Linket er brugt, udløbet eller ukendt. Du kan tilmelde dig igen.",
                          "The link has been used, has expired or is unknown. You can sign up again."),
    "link_expired": Bilingual("Linket er udløbet, og tilmeldingen er slettet. Du kan tilmelde dig igen.",
                              "The link has expired and the sign-up was deleted. You can sign up again."),
    "unsubscribe_title": Bilingual("Afmeld", "Unsubscribe"),
    "unsubscribe_intro": Bilingual("Tryk på knappen for at afmelde dig alle vores e-mails med markedsføring.",
                                   "Press the button to unsubscribe from all our marketing e-mails."),
    "unsubscribe_button": Bilingual("Afmeld", "Unsubscribe"),
    "unsubscribed_title": Bilingual("Du er afmeldt", "You are unsubscribed"),
    "unsubscribed": Bilingual("Du får ikke flere e-mails med markedsføring fra os.",
                              "You will get no more marketing e-mails from us."),
    "error_title": Bilingual("Noget mangler", "Something is missing"),
    "err.email": Bilingual("Skriv en gyldig e-mailadresse.", "Enter a valid e-mail address."),
    "err.name": Bilingual("Skriv dit navn (højst 100 tegn, kun almindelige tegn).",
                          "Enter your name (at most 100 characters, ordinary characters only)."),
    "err.consent": Bilingual("Sæt kryds i feltet, hvis du vil give dit samtykke.",
                             "Tick the box if you want to give your consent."),
    "err.csrf": Bilingual("Formularen er for gammel eller kom ikke herfra. Hent siden igen og prøv en gang til.",
                          "The form is too old or did not come from here. Reload the page and try again."),
    "err.text_version": Bilingual("Samtykketeksten er ændret. Læs den nye tekst, og tilmeld dig igen.",
                                  "The consent text has changed. Read the new text and sign up again."),
    "err.other": Bilingual("Det indtastede kan ikke bruges.", "What was entered cannot be used."),
    "slow_title": Bilingual("For mange forsøg", "Too many attempts"),
    "slow": Bilingual("Der er kommet for mange tilmeldinger herfra. Prøv igen senere.",
                      "Too many sign-ups came from here. Please try again later."),
    "mail_down_title": Bilingual("Prøv igen senere", "Please try again later"),
    "mail_down": Bilingual("Vi kunne ikke sende e-mailen lige nu. Prøv igen senere.",
                           "We could not send the e-mail just now. Please try again later."),
    "not_found_title": Bilingual("Siden findes ikke", "Page not found"),
    "not_found": Bilingual("Siden findes ikke.", "This page does not exist."),
    "too_large_title": Bilingual("For meget data", "Too much data"),
    "too_large": Bilingual("Formularen sendte for meget data.", "The form sent too much data."),
}


def texts_in(language: str) -> dict[str, str]:
    return {k: v.in_language(language) for k, v in T.items()}
