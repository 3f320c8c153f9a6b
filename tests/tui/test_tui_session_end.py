"""A session that ends while store calls are in flight: no call runs for it afterwards,
the app shows why it ended, and no worker fails (once: WorkerFailed AttributeError
"'NoneType' object has no attribute 'contacts'", a search querying after the end)."""
from __future__ import annotations

import asyncio
import threading

from tui_pilot import login, showing, wait_for


def _watch_store_calls(monkeypatch, app, names):
    """Record every call of these store functions made while the app had no session.

    A wrapper around the real function (the store is not mocked): it only notes when it
    was called, then runs the real query.
    """
    from store import contacts, staff

    after_end: list[str] = []
    for module, name in names:
        module = {"contacts": contacts, "staff": staff}[module]
        real = getattr(module, name)

        def watched(scope, *args, _real=real, _name=name, **kwargs):
            if scope is None or app.session is None or scope is not app.scope:
                after_end.append(_name)
            return _real(scope, *args, **kwargs)

        monkeypatch.setattr(module, name, watched)
    return after_end


def test_a_session_ended_during_a_search_and_a_filter_load_runs_no_query_for_it(crm, monkeypatch):
    async def scenario():
        from textual.worker import WorkerState

        from store import auth
        from store.errors import EndReason
        from tui.messages import StoreChanged

        app = crm.app(check_interval=3600)  # this test ends the session itself, at a known moment
        after_end = _watch_store_calls(monkeypatch, app, [
            ("contacts", "search_contacts"), ("contacts", "all_tags"), ("staff", "owner_choices")])
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, crm, "sales")
            search = app.screen
            # The store thread is busy (a slow query): what the screen asks now waits its turn.
            busy = threading.Event()
            slow_query = asyncio.ensure_future(app.backend.run(busy.wait, 60))
            search.search()
            search.load_filters()
            await pilot.pause()
            workers = [w for w in app.workers if w.node is search and w.group in ("search", "filters")]
            assert {w.group for w in workers} == {"search", "filters"}
            assert all(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in workers)
            # Revoked elsewhere; the app learns it (as its session check would) ...
            auth.revoke(crm.session("admin").scope(), "sales", hand_over_to="manager")
            app.session_ended(EndReason.REVOKED)
            # ... and the revocation's own change message reaches the screen before it goes,
            # which starts a search and a filter load after the end (the crash's path).
            search.post_message(StoreChanged({"user": {1}, "contact": {1}}, everything=True))
            busy.set()  # the queued calls reach the store thread now, before the screen is gone
            await slow_query
            await app.backend.run(lambda: None)  # everything queued before this has had its turn
            workers += [w for w in app.workers if w.node is search and w not in workers]
            await wait_for(pilot, lambda: showing(app, "LoginScreen"), what="the login screen")
            await wait_for(pilot, lambda: all(w.is_finished for w in workers), what="the workers to stop")
            assert app.session is None and app.scope is None
            assert "revoked" in str(app.screen.query_one("#login-message").render())
            assert [w for w in workers if w.state == WorkerState.ERROR] == []
            assert after_end == [], f"store queries ran after the session ended: {after_end}"
            errors = [n.message for n in app._notifications if n.severity == "error"]
            assert errors == [], f"error messages shown: {errors}"  # only the login screen's
            assert app.is_running
    asyncio.run(scenario())


def test_the_backend_refuses_a_call_for_an_ended_session(crm):
    """The guarantee underneath: a call made for a scope that is no longer the session's
    is refused with SessionEnded, whether it was made before or after the end."""
    async def scenario():
        import pytest

        from store import contacts
        from store.errors import SessionEnded
        from tui.backend import Backend

        backend = Backend()
        try:
            scope = crm.session("manager").scope()
            backend.scope = scope
            assert await backend.run_as(scope, contacts.all_tags) is not None
            busy = threading.Event()
            slow = asyncio.ensure_future(backend.run(busy.wait, 60))
            queued = asyncio.ensure_future(backend.run_as(scope, contacts.all_tags))
            backend.scope = None  # the session ends while the call waits its turn
            busy.set()
            await slow
            with pytest.raises(SessionEnded):
                await queued
            with pytest.raises(SessionEnded):
                await backend.run_as(scope, contacts.all_tags)
        finally:
            backend.shutdown()
    asyncio.run(scenario())
