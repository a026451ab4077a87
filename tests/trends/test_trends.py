"""Trends over the hand-written trend borough (tests/trend_fixture.py): counts, windows, SPC per
series, signals, seasonality and the tables behind the charts."""

from datetime import date

import pandas as pd
import pytest

from analytics.demo import demo
from analytics.store.filters import Filters, period_dates
from analytics.store.reference import data_facts
from analytics.store.store import Store
from analytics.trends import trends
from tests.trend_fixture import MONTHS, SERIES, seed_trend_borough

YEAR_2025 = Filters(start=date(2025, 1, 1), end=date(2025, 12, 31), period="custom")
ALL = Filters(start=date(2024, 1, 1), end=date(2025, 12, 31), period="custom")


@pytest.fixture
def borough() -> Store:
    store = Store()
    seed_trend_borough(store)
    return store


@pytest.fixture
def con(borough):
    return borough.cursor()


def monthly(name: str) -> list[int]:
    return SERIES[name][4]


# ---- the window ---------------------------------------------------------------------------------

def test_a_twelve_month_period_reaches_back_to_24_months_of_history(con):
    win = trends.window(con, YEAR_2025)
    assert len(win.periods) == 24 and win.first == date(2024, 1, 1)
    assert win.last_day == date(2025, 12, 31)
    assert win.extended and win.chosen_start == date(2025, 1, 1)
    assert "reaching back before the chosen period" in win.describe()


def test_history_never_reaches_before_the_data_begins(con):
    win = trends.window(con, Filters(start=date(2025, 7, 1), end=date(2025, 12, 31)),
                        min_months=36)
    assert win.first == date(2024, 1, 1)


def test_a_period_already_long_enough_is_not_extended(con):
    assert not trends.window(con, ALL).extended


def test_a_month_the_period_stops_part_way_through_is_left_out_with_a_note(con):
    win = trends.window(con, Filters(start=date(2024, 1, 1), end=date(2025, 6, 15)))
    assert win.periods[-1] == pd.Timestamp("2025-05-01")
    assert win.left_out.startswith("June 2025 is left out")


def test_without_a_recorded_load_the_latest_incidents_month_is_incomplete():
    store = Store()
    seed_trend_borough(store, with_extract=False)  # latest incident: 10 December 2025
    win = trends.window(store.cursor(), ALL)
    assert win.periods[-1] == pd.Timestamp("2025-11-01")
    assert "10 December 2025" in win.left_out


def test_weeks_run_monday_to_sunday_and_only_whole_weeks_count(con):
    win = trends.window(con, Filters(start=date(2025, 7, 1), end=date(2025, 12, 31)), "week")
    assert all(p.weekday() == 0 for p in win.periods)
    assert win.periods[-1] == pd.Timestamp("2025-12-22")  # 22 to 28 December; 29 to 31 is part
    assert win.periods[0] <= pd.Timestamp("2025-07-07")


def test_an_empty_store_has_no_window():
    assert trends.window(Store().cursor(), YEAR_2025) is None


# ---- counts -------------------------------------------------------------------------------------

def test_months_without_incidents_are_filled_with_zero(con):
    frame = trends.counts(con, ALL, split="risk_type")
    radical = frame[frame["key"] == "radicalisation"]
    assert len(radical) == 24 and radical["count"].tolist() == monthly("D")
    assert len(frame) == 4 * 24


def test_overall_counts_add_the_series_month_by_month(con):
    frame = trends.counts(con, ALL)
    expected = [sum(SERIES[s][4][i] for s in SERIES) for i in range(24)]
    assert frame["count"].tolist() == expected and set(frame["label"]) == {"Incidents"}


def test_a_split_by_ward_names_incidents_with_no_ward_not_recorded(con):
    frame = trends.counts(con, ALL, split="ward")
    totals = frame.groupby("label")["count"].sum().to_dict()
    assert totals == {"Alder": sum(monthly("A")), "Birch": sum(monthly("B")),
                      "Cedar": sum(monthly("C")), "Not recorded": sum(monthly("D"))}


