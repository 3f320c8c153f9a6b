"""One contact: the screen (screen.py), its form (form.py) and saving it (saving.py), opening it
(opening.py), the actions on related
records (related.py) and one table module per kind of related record (deals, notes,
invoices, consents, history)."""
from .opening import drop_kept_contact, open_contact, prepare_contact, read_ahead
from .screen import ContactScreen

__all__ = ["ContactScreen", "drop_kept_contact", "open_contact", "prepare_contact", "read_ahead"]
