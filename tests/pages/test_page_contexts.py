"""The Where to intervene page as readers see it (AppTest over the small seeded borough)."""

import pytest

from analytics.contexts import clustering
from analytics.store.store import Store
from tests.apptest import assert_no_exception, open_page, read, shown_text
from tests.context_borough import RISING, STEADY, seed_borough

PAGE = "pages/contexts.py"
YEAR = {"period": "custom", "from": "2025-01-01", "to": "2025-12-31"}
ONE = {**YEAR, "section": "One place"}  # the page's tabs, named in the address
ALIKE = {**YEAR, "section": "Places that look alike"}


def open_section(at, name: str):
    """Click another of the page's tabs."""
    at.session_state["wti_section"] = name
    return at.run()


@pytest.fixture(scope="module")
def borough_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("borough") / "borough.duckdb"
    store = Store(path)
    seed_borough(store)
    store.close()
    return path



def test_board_sees_the_ranked_places_with_reasons_and_partners(borough_db, monkeypatch):
    at = open_page(borough_db, PAGE, YEAR, monkeypatch)
    assert_no_exception(at)
    text = shown_text(at)
    assert at.title[0].value == "Where to intervene"
    assert "**1. Quarry Lane takeaway** (takeaway or food outlet, Northgate)" in text
    assert ("Why: 40 incidents in 12 months, up from 0; rising within the 12 months: about 9 "
            "more a month") in text
    assert "Who can act: Business owner; licensing; neighbourhood policing." in text
    assert "30 places have incidents" in text


def test_board_view_hides_small_counts_and_keeps_to_the_ranked_list(borough_db, monkeypatch):
    at = open_page(borough_db, PAGE, YEAR, monkeypatch)
    assert "<5 young people seen here more than once" in shown_text(at)
    open_section(at, "One place")
    assert "The detail of one place" in shown_text(at)  # a drill-down: the lead view's
    assert not at.metric and "detail_place" not in [s.key for s in at.selectbox]


def test_lead_view_shows_one_place_with_small_counts_hidden(borough_db, monkeypatch):
    at = open_page(borough_db, PAGE, {**ONE, "view": "lead"}, monkeypatch)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Priority rank"] == "1 of 30"
    assert metrics["Seen here more than once"] == "<5"
    assert "<5 young people seen here more than once" in shown_text(
        open_section(at, "Places to act on first"))


def test_analyst_view_shows_exact_counts(borough_db, monkeypatch):
    at = open_page(borough_db, PAGE, {**ONE, "view": "analyst"}, monkeypatch)
    assert {m.label: m.value for m in at.metric}["Seen here more than once"] == "4"
    assert "4 young people seen here more than once" in shown_text(
        open_section(at, "Places to act on first"))


def test_groups_of_places_are_shown_with_trust_in_words(borough_db, monkeypatch):
    at = open_page(borough_db, PAGE, {**ALIKE, "view": "lead"}, monkeypatch)
    text = shown_text(at)
    assert "groups** (chosen by silhouette). 26 places with at least 10 incidents are grouped; " \
        "4 places with fewer are left out" in text
    assert "Trust in these groups: clear." in text
    groups = [read(e.label) for e in at.expander if read(e.label).startswith("Group ")]
    assert groups[0].startswith("Group A: ")
    assert any("night-time transport hubs with criminal exploitation" in g for g in groups)


def test_the_board_reads_the_groups_in_plain_words_with_the_method_folded(borough_db,
                                                                           monkeypatch):
    at = open_page(borough_db, PAGE, ALIKE, monkeypatch)
    text = shown_text(at)
    assert "groups** (the number that gives the clearest groups). 26 places" in text
    assert "These groups are clear: they stand well apart" in text
    folded = next(e for e in at.expander if read(e.label) == "How this was worked out")
    assert "silhouette" in " ".join(read(c.value) for c in folded.caption)
    outside = [m.value for m in at.markdown] + [c.value for c in at.main.caption]
    assert not any("silhouette" in read(v) or "principal components" in read(v)
                   for v in outside if v not in {c.value for c in folded.caption})
    assert at.selectbox(key="cl_k").value == 0  # a real default, named
    assert "Let the data choose (the clearest groups)" in at.selectbox(key="cl_k").options


def test_a_set_number_of_groups_and_the_agglomerative_method(borough_db, monkeypatch):
    at = open_page(borough_db, PAGE, ALIKE, monkeypatch)
    at.radio(key="cl_method").set_value("agglomerative")
    at.selectbox(key="cl_k").set_value(3)
    at.run()
    assert_no_exception(at)
    assert "**3 groups** (set by you)." in shown_text(at)