def test_young_people_are_counted_once_each_a_month(con):
    frame = trends.counts(con, ALL, measure="young_people", split="ward")
    alder = frame[frame["key"] == "W1"]["count"].tolist()
    assert alder == [min(n, 2) for n in monthly("A")]


def test_rates_are_per_1000_children_of_wards_with_a_known_population(con):
    frame = trends.counts(con, ALL, measure="rate", split="ward")
    assert set(frame["key"]) == {"W1", "W2"}  # Cedar's population is unknown
    birch = frame[frame["key"] == "W2"]
    assert birch["value"].tolist() == pytest.approx([n / 2000 * 1000 for n in monthly("B")])
    overall = trends.counts(con, ALL, measure="rate")
    first = (monthly("A")[0] + monthly("B")[0]) / 3000 * 1000
    assert overall["value"].iloc[0] == pytest.approx(first)


def test_a_risk_filter_keeps_only_its_risk_types_in_the_split(con):
    f = Filters(start=ALL.start, end=ALL.end, risk_types=("cse",))
    frame = trends.counts(con, f, split="risk_type")
    assert set(frame["key"]) == {"cse"} and frame["count"].sum() == sum(monthly("B"))


def test_splits_by_context_type_and_agency_use_plain_labels(con):
    assert "Park or open space" in set(trends.counts(con, ALL, split="context_type")["label"])
    assert "Children's social care" in set(trends.counts(con, ALL, split="agency")["label"])


def test_an_unknown_split_or_measure_is_refused_by_name(con):
    with pytest.raises(ValueError, match="Unknown split 'ward_code; DROP"):
        trends.counts(con, ALL, split="ward_code; DROP")
    with pytest.raises(ValueError, match="Unknown measure"):
        trends.counts(con, ALL, measure="people")


# ---- SPC per series -----------------------------------------------------------------------------

def test_the_split_series_come_largest_first_with_what_each_shows(con):
    view = trends.trend_view(con, YEAR_2025, split="ward")
    # totals 88, 84, 70, 4
    assert [s.label for s in view.series] == ["Alder", "Birch", "Cedar", "Not recorded"]
    said = {s.label: s.sentence for s in view.series}
    assert said["Alder"] == "Above the average for 8 months in a row, since May 2025"
    assert said["Cedar"] == "November 2025 was above the upper limit"
    assert said["Birch"].startswith("No sign of real change")
    assert said["Not recorded"].startswith("Too rare to tell a real change from noise")


def test_the_headline_puts_the_label_before_the_finding(con):
    alder = trends.trend_view(con, YEAR_2025, split="ward").series[0]
    assert alder.headline == "Alder: above the average for 8 months in a row, since May 2025"


def test_a_rate_too_rare_for_limits_is_judged_on_its_counts(con):
    # 1 incident a month in a ward of 1,000 children is a rate of 1; the rarity threshold follows
    frame = trends.counts(con, ALL, measure="rate", split="ward")
    alder = frame[frame["key"] == "W1"]
    series = trends.judge("W1", "Alder", alder, trends.spc_options(), "month")
    assert series.result.options.min_mean == pytest.approx(1.0)
    assert series.result.kind == "xmr"


def test_fixed_limits_and_a_change_point_reach_every_series(con):
    view = trends.trend_view(con, YEAR_2025, split="ward", fix_after=12,
                             change_point=date(2025, 1, 1))
    assert view.overall.result.options.change_points == (date(2025, 1, 1),)
    assert view.overall.result.options.fix_after_n_points == 12
    assert all(len(s.result.segments) == 2 for s in view.series)


def test_limits_fixed_on_fewer_than_twelve_points_are_refused_with_a_clear_message(con):
    with pytest.raises(ValueError, match="12 or more points"):
        trends.trend_view(con, YEAR_2025, fix_after=6)


