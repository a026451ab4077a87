"""The server warms the default view of every page a board member opens, in a session of its
own, at start-up and again after every load; it can be turned off."""

import asyncio
import gc
import time
from types import SimpleNamespace

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.app_session import AppSessionState

from ui import page_table, warmup


@pytest.fixture(autouse=True)
def collector_sees_everything_again():
    """A warm-up sets objects aside from the collector; the test process gets them back."""
    yield
    gc.unfreeze()


class FakeRuntime:
    """Runs nothing: answers every rerun with a finished run, and notes what was asked."""

    def __init__(self):
        self.asked, self.closed = [], []

    def connect_session(self, client, user_info):
        self.client = client
        return f"session-{len(self.closed)}"

    def handle_backmsg(self, session, msg):
        self.asked.append((session, msg.rerun_script.page_name, msg.rerun_script.query_string))
        done = ForwardMsg()
        done.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
        self.client.write_forward_msg(done)

    def close_session(self, session):
        self.closed.append(session)


def test_every_page_of_the_board_and_explore_groups_is_warmed_from_the_default_page():
    shown = [spec for g in ("For the board", "Explore") for spec in page_table.PAGES[g]]
    assert warmup.pages()[0] == ""  # the default page: the Overview
    assert len(warmup.pages()) == len(shown)
    assert "where-to-intervene" in warmup.pages() and "trends" in warmup.pages()
    assert "audit" not in warmup.pages() and "data" not in warmup.pages()


def test_the_pages_are_opened_one_after_another_in_one_session_then_it_is_closed():
    runtime = FakeRuntime()
    asyncio.run(warmup.warm_pages(runtime, ("", "trends", "places")))
    assert runtime.asked == [("session-0", "", ""), ("session-0", "trends", ""),
                             ("session-0", "places", "")]
    assert runtime.closed == ["session-0"]


def test_each_other_section_of_a_page_in_tabs_is_warmed_from_its_own_link():
    listed = warmup.sections(warmup.pages())
    assert ("places", "section=When") in listed
    assert ("where-to-intervene", "section=Places+that+look+alike") in listed
    assert ("places", "section=Map") not in listed  # the first: the page's default view
    assert sum(page == "places" for page, _ in listed) == len(page_table.SECTIONS[
        "pages/places.py"]) - 1
    assert warmup.sections(("peers", "glossary")) == ()  # only the pages warmed


def test_other_sections_are_opened_after_the_pages_each_in_a_session_of_its_own():
    runtime = FakeRuntime()
    asyncio.run(warmup.warm_pages(runtime, ("", "places"),
                                  (("places", "section=When"), ("places", "section=Wards"))))
    # A section is read from the address only when a session first draws its page.
    assert runtime.asked == [("session-0", "", ""), ("session-0", "places", ""),
                             ("session-1", "places", "section=When"),
                             ("session-2", "places", "section=Wards")]
    assert runtime.closed == ["session-0", "session-1", "session-2"]


def test_the_sections_listed_are_the_tabs_each_page_draws(tiny_db, monkeypatch):
    from tests.apptest import open_page

    for script, names in page_table.SECTIONS.items():
        at = open_page(tiny_db, script, {"period": "all", "view": "analyst"}, monkeypatch)
        assert [tab.label for tab in at.tabs] == list(names), script


def test_a_new_data_version_warms_the_pages_again(monkeypatch):
    versions = [1, 1, 2]  # then 2 for ever
    monkeypatch.setattr(warmup, "data_version",
                        lambda: versions.pop(0) if len(versions) > 1 else versions[0])
    monkeypatch.setattr(warmup, "pages", lambda: ("peers", "glossary"))
    monkeypatch.setattr(warmup, "POLL_SECONDS", 0)
    runtime = FakeRuntime()

    async def run_until_versions_are_read():
        task = asyncio.create_task(warmup.keep_warm(runtime))
        while len(runtime.closed) < 2:
            await asyncio.sleep(0)
        for _ in range(20):
            await asyncio.sleep(0)
        task.cancel()

    asyncio.run(run_until_versions_are_read())
    assert len(runtime.closed) == 2  # once at version 1, once at version 2
    assert [page for _, page, _ in runtime.asked] == ["peers", "glossary", "peers", "glossary"]


def test_after_the_pages_and_after_the_sections_what_is_alive_is_set_aside(monkeypatch):
    versions = [1, 2]  # then 2 for ever
    monkeypatch.setattr(warmup, "data_version",
                        lambda: versions.pop(0) if len(versions) > 1 else versions[0])
    monkeypatch.setattr(warmup, "pages", lambda: ("peers", "glossary"))
    monkeypatch.setattr(warmup, "sections", lambda pages: (("peers", "section=Map"),))
    monkeypatch.setattr(warmup, "POLL_SECONDS", 0)
    monkeypatch.setattr(warmup, "SECTION_QUIET_SECONDS", 0)
    done = []
    monkeypatch.setattr(warmup, "release", lambda: done.append("release"))
    monkeypatch.setattr(warmup, "set_aside", lambda: done.append("set aside"))
    runtime = FakeRuntime()
    opened = runtime.handle_backmsg

    def open_page(session, msg):
        done.append(f"warm {msg.rerun_script.page_name or 'overview'}"
                    f"{' ' + msg.rerun_script.query_string if msg.rerun_script.query_string else ''}")
        opened(session, msg)

    runtime.handle_backmsg = open_page

    async def run_until_set_aside_four_times():
        task = asyncio.create_task(warmup.keep_warm(runtime))
        while done.count("set aside") < 4:
            await asyncio.sleep(0)
        task.cancel()

    asyncio.run(run_until_set_aside_four_times())
    # Set aside once the pages are warm (people's renders stop walking them at once), again
    # after the other sections; released before a new version is warmed.
    once = ["warm peers", "warm glossary", "set aside", "warm peers section=Map", "set aside"]
    assert done == ["release", *once, "release", *once]


