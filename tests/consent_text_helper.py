"""The published consent text a test records consent under (published once per store)."""


def text_id(purpose: str = "newsletter") -> int:
    from store.consent_texts import current_text, publish_text
    from store.scope import Scope

    wording = ("Ja tak, send mig nyhedsbrevet. Du kan til enhver tid trække dit samtykke "
               "tilbage via linket i hver mail.")
    text = current_text(purpose, "da") or publish_text(Scope.console(), purpose, "da", wording)
    return text.id