def test_the_board_sees_the_same_signals_but_rounded_values_and_no_exact_average(con):
    exact = trends.trend_view(con, YEAR_2025, split="ward", view="analyst").series[0]
    board = trends.trend_view(con, YEAR_2025, split="ward", view="board").series[0]
    assert board.sentence == exact.sentence  # one story: a signal is not a count
    assert list(board.counts["count"]) == list(exact.counts["count"])  # still known, to hide
    assert set(board.counts["shown"] % 5) == {0}
    table = trends.xmr_table(board, "board", "incidents", "month")
    assert not {"Average", "Lower limit", "Upper limit"} & set(table.columns)
    assert "Average" in trends.xmr_table(exact, "lead", "incidents", "month")


def test_an_empty_selection_gives_an_empty_view(con):
    f = Filters(start=ALL.start, end=ALL.end, risk_types=("trafficking",))
    view = trends.trend_view(con, f, split="ward")
    assert view.overall.total == 0 and view.series == ()


def test_a_rate_with_no_known_population_says_why(con):
    f = Filters(start=ALL.start, end=ALL.end, wards=("W3",))
    view = trends.trend_view(con, f, measure="rate")
    assert view.overall is None and "no rate" in view.notes[-1]


# ---- interventions ------------------------------------------------------------------------------

def test_interventions_in_the_window_are_listed_with_a_label(con):
    frame = trends.interventions(con, YEAR_2025, trends.window(con, YEAR_2025))
    assert frame["label"].tolist() == ["Guardianship at Birch Station",
                                       "Detached youth work at Alder Park"]


def test_an_intervention_with_no_type_is_labelled_by_what_is_being_done_or_as_an_intervention(
        con):
    con.execute("UPDATE interventions SET intervention_type = NULL WHERE intervention_id = 'V1'")
    con.execute("UPDATE interventions SET intervention_type = NULL, description = NULL "
                "WHERE intervention_id = 'V2'")
    frame = trends.interventions(con, YEAR_2025, trends.window(con, YEAR_2025))
    described = con.execute("SELECT description FROM interventions WHERE intervention_id = 'V1'"
                            ).fetchone()[0]
    assert frame["label"].tolist() == ["Intervention at Birch Station",
                                       f"{described[:1].upper()}{described[1:]} at Alder Park"]


def test_interventions_follow_the_ward_and_context_type_filters(con):
    f = Filters(start=YEAR_2025.start, end=YEAR_2025.end, wards=("W1",))
    assert trends.interventions(con, f, trends.window(con, f))["intervention_id"].tolist() == [
        "V1"]
    f = Filters(start=YEAR_2025.start, end=YEAR_2025.end, context_types=("transport_hub",))
    assert trends.interventions(con, f, trends.window(con, f))["intervention_id"].tolist() == [
        "V2"]


def test_change_point_choices_name_the_intervention_that_started_that_month(con):
    choices = trends.change_point_choices(trends.trend_view(con, YEAR_2025))
    assert date(2024, 1, 1) not in choices  # not the first month
    assert choices[date(2025, 1, 1)] == "January 2025 (Detached youth work at Alder Park started)"


# ---- signals for every risk type x ward ---------------------------------------------------------

def test_signals_find_the_rising_ward_and_the_spike_and_nothing_else(con):
    table = trends.signals(con, YEAR_2025)
    found = table.frame.set_index(["key_a", "key_b"])
    assert list(found.index) == [("cce", "W1"), ("missing", "W3")]
    alder = found.loc[("cce", "W1")]
    assert (alder["rule"], alder["since"], alder["assessment"]) == (
        "run", pd.Timestamp("2025-05-01"), "concern")
    assert found.loc[("missing", "W3"), "rule"] == "beyond_limit"
    assert table.judged == 3 and table.too_small == 0  # radicalisation has no ward: left out
    assert table.current_concerns == 2


def test_series_too_rare_to_judge_are_counted_not_judged(con):
    table = trends.signals(con, YEAR_2025, by=("context_type",))
    assert table.too_small == 1  # online: 4 incidents in 24 months
    assert set(table.frame["key_a"]) == {"park", "school"}


def test_top_signals_put_the_latest_concern_first_in_words(con):
    top = trends.top_signals(con, YEAR_2025, n=5)
    assert top["headline"].tolist() == [
        "Criminal exploitation in Alder: above the average for 8 months in a row, since May 2025",
        "Going missing in Cedar: November 2025 was above the upper limit",
    ]
    assert len(trends.top_signals(con, YEAR_2025, n=1)) == 1


