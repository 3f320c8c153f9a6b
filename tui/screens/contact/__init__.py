"""One contact: the screen (screen.py), its form (form.py), the actions on related
records (related.py) and one table module per kind of related record (deals, notes,
invoices, consents, history)."""
from .screen import ContactScreen, open_contact

__all__ = ["ContactScreen", "open_contact"]