def test_weights_change_the_ranking(borough_db, monkeypatch):
    at = open_page(borough_db, PAGE, YEAR, monkeypatch)
    for key in ("rising", "risk_types", "repeat_people", "severity"):
        at.slider(key=f"w_{key}").set_value(0)
    at.slider(key="w_volume").set_value(5)
    at.run()
    assert_no_exception(at)
    assert "**1. Central bus station**" in shown_text(at)


def test_all_weights_at_zero_falls_back_to_the_defaults_with_a_warning(borough_db, monkeypatch):
    at = open_page(borough_db, PAGE, YEAR, monkeypatch)
    for key in ("volume", "rising", "risk_types", "repeat_people", "severity"):
        at.slider(key=f"w_{key}").set_value(0)
    at.run()
    assert_no_exception(at)
    assert "At least one weight must be above zero" in " ".join(w.value for w in at.warning)
    assert "**1. Quarry Lane takeaway**" in shown_text(at)


def test_picking_a_place_shows_its_detail(borough_db, monkeypatch):
    at = open_page(borough_db, PAGE, {**ONE, "view": "lead"}, monkeypatch)
    assert at.selectbox(key="detail_place").value == RISING
    at.selectbox(key="detail_place").set_value(STEADY)
    at.run()
    assert_no_exception(at)
    assert {m.label: m.value for m in at.metric}["Priority rank"] == "2 of 30"
    assert "**Central bus station** (transport hub, Southmead)" in shown_text(at)


def test_a_ward_filter_ranks_only_that_wards_places(borough_db, monkeypatch):
    at = open_page(borough_db, PAGE, {**YEAR, "ward": "B2"}, monkeypatch)
    assert_no_exception(at)
    listed = [m.value for m in at.markdown if m.value.startswith("**") and "priority" in m.value]
    # Online places have no ward of their own; their incidents here were recorded in Southmead.
    assert listed and all("Southmead)" in item or "(online platform)" in item for item in listed)
    assert not any("Quarry Lane" in item for item in listed)


def test_the_ranked_list_can_be_downloaded_by_a_lead(borough_db, monkeypatch):
    at = open_page(borough_db, PAGE, {**YEAR, "view": "lead"}, monkeypatch)
    labels = [read(b.proto.label) for b in at.get("download_button")]
    assert labels[0] == "Download the ranked list (CSV)"  # the pack is made first, on request
    assert not any(label.startswith("Board pack") for label in labels)
    assert at.button(key="pack-make").label == "Make the board pack"


def test_the_board_view_offers_the_board_pack_but_no_table_downloads(borough_db, monkeypatch):
    at = open_page(borough_db, PAGE, YEAR, monkeypatch)
    at.button(key="pack-make").click().run()
    labels = [read(b.proto.label) for b in at.get("download_button")]
    assert labels == ["Board pack (HTML)", "Board pack (PDF)"]
    assert "Your role cannot download tables." in shown_text(at)


def test_too_few_places_to_group_says_so(tiny_db, monkeypatch):
    at = open_page(tiny_db, PAGE, YEAR, monkeypatch)
    assert_no_exception(at)
    assert "**1. Birch Station**" in shown_text(at)
    assert f"grouping needs at least {clustering.MIN_CONTEXTS}" in shown_text(
        open_section(at, "Places that look alike"))


def test_an_empty_selection_says_so_plainly(tiny_db, monkeypatch):
    at = open_page(tiny_db, PAGE, {**YEAR, "risk": "trafficking"}, monkeypatch)
    assert_no_exception(at)
    assert "No incidents match these filters" in shown_text(at)
    assert not at.metric


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from analytics.demo import demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    store = Store(path)
    demo.generate(store)
    store.close()
    return path


def test_on_the_demo_borough_the_planted_rising_place_leads_and_groups_are_named(demo_db,
                                                                              monkeypatch):
    from analytics.demo.demo import PLANTED

    at = open_page(demo_db, PAGE, {"period": "12m", "view": "lead"}, monkeypatch)
    assert_no_exception(at)
    text = shown_text(at)
    assert "Fictional demo data" in text
    assert "**1. Larkspur Vale Lodge Hotel** (hotel, Larkspur Vale)" in text
    assert open_section(at, "One place").selectbox(key="detail_place").value == \
        PLANTED["rising_context"]
    assert "Trust in these groups:" in shown_text(open_section(at, "Places that look alike"))
    groups = [read(e.label) for e in at.expander if read(e.label).startswith("Group ")]
    assert any("schools and colleges with harmful sexual behaviour" in g for g in groups)