def test_no_signals_in_an_empty_selection(con):
    f = Filters(start=ALL.start, end=ALL.end, risk_types=("trafficking",))
    assert trends.signals(con, f).frame.empty and trends.top_signals(con, f).empty


def test_the_signal_table_reads_plainly(con):
    shown = trends.signal_table_for_display(trends.signals(con, YEAR_2025), "lead")
    assert shown.columns.tolist() == ["Risk type", "Ward", "What changed", "Since", "Direction",
                                      "Still going", "Incidents (24 months)"]
    assert shown.iloc[0].tolist() == [
        "Criminal exploitation", "Alder", "Above the average for 8 months in a row", "May 2025",
        "Up (concern)", "Yes", "88"]


def test_a_home_is_named_as_every_other_page_names_it_never_by_its_street(borough):
    from analytics.places.places import shareable_name

    with borough.transaction() as cur:
        cur.execute("INSERT INTO contexts (context_id, name, context_type, ward_code) VALUES "
                    "('C9', '12 Acacia Avenue', 'residential', 'W1')")
    for view in ("board", "lead", "analyst"):
        labels = trends._labeller(borough.cursor(), "context", view=view)
        assert labels["C9"] == shareable_name("12 Acacia Avenue", "residential", "Alder", view)
        assert labels["C1"] == "Alder Park"
    assert trends._labeller(borough.cursor(), "context")["C9"] == "A home address in Alder"


# ---- seasonality --------------------------------------------------------------------------------

def test_year_on_year_compares_the_average_month_with_the_year_before(con):
    season = trends.seasonality(con, YEAR_2025)
    totals = [sum(SERIES[s][4][i] for s in SERIES) for i in range(24)]
    assert season.recent == pytest.approx(sum(totals[12:]) / 12)
    assert season.previous == pytest.approx(sum(totals[:12]) / 12)
    change = season.recent / season.previous - 1
    assert trends.year_on_year_sentence(season, "incidents") == (
        f"In the 12 months to December 2025, {change:.0%} more incidents a month than the 12 "
        "before")


def test_the_month_of_year_profile_averages_each_calendar_month(con):
    season = trends.seasonality(con, YEAR_2025)
    nov = season.profile.set_index("month").loc[11]
    totals = [sum(SERIES[s][4][i] for s in SERIES) for i in range(24)]
    assert nov["months"] == 2 and nov["value"] == pytest.approx((totals[10] + totals[22]) / 2)
    assert trends.profile_sentence(season, "incidents").startswith(
        "Over 2 years, November has averaged the most incidents")


def test_seasonality_of_nothing_says_so(con):
    season = trends.seasonality(Store().cursor(), YEAR_2025)
    assert trends.year_on_year_sentence(season, "incidents") == (
        "Not enough months to compare incidents year on year")
    assert trends.profile_sentence(season, "incidents") == (
        "No month of the year stands out for incidents")


# ---- tables (suppressed as the view requires) ---------------------------------------------------

def test_the_chart_table_hides_small_counts_in_the_board_view_only(con):
    view = trends.trend_view(con, ALL, split="risk_type")
    rare = next(s for s in view.series if s.key == "radicalisation")
    board = trends.xmr_table(rare, "board", "incidents", "month")
    analyst = trends.xmr_table(rare, "analyst", "incidents", "month")
    assert board["Incidents"].tolist()[:3] == ["0", "0", "<5"]
    assert analyst["Incidents"].tolist()[:3] == ["0", "0", "1"]
    assert board["Month"].iloc[0] == "January 2024"


def test_the_chart_table_says_what_each_point_shows(con):
    alder = trends.trend_view(con, ALL, split="ward").series[0]
    table = trends.xmr_table(alder, "analyst", "incidents", "month")
    assert table["Reading"].iloc[-1] == "Concern: 7 or more in a row above the average"
    assert table["Reading"].iloc[0] == "Common cause"
    assert {"Average", "Lower limit", "Upper limit"} <= set(table.columns)


