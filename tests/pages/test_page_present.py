"""Presenter mode as a presenter uses it (AppTest): slides from the address, next and previous, the
slide number kept in the address, board figures whatever view was asked for, and no controls."""

import pytest

from analytics.board import briefing
from analytics.demo import demo
from analytics.store.store import Store
from tests.apptest import assert_no_exception, open_page, read, shown_text
from tests.conftest import seed_tiny
from tests.police_area import boundaries, load, street_files

YEAR_2025 = {"period": "custom", "from": "2025-01-01", "to": "2025-12-31"}
YEAR_2024 = {"period": "custom", "from": "2024-01-01", "to": "2024-12-31"}
SLIDES = ["Headline figures", "What changed", "Signals worth a look", "Which harms go together",
          "Where harm concentrates", "Places to act on first"]


@pytest.fixture
def tiny_db(tmp_path):
    path = tmp_path / "tiny.duckdb"
    store = Store(path)
    seed_tiny(store)
    store.close()
    return path


def present(db, monkeypatch, **query):
    return open_page(db, None, {**YEAR_2025, "present": "1", **query}, monkeypatch)


def heading(at) -> str:
    """The slide's section, the first part of its title (the rest says what it covers)."""
    return read(at.title[0].value).split(": ")[0]


def test_the_slides_follow_the_briefing_in_order():
    assert [briefing.BUILDERS[k].__name__ for k in briefing.SLIDE_ORDER] == [
        "_overview", "_what_changed", "_trends", "_overlap", "_places", "_priorities"]


def test_the_address_opens_the_slide_it_names_with_no_sidebar(tiny_db, monkeypatch):
    at = present(tiny_db, monkeypatch, slide="3")
    assert_no_exception(at)
    assert heading(at) == "Signals worth a look"
    assert "Slide 3 of 6." in shown_text(at)
    assert not at.sidebar.children or not list(at.sidebar)  # no filters, no navigation
    assert not at.multiselect and not at.selectbox and not at.radio


def test_next_and_previous_step_through_every_slide_and_keep_the_number_in_the_address(
        tiny_db, monkeypatch):
    at = present(tiny_db, monkeypatch, slide="1")
    assert at.button(key="previous").disabled
    seen = [heading(at)]
    while not at.button(key="next").disabled:
        at.button(key="next").click().run()
        assert_no_exception(at)
        seen.append(heading(at))
        assert at.query_params["slide"] == [str(len(seen))] or \
            at.query_params["slide"] == str(len(seen))
    assert seen == SLIDES
    at.button(key="previous").click().run()
    assert heading(at) == SLIDES[-2]


@pytest.mark.parametrize(("asked", "shown"), [("99", 6), ("0", 1), ("two", 1), (None, 1)])
def test_a_slide_number_out_of_range_opens_the_nearest_slide(tiny_db, monkeypatch, asked, shown):
    at = present(tiny_db, monkeypatch, **({"slide": asked} if asked else {}))
    assert_no_exception(at)
    assert heading(at) == SLIDES[shown - 1]


def test_presenter_mode_always_shows_the_board_view(tiny_db, monkeypatch):
    # 2 young people in 2024: an analyst sees 2; a room full of people must not
    at = open_page(tiny_db, None, {**YEAR_2024, "view": "analyst", "present": "1", "slide": "1"},
                   monkeypatch)
    assert_no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Young people affected"] == "<5" and metrics["Incidents"] == "<5"
    assert "Board view" in shown_text(at)


def test_the_slides_use_the_filters_in_the_address(tiny_db, monkeypatch):
    at = present(tiny_db, monkeypatch, slide="1")
    assert {m.label: m.value for m in at.metric}["Incidents"] == "10"
    at = present(tiny_db, monkeypatch, slide="1", ward="W2")
    assert {m.label: m.value for m in at.metric}["Incidents"] == "<5"
    assert "wards: Birch" in " ".join(read(m.value) for m in at.markdown)  # the chart's caption


