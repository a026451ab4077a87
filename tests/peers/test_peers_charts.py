"""Peer-group figures: what each view may see, colours and shapes, hidden small counts."""

import pytest

from analytics.peers import peers, peers_charts
from analytics.store.store import Store
from analytics.style.charts import PALETTE
from tests.peers.test_peers import YEAR
from tests.peers_borough import seed_peers


@pytest.fixture(scope="module")
def network() -> peers.PeerNetwork:
    store = Store()
    seed_peers(store)
    return peers.peer_groups(store.cursor(), YEAR)


def test_the_person_network_colours_chosen_groups_and_greys_the_rest(network):
    layout = peers.person_layout(network)
    fig = peers_charts.person_network(network, layout, ("Group 2",), "t")
    nodes = [t for t in fig.data if t.mode == "markers"]
    assert [t.name for t in nodes] == ["Other groups", "Group 2"]
    assert nodes[1].marker.color == PALETTE[0] and nodes[0].marker.color == peers_charts.GREY
    assert sum(len(t.x) for t in nodes) == len(network.people)
    assert "P06" in {row[0] for row in nodes[1].customdata}


def test_at_most_four_groups_are_highlighted(network):
    layout = peers.person_layout(network)
    fig = peers_charts.person_network(network, layout, tuple(f"Group {i}" for i in range(1, 7)),
                                      "t")
    coloured = {t.marker.color for t in fig.data if t.mode == "markers"} - {peers_charts.GREY}
    assert len(coloured) <= peers_charts.HIGHLIGHT_MAX


def test_the_board_group_network_has_no_person_ids_and_no_small_groups(network):
    bridges = peers.bridges_from(network.places)
    fig = peers_charts.group_network(network, bridges, "board", ("Group 1",), "t")
    text = fig.to_json()
    assert not any(f'"P{n:02d}' in text for n in range(1, 14))
    drawn = [str(label) for t in fig.data if t.mode == "markers+text" and t.name != (
        "Places groups share") for label in t.text]
    assert sorted(drawn) == ["1", "2"]  # Group 3 has two young people: not drawn in this view
    analyst = peers_charts.group_network(network, bridges, "analyst", ("Group 1",), "t")
    drawn = [str(label) for t in analyst.data if t.mode == "markers+text" and t.name != (
        "Places groups share") for label in t.text]
    assert sorted(drawn) == ["1", "2", "3"]


def test_the_board_group_network_is_drawn_empty_when_every_group_is_too_small(network):
    small = peers.PeerNetwork(**{**network.__dict__,
                                 "groups": network.groups.assign(size=2)})
    fig = peers_charts.group_network(small, peers.bridges_from(network.places), "board", (), "t")
    assert not [t for t in fig.data if t.mode == "markers+text" and t.name != (
        "Places groups share")]


def test_group_hover_suppresses_small_counts_in_the_board_view(network):
    bridges = peers.bridges_from(network.places)
    fig = peers_charts.group_network(network, bridges, "lead", ("Group 2",), "t")
    group2 = next(t for t in fig.data if t.name == "Group 2")
    assert group2.hovertext[0].startswith("Group 2: 5 young people, 7 incidents")
    small = network.groups.assign(incidents=[7, 3, 2])
    fig = peers_charts.group_network(
        peers.PeerNetwork(network.people, network.links, small, network.group_links,
                          network.places, network.trend), bridges, "lead", ("Group 2",), "t")
    assert "<5 incidents" in next(t for t in fig.data if t.name == "Group 2").hovertext[0]


def test_the_trend_hides_months_of_one_to_four_and_marks_them(network):
    fig = peers_charts.group_trend(network.trend, ("Group 1",), "board", "t")
    line, marks = fig.data
    assert all(y != y or y == 0 for y in line.y)  # every month is 0 or hidden (NaN)
    assert len(marks.x) == 8 and set(marks.y) == {2.5}
    analyst = peers_charts.group_trend(network.trend, ("Group 1",), "analyst", "t")
    assert len(analyst.data) == 1 and max(analyst.data[0].y) == 1


def test_bridge_bars_show_how_many_groups_each_place_links(network):
    bridges = peers.bridges_from(network.places)
    fig = peers_charts.bridge_bars(bridges, "t")
    assert list(fig.data[0].x) == [2, 2] and set(fig.data[0].y) == {"Alder Park", "Birch Station"}


def test_bridge_bars_count_in_whole_groups_with_a_tick_each_only_while_few(network):
    bridges = peers.bridges_from(network.places)
    assert peers_charts.bridge_bars(bridges, "t").layout.xaxis.dtick == 1
    busy = bridges.assign(groups=[111, 67])  # at a million incidents
    axis = peers_charts.bridge_bars(busy, "t").layout.xaxis
    assert axis.dtick is None and axis.tickformat == ",d"  # Plotly's steps, whole numbers


def test_labels_of_places_close_together_go_on_different_sides():
    positions = peers_charts._label_positions([0.0, 0.05, 5.0], [0.0, 0.02, 5.0], 10, 10)
    assert positions == ["top center", "bottom center", "top center"]