def test_rate_tables_show_rates_but_hide_those_resting_on_small_counts(con):
    frame = trends.counts(con, ALL, measure="rate", split="ward")
    alder = trends.judge("W1", "Alder", frame[frame["key"] == "W1"], trends.spc_options(), "month")
    table = trends.xmr_table(alder, "board", "rate", "month")
    assert table["Incidents per 1,000 children"].tolist()[:2] == ["5.00", "<5"]


def test_the_months_in_the_fixture_are_the_months_of_the_window(con):
    assert trends.window(con, ALL).periods.equals(pd.DatetimeIndex(MONTHS))


def test_the_small_multiples_table_suppresses_small_totals(con):
    view = trends.trend_view(con, YEAR_2025, split="ward")
    table = trends.series_table(view, "lead")
    assert table.columns.tolist() == ["Ward", "What it shows", "Incidents in the window"]
    assert dict(zip(table["Ward"], table["Incidents in the window"], strict=True)) == {
        "Alder": "88", "Birch": "84", "Cedar": "70", "Not recorded": "<5"}
    board = trends.series_table(view, "board")
    assert dict(zip(board["Ward"], board["Incidents in the window"], strict=True)) == {
        "Alder": "90", "Birch": "85", "Cedar": "70", "Not recorded": "<5"}


def test_the_interventions_table_gives_uk_dates(con):
    frame = trends.interventions(con, YEAR_2025, trends.window(con, YEAR_2025))
    table = trends.interventions_table(frame)
    assert table["Started"].tolist() == ["3 June 2024", "15 January 2025"]


# ---- the demo borough's planted changes ---------------------------------------------------

@pytest.fixture(scope="module")
def last_12_months(demo_store) -> Filters:
    facts = data_facts(demo_store.cursor())
    start, end = period_dates("12m", facts.latest_incident, facts.first_incident)
    return Filters(start=start, end=end, period="12m")


def test_the_demos_rising_ward_is_a_current_concern(demo_store, last_12_months):
    wards = trends.signals(demo_store.cursor(), last_12_months, by=("ward",)).frame
    rising = wards[wards["key_a"] == demo.PLANTED["rising_ward"]].iloc[0]
    assert rising["current"] and rising["assessment"] == "concern" and rising["side"] == 1


def test_the_demos_rising_ward_leads_the_signals_worth_a_look(demo_store, last_12_months):
    pairs = trends.signals(demo_store.cursor(), last_12_months).current
    in_ward = pairs[(pairs["key_b"] == demo.PLANTED["rising_ward"])
                    & (pairs["assessment"] == "concern")]
    assert len(in_ward) >= 3  # the rise shows in several risk types, not one by chance
    top = trends.top_signals(demo_store.cursor(), last_12_months, n=5)
    assert top["key_b"].iloc[0] == demo.PLANTED["rising_ward"]
    assert top["headline"].iloc[0].startswith(
        f"Larkspur Vale: harm rising in {len(in_ward)} risk types at once (")
    # told once, so the rest of the list is about other wards
    assert demo.PLANTED["rising_ward"] not in set(top["key_b"].iloc[1:])
    assert len(top) == 5


def test_the_demos_rising_place_is_a_current_concern(demo_store, last_12_months):
    places = trends.signals(demo_store.cursor(), last_12_months, by=("context",)).frame
    hotel = places[places["key_a"] == demo.PLANTED["rising_context"]].iloc[0]
    assert hotel["current"] and hotel["assessment"] == "concern"


def test_harm_falling_after_the_demos_working_intervention_reads_as_improvement(
        demo_store, last_12_months):
    places = trends.signals(demo_store.cursor(), last_12_months, by=("context",)).frame
    park = places[places["key_a"] == demo.PLANTED["intervention_context"]].iloc[0]
    assert park["assessment"] == "improvement" and park["side"] == -1


def test_the_demos_null_intervention_shows_no_signal(demo_store, last_12_months):
    places = trends.signals(demo_store.cursor(), last_12_months, by=("context",)).frame
    assert demo.PLANTED["null_intervention_context"] not in set(places["key_a"])
