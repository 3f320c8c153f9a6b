"""MiniCRM's data layer: the only way to the data.

The public service API is a set of small modules, each one concern, each
taking a Scope built from the logged-in user:

    runtime   open_store / create_store: config -> key -> encrypted database
    auth      login, sessions, revocation
    accounts  staff accounts
    contacts  search, read, create, edit (with optimistic versions)
    companies link a contact to a company by name and CVR
    deals, notes, invoices, consent   the records around a contact
    rights    data-subject requests: export, erasure, restriction
    mailing   lists of people who consented, never the restricted
    importing files in, mapped, minimised and de-duplicated
    changes   the change feed live sessions poll
    audit     the tamper-evident trail

Import the module you need (`from store import contacts`); nothing is loaded
eagerly here, so a command that needs little starts fast.  This package never
imports Textual, tui or web.
"""