def test_objects_set_aside_are_left_out_of_collections_until_released():
    warmup.set_aside()
    assert gc.get_freeze_count() > 1000  # at least the modules this process imported
    warmup.release()
    assert gc.get_freeze_count() == 0


def test_it_can_be_turned_off(monkeypatch):
    monkeypatch.setenv(warmup.ENV, "0")
    assert not warmup.enabled()
    monkeypatch.setenv(warmup.ENV, "1")
    assert warmup.enabled()


class Session:
    def __init__(self, id, running, runs=0):
        self.id, self.runs = id, runs
        self._state = (AppSessionState.APP_IS_RUNNING if running
                       else AppSessionState.APP_NOT_RUNNING)


class Sessions:
    """The runtime's session manager, as far as the warm-up reads it."""

    def __init__(self, *sessions):
        self.sessions = list(sessions)

    def list_active_sessions(self):
        return [SimpleNamespace(session=s, script_run_count=s.runs) for s in self.sessions]


def test_a_person_running_a_page_is_seen_and_the_warm_ups_own_run_is_not():
    runtime = SimpleNamespace(_session_mgr=Sessions(Session("warm", True),
                                                    Session("person", False)))
    assert not warmup.people_running(runtime, own="warm")
    runtime._session_mgr.sessions[1] = Session("person", True)
    assert warmup.people_running(runtime, own="warm")


def test_without_a_session_list_the_warm_up_does_not_wait():
    assert not warmup.people_running(SimpleNamespace(), own="warm")


def test_after_the_overview_each_page_waits_until_people_s_pages_have_finished(monkeypatch):
    monkeypatch.setattr(warmup, "YIELD_POLL_SECONDS", 0)
    runtime = FakeRuntime()
    person = Session("person", True)
    runtime._session_mgr = Sessions(person)
    asked_when_polled = []
    seen = warmup.people_running

    def people_running(rt, own):
        asked_when_polled.append(len(runtime.asked))
        if len(asked_when_polled) == 3:  # the person's page finishes while the warm-up waits
            person._state = AppSessionState.APP_NOT_RUNNING
        return seen(rt, own)

    monkeypatch.setattr(warmup, "people_running", people_running)
    asyncio.run(warmup.warm_pages(runtime, ("", "trends", "places")))
    # The Overview went at once, with a person running; "trends" waited (three looks, with
    # only the Overview asked for) until their page finished; "places" looked once, went.
    assert asked_when_polled == [1, 1, 1, 2]
    assert [page for _, page, _ in runtime.asked] == ["", "trends", "places"]


def test_the_warm_up_waits_for_people_at_most_yield_seconds(monkeypatch):
    monkeypatch.setattr(warmup, "YIELD_SECONDS", 0.05)
    monkeypatch.setattr(warmup, "YIELD_POLL_SECONDS", 0.01)
    runtime = FakeRuntime()
    runtime._session_mgr = Sessions(Session("person", True))  # busy for ever
    asyncio.run(warmup.warm_pages(runtime, ("", "trends")))
    assert [page for _, page, _ in runtime.asked] == ["", "trends"]


def test_other_sections_wait_until_people_s_pages_have_been_quiet_for_a_while(monkeypatch):
    monkeypatch.setattr(warmup, "YIELD_POLL_SECONDS", 0.01)
    monkeypatch.setattr(warmup, "SECTION_QUIET_SECONDS", 0.2)
    runtime = FakeRuntime()
    person = Session("person", False)
    runtime._session_mgr = Sessions(person)
    looks: list[tuple[int, float]] = []
    seen = warmup.people_running

    def people_running(rt, own):
        looks.append((len(runtime.asked), time.perf_counter()))
        if len(looks) == 1:  # a person's page runs while the warm-up opens "trends"
            person.runs += 1
        return seen(rt, own)

    monkeypatch.setattr(warmup, "people_running", people_running)
    asyncio.run(warmup.warm_pages(runtime, ("", "trends"), (("trends", "section=Signals"),)))
    # "trends" went at its first look; the section saw the person's finished run, and waited
    # until nobody's page had been seen at work for SECTION_QUIET_SECONDS.
    assert [page for _, page, _ in runtime.asked] == ["", "trends", "trends"]
    assert [asked for asked, _ in looks[:2]] == [1, 2]
    assert looks[-1][1] - looks[1][1] > 0.2


def test_a_page_of_its_own_session_does_not_wait_for_quiet_only_for_people_to_finish(monkeypatch):
    monkeypatch.setattr(warmup, "SECTION_QUIET_SECONDS", 60)
    runtime = FakeRuntime()
    runtime._session_mgr = Sessions(Session("person", False, runs=3))
    asyncio.run(warmup.warm_pages(runtime, ("", "trends", "places")))
    assert [page for _, page, _ in runtime.asked] == ["", "trends", "places"]