def test_every_slide_title_names_the_ward_the_harm_and_the_period(tiny_db, monkeypatch):
    at = present(tiny_db, monkeypatch, slide="1", ward="W2", risk="cce")
    for number in range(1, len(SLIDES) + 1):
        title = read(at.title[0].value)
        assert title == (f"{SLIDES[number - 1]}: Birch; criminal exploitation; "
                         "1 January 2025 to 31 December 2025"), title
        if number < len(SLIDES):
            at.button(key="next").click().run()
    whole = present(tiny_db, monkeypatch, slide="4", period="12m")
    assert read(whole.title[0].value).startswith(
        "Which harms go together: the whole borough; all harms; 12 months to ")


def test_a_link_the_deck_cannot_use_says_so_on_the_first_slide(tiny_db, monkeypatch):
    at = present(tiny_db, monkeypatch, slide="1", ward="NOPE",
                 **{"period": "custom", "from": "2025-12-31", "to": "2025-01-01"})
    warnings = " ".join(read(w.value) for w in at.warning)
    assert "unknown ward ('NOPE')" in warnings and "not in order" in warnings
    assert "the whole borough" in read(at.title[0].value)
    at.button(key="next").click().run()
    assert not at.warning  # said once, on the first slide


def test_counts_not_about_children_are_never_hidden(tiny_db, monkeypatch):
    at = present(tiny_db, monkeypatch, slide="1", ward="W2")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Incidents"] == "<5" and metrics["Wards with incidents"] == "1"
    assert metrics["Places with incidents"] not in ("<5", "0")


def test_leaving_goes_back_to_the_dashboard_with_the_same_filters(tiny_db, monkeypatch):
    at = present(tiny_db, monkeypatch, slide="2", risk="cce")
    at.button(key="leave").click().run()
    assert_no_exception(at)
    assert at.title[0].value == "Overview"
    assert "present" not in at.query_params and "slide" not in at.query_params
    # the filters stay in the address, so the sidebar reads them back (tests/test_browser.py
    # follows it in a real browser; AppTest runs the page alone after a switch)
    assert at.query_params["risk"] in ("cce", ["cce"])
    assert at.query_params["from"] in ("2025-01-01", ["2025-01-01"])


def test_every_page_offers_presenter_mode_with_its_filters(tiny_db, monkeypatch):
    at = open_page(tiny_db, "pages/trends.py", {**YEAR_2025, "risk": "cce"}, monkeypatch)
    link = next(e for e in at.get("page_link") if e.proto.label == "Present")
    assert link.proto.page == "present" or "present" in link.proto.page
    assert "present=1" in link.proto.query_string and "risk=cce" in link.proto.query_string


def test_a_slide_keeps_only_the_points_that_fit_on_the_screen_with_its_caption():
    from ui.components import slide_points

    long = "Concern: abuse in relationships in a ward, three months close to the upper limit. " * 2
    beside = slide_points([long] * 5, beside_chart=True, room_px=450, caption="Board view.")
    assert 1 <= len(beside) < 5 and all(p.startswith("##### ") for p in beside)
    across = slide_points([long] * 5, beside_chart=False, room_px=450, caption="Board view.")
    assert len(across) > len(beside)  # a line across the slide holds more words
    long_caption = slide_points([long] * 5, beside_chart=True, room_px=450, caption="x" * 400)
    assert len(long_caption) < len(beside)


def test_a_slide_sets_short_points_larger_and_always_shows_its_first_point():
    from ui.components import slide_points

    assert slide_points(["Harm fell."] * 3, beside_chart=True, room_px=450,
                        caption="c") == ["#### Harm fell\\."] * 3  # escaped Markdown
    assert len(slide_points(["word " * 200], beside_chart=True, room_px=100, caption="c")) == 1


def test_real_data_beside_a_demo_kept_apart_is_never_called_the_demo(tmp_path, monkeypatch):
    path = tmp_path / "real.duckdb"
    store = Store(path)
    demo.generate(store, incidents=demo.MIN_INCIDENTS)
    load(store, ("wards.geojson", boundaries("wards")))  # the demo is kept apart, not removed
    load(store, *street_files())
    store.close()
    at = open_page(path, None, {"present": "1", "slide": "1", "period": "all"}, monkeypatch)
    assert_no_exception(at)
    assert "Crimes" in shown_text(at)  # the real area's street crime
    assert "Fictional demo" not in shown_text(at)
