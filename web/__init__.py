"""The public opt-in endpoint: sign up, confirm, unsubscribe (issue 13).

`minicrm web` serves it with uvicorn, on 127.0.0.1 by default, behind the
company's reverse proxy.  It uses the store only through `Scope.web()` and
store.optin / store.unsubscribe, so every rule (tokens, cool-down, ledger,
evidence) lives in store/; what lives here is the web channel's own defence:
CSRF, honeypot, rate limits, body size, headers, escaping.
"""
