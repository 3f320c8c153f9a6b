"""What someone waits for never waits behind what nobody waits for: a contact opened while a
reload of the list or a count is under way comes back during it (traced under load: the
Enter waited behind them for 0.4 to 1.5 s); those run on a second thread, after the answer
is painted.  Calls on one thread keep the order they came in, and nothing queued runs after
the app has shut the threads."""
from __future__ import annotations

import asyncio
import threading

import pytest


def test_a_call_someone_waits_for_never_waits_behind_a_background_call_under_way(crm):
    """A reload of the list after an import's chunk took up to a second under load at 100,000
    contacts; on one thread with the Enter's contact, the contact waited for all of it."""
    from store import contacts
    from tui.backend import Backend

    async def scenario():
        backend = Backend()
        ran: list[str] = []

        def noted(name):
            def call(scope):
                ran.append(name)
                return contacts.all_tags(scope)  # a real store call, as the session
            return call

        try:
            scope = crm.session("manager").scope()
            backend.scope = scope
            reloading, done_reloading = threading.Event(), threading.Event()

            def long_reload(scope):
                reloading.set()
                done_reloading.wait(60)  # still reloading while the contact is asked for
                ran.append("the reload")

            reload = asyncio.ensure_future(backend.run_as(scope, long_reload, background=True))
            queued = asyncio.ensure_future(backend.run_as(scope, noted("the filters"), background=True))
            for _ in range(6000):  # until the reload is under way (a minute at most)
                if reloading.is_set():
                    break
                await asyncio.sleep(0.01)
            await asyncio.wait_for(backend.run_as(scope, noted("the contact")), 60)
            await asyncio.wait_for(backend.run_as(scope, noted("the save")), 60)
            assert ran == ["the contact", "the save"]  # while the reload is still under way
            done_reloading.set()
            backend.release_background()  # (the app does this once it has painted the answer)
            await asyncio.wait_for(asyncio.gather(reload, queued), 60)
            assert ran == ["the contact", "the save", "the reload", "the filters"]  # in their order
        finally:
            backend.shutdown()

    asyncio.run(scenario())


def test_calls_still_queued_when_the_app_shuts_the_store_thread_are_cancelled_not_run():
    from tui.backend import Backend

    async def scenario():
        backend = Backend()
        started, busy = threading.Event(), threading.Event()
        ran: list[str] = []

        def under_way():
            started.set()
            busy.wait(60)

        running = asyncio.ensure_future(backend.run(under_way, background=True))
        later = asyncio.ensure_future(backend.run(ran.append, "late", background=True))
        for _ in range(6000):  # until the first call is under way (a minute at most)
            if started.is_set():
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0)
        backend.shutdown()  # the app leaving
        busy.set()
        await asyncio.wait_for(running, 60)
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(later, 60)
        assert ran == []
        with pytest.raises(RuntimeError):
            await backend.run(ran.append, "after")

    asyncio.run(scenario())


def test_after_an_answer_someone_waited_for_the_background_waits_until_the_app_has_painted_it(monkeypatch):
    """Run at once, the reloads held the GIL through the answer's layout and paint."""
    from tui.backend import Backend, StoreThread

    monkeypatch.setattr(StoreThread, "HOLD_S", 600.0)  # only the app's release lets them go here

    async def scenario():
        backend = Backend()
        released: list[bool] = []
        backend.after_answer = lambda: released.append(True)
        ran: list[str] = []
        try:
            await backend.run(ran.append, "the contact")
            assert released == [True]  # the app is told the answer is back
            reload = asyncio.ensure_future(backend.run(ran.append, "a reload", background=True))
            await asyncio.sleep(0)
            await backend.run(ran.append, "a keystroke's page")  # the store thread is free
            assert ran == ["the contact", "a keystroke's page"]  # the reload still waits
            backend.release_background()  # painted
            await asyncio.wait_for(reload, 60)
            assert ran[-1] == "a reload"
        finally:
            backend.shutdown()

    asyncio.run(scenario())


def test_a_count_under_way_never_holds_up_the_contact_asked_for_meanwhile(crm):
    """A count runs aside, on a connection of its own: under load one took the store
    thread for 0.8 s, and the Enter's contact waited behind it."""
    from store import contacts
    from tui.backend import Backend

    async def scenario():
        backend = Backend()
        try:
            scope = crm.session("manager").scope()
            backend.scope = scope
            counting, done_counting = threading.Event(), threading.Event()

            def long_count(scope):
                counting.set()
                done_counting.wait(60)  # still counting while the contact is asked for
                return contacts.count_contacts(scope, "")

            count = asyncio.ensure_future(backend.run_as(scope, long_count, aside=True))
            for _ in range(6000):
                if counting.is_set():
                    break
                await asyncio.sleep(0.01)
            first = await asyncio.wait_for(backend.run_as(scope, contacts.search_contacts, "", limit=1), 60)
            assert first and not count.done()  # the contact's call came back during the count
            done_counting.set()
            assert await asyncio.wait_for(count, 60) >= 1
        finally:
            backend.shutdown()

    asyncio.run(scenario())
