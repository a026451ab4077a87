"""Peer groups: young people linked by appearing in the same incident, the groups they form, and
the places that several groups share.

Contextual safeguarding asks about peer influence: young people who spend time with other
vulnerable young people are more likely to be harmed in the community. We link pseudonymous ids
(never names) when they appear in the same incident, weighted by how often, and find groups as
Louvain communities (seeded, so the same data always gives the same groups; a community never
spans two separate networks). Each group is profiled by size, risk types, places, wards and
months. Places where several groups are seen ("bridge places") are candidates for intervention
and feed the contexts page's reasons through `bridge_contexts`.

    >>> network = peer_groups(store.cursor(), filters)
    >>> network.groups[["group", "size", "links_to"]]
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass

import duckdb
import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from analytics.governance.disclosure import (
    THRESHOLD,
    display_count,
    drop_small_rows,
    suppress_frame,
    suppresses,
)
from analytics.store.filters import Filters, uk_month
from analytics.store.vocab import CONTEXT_LABELS, RISK_LABELS
from analytics.style.text import joined

SEED = 7  # Louvain and the spring layouts are seeded: the same data always draws the same way
RESOLUTION = 1.0  # Louvain resolution: above 1 favours smaller groups, below 1 larger ones
# Two young people are linked when seen together in at least this many incidents. One shared
# incident is often chance (a busy evening, a police operation); friends are seen together again.
MIN_SHARED_INCIDENTS = 2
# A connected part is split into communities only when they are clearly separate: modularity of
# 0.3 or more is the usual mark of real community structure (Newman and Girvan, 2004).
MIN_SPLIT_MODULARITY = 0.3
MIN_SPLIT_SIZE = 3  # parts this small are never split
MIN_BRIDGE_GROUPS = 2  # a place is a bridge when members of at least this many groups are seen there
TOP_ITEMS = 3  # risk types, places and wards named in a group's profile
GROUP_PREFIX = "Group"
MAX_PEOPLE_DRAWN = 600  # the person-level chart draws the largest groups up to this many people
EVEN_LAYOUT_MAX = 80  # parts of the group chart up to this size get the even layout
MEMBERSHIP_VIEW = "_peer_membership"


@dataclass(frozen=True)
class PeerNetwork:
    """Young people linked by shared incidents, the groups they form and where the groups are seen.

    Only young people linked to at least one other appear: someone always seen alone is in no group.
    """

    people: pd.DataFrame  # person_id, group, component, incidents, links
    links: pd.DataFrame  # source, target, weight, source_group, target_group
    groups: pd.DataFrame  # group, size, incidents, component, risk_types, contexts (where seen
    #                       together), wards, links_to, active_months, first_seen, last_seen
    group_links: pd.DataFrame  # group_a, group_b, weight (co-appearances across the two groups)
    places: pd.DataFrame  # group, context_id, name, context_type, ward_name, incidents,
    #                       young_people, place_incidents, place_young_people (seen together)
    trend: pd.DataFrame  # group, month, incidents

    @property
    def empty(self) -> bool:
        """True when nobody in the selection appears with anybody else."""
        return self.people.empty


def co_appearances(con: duckdb.DuckDBPyConnection, filters: Filters,
                   min_shared: int = MIN_SHARED_INCIDENTS) -> pd.DataFrame:
    """Pairs of young people seen in at least `min_shared` of the same incidents, and in how many
    (one self-join, `_numbered_pairs`).

    Returns source, target (source < target) and weight; each pair appears once.
    """
    return _numbered_pairs(con, filters, min_shared)[["source", "target", "weight"]]


def _numbered_pairs(con: duckdb.DuckDBPyConnection, filters: Filters,
                    min_shared: int) -> pd.DataFrame:
    """co_appearances with each young person's number too (source_no, target_no: people_facts'
    person_no, which follows the order of the ids), paired by incident number and grouped by
    young person's. people_facts has one row an incident and young person, so no DISTINCT: at
    24 months of a million incidents, 115 ms with one and by text ids, 80 ms as now."""
    p = filters.predicate("i", risk_list=True)  # people_facts: no join (analytics/store/derived.py)
    return con.execute(
        f"""
        WITH ip AS (SELECT i.incident_no, i.person_no, i.person_id FROM people_facts i
                    WHERE {p.sql})
        SELECT any_value(a.person_id) AS source, any_value(b.person_id) AS target,
               count(*)::INTEGER AS weight, a.person_no AS source_no, b.person_no AS target_no
        FROM ip a JOIN ip b ON a.incident_no = b.incident_no AND a.person_no < b.person_no
        GROUP BY a.person_no, b.person_no HAVING count(*) >= $min_shared
        ORDER BY a.person_no, b.person_no
        """,
        {**p.params, "min_shared": min_shared},
    ).df()


def network_graph(links: pd.DataFrame) -> nx.Graph:
    """The weighted, undirected graph of young people from `co_appearances`."""
    graph = nx.Graph()
    graph.add_weighted_edges_from(links[["source", "target", "weight"]].itertuples(index=False))
    return graph


def detect_groups(graph: nx.Graph, seed: int = SEED, resolution: float = RESOLUTION,
                  min_modularity: float = MIN_SPLIT_MODULARITY) -> list[set[str]]:
    """Groups: each connected part of the graph, split into its Louvain communities (seeded)
    only where they are clearly separate (modularity within the part at least
    `min_modularity`); largest first, ties broken by the smallest id.

    Louvain alone splits any near-complete group, because one community always scores zero;
    judged part by part, a tight group stays whole and two groups joined by a thin link part.
    """
    edges = nx.to_pandas_edgelist(graph, edge_key=None).reindex(
        columns=["source", "target", "weight"]).fillna({"weight": 1})
    network = _numbered(list(graph), edges)
    return [{network.names[v] for v in group}
            for group in _numbered_groups(network, seed, resolution, min_modularity)]


def _numbered_groups(network: _Network, seed: int = SEED, resolution: float = RESOLUTION,
                     min_modularity: float = MIN_SPLIT_MODULARITY) -> list[list[int]]:
    """detect_groups on a numbered network, each group a list of its vertex numbers (numbers
    follow the ids, so a group's smallest number is its smallest id). Louvain is igraph's
    (Blondel et al.'s multilevel algorithm, in C): networkx's took 30 s on the 116,000 young
    people that one shared incident links at a million incidents, and 0.4 s of the page's 1 s
    at two."""
    graph = network.graph
    groups: list[list[int]] = []
    for part in network.parts:  # each part's vertices in the order of their ids
        if len(part) <= MIN_SPLIT_SIZE:
            groups.append(part)
            continue
        sub = graph.induced_subgraph(part)
        found = _louvain(sub, seed, resolution)
        if max(found) > 0 and sub.modularity(found, weights="weight",
                                             resolution=resolution) >= min_modularity:
            groups += [[part[v] for v in members] for members in ig.VertexClustering(sub, found)]
        else:
            groups.append(part)
    return sorted(groups, key=lambda c: (-len(c), min(c)))


def _in_order(graph: nx.Graph) -> nx.Graph:
    """`graph` rebuilt with its nodes, and its edges, added in the order of their ids.

    The spring layout visits nodes in the graph's order. A part of a larger graph
    (`graph.subgraph`) lists its nodes in the order of a set of ids, and Python orders a set of
    text by a hash seeded afresh in every process: the same data was drawn one way before a
    restart and another after.
    """
    out = nx.Graph()
    out.add_nodes_from(sorted(graph.nodes(data=True), key=lambda node: str(node[0])))
    ends = ((*sorted((a, b), key=str), data) for a, b, data in graph.edges(data=True))
    out.add_edges_from(sorted(ends, key=lambda edge: (str(edge[0]), str(edge[1]))))
    return out


_SEEDING = threading.Lock()  # igraph draws from one random number generator per process


def _louvain(graph: ig.Graph, seed: int, resolution: float) -> list[int]:
    """Each vertex's Louvain community, the same every time: igraph visits the vertices in an
    order drawn from its random number generator, here seeded afresh for each part (and kept
    to one session at a time: the generator is the process's)."""
    with _SEEDING:
        ig.set_random_number_generator(random.Random(seed))
        try:
            return graph.community_multilevel(weights="weight",
                                              resolution=resolution).membership
        finally:
            ig.set_random_number_generator(random)


@dataclass(frozen=True)
class _Network:
    """Young people numbered in the order of their ids (`names`), their links as an igraph
    graph on those numbers, its connected parts, each a list of numbers in order, and the
    numbers at the two ends of each link, in the order the links came in."""

    names: list
    graph: ig.Graph
    parts: list[list[int]]
    ends: tuple[np.ndarray, np.ndarray]


def _numbered(nodes: list, links: pd.DataFrame) -> _Network:
    """`nodes` and `links` (source, target, weight) numbered in the order of the ids, edges
    added in that order: so a part's vertices and its groups never depend on the order a set
    happened to list them in."""
    names = sorted(nodes, key=str)
    at = pd.Index(names)
    return _network(names, at.get_indexer(links["source"]), at.get_indexer(links["target"]),
                    links["weight"])


def _numbered_people(pairs: pd.DataFrame) -> tuple[_Network, np.ndarray]:
    """`_numbered` of `_numbered_pairs`, by the young people's numbers (which follow the order
    of their ids), not by their ids: finding 700,000 links' ids among 133,000 took 0.3 s (one
    shared incident, 24 months of a million incidents). And each vertex's person_no."""
    ends = np.concatenate([pairs["source_no"].to_numpy(), pairs["target_no"].to_numpy()])
    person_no, first, vertex = np.unique(ends, return_index=True, return_inverse=True)
    ids = pd.concat([pairs["source"], pairs["target"]], ignore_index=True)
    names = ids.iloc[first].tolist()
    half = len(pairs)
    return _network(names, vertex[:half], vertex[half:], pairs["weight"]), person_no


def _network(names: list, a: np.ndarray, b: np.ndarray, weight: pd.Series) -> _Network:
    """The _Network of `names` and links from vertex a to vertex b (numbers into `names`)."""
    low, high = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((high, low))
    graph = ig.Graph(n=len(names))
    # Added as an array: the constructor, given a list of pairs, took twice as long (0.3 s for
    # the 700,000 links one shared incident makes at a million incidents, with the list made).
    graph.add_edges(np.column_stack([low[order], high[order]]))
    graph.es["weight"] = weight.to_numpy()[order].tolist()
    return _Network(names, graph, list(graph.connected_components()), (a, b))


def peer_groups(con: duckdb.DuckDBPyConnection, filters: Filters,
                min_shared: int = MIN_SHARED_INCIDENTS) -> PeerNetwork:
    """The network, its groups and each group's profile, places and monthly trend, under `filters`
    (young people linked when seen together in at least `min_shared` incidents)."""
    if min_shared < 1:
        raise ValueError("min_shared must be at least 1")
    pairs = _numbered_pairs(con, filters, min_shared)
    links = pairs[["source", "target", "weight"]]
    network, person_no = _numbered_people(pairs)
    communities = _numbered_groups(network)
    if not communities:
        return _empty_network()
    # One row a young person, in the network's order (so its vertex numbers index it): their
    # group's rank and their connected part's, numbered by size.
    names = network.names
    rank, component = np.empty(len(names), dtype=np.int64), np.empty(len(names), dtype=np.int64)
    for n, members in enumerate(communities):
        rank[members] = n
    for n, part in enumerate(sorted(network.parts, key=lambda c: (-len(c), names[c[0]]))):
        component[part] = n
    # Each young person's number in people_facts (person_no): the sightings join on it, 61 ms
    # where the ids took 86 at 24 months.
    membership = pd.DataFrame({"person_id": names, "person_no": person_no, "rank": rank,
                               "component": component + 1})
    # Incidents and young people by number (incident_no, person_no): every count below groups
    # by them, and each grouping by text ids (Arrow strings) turned them into numbers again,
    # 0.4 s a time for the 580,000 sightings of one shared incident at a million incidents.
    sightings, risks, names = _sightings(con, filters, membership)
    # Order groups by size, then incidents, so "Group 1" is the largest and labels are stable.
    incidents = sightings.groupby("rank")["incident_no"].nunique()
    order = sorted(range(len(communities)),
                   key=lambda n: (-len(communities[n]), -incidents.get(n, 0),
                                  min(communities[n])))
    label = {n: f"{GROUP_PREFIX} {i + 1}" for i, n in enumerate(order)}
    membership["group"] = membership["rank"].map(label)
    sightings["group"] = sightings["rank"].map(label)
    risks["group"] = risks["rank"].map(label)
    group_of = membership["group"].array  # by vertex number
    source, target = network.ends
    links = links.assign(source_group=group_of.take(source), target_group=group_of.take(target))
    people = membership[["person_id", "group", "component"]].copy()
    per_person = sightings.groupby("person_no")["incident_no"].nunique()
    people["incidents"] = membership["person_no"].map(per_person).fillna(0).astype(int)
    people["links"] = np.array(network.graph.degree(), dtype=np.int64)
    people = people.sort_values(["group", "person_id"], key=_group_order).reset_index(drop=True)

    group_links = _group_links(links)
    together = _together(sightings)
    places = _group_places(together, names)
    trend = _group_trend(sightings, filters)
    groups = _profiles(people, sightings, together, risks, group_links, names)
    return PeerNetwork(people=people, links=links.reset_index(drop=True), groups=groups,
                       group_links=group_links, places=places, trend=trend)


def bridges_from(places: pd.DataFrame, min_groups: int = MIN_BRIDGE_GROUPS) -> pd.DataFrame:
    """Places where at least `min_groups` groups are seen: most groups first, then most incidents.

    `incidents` and `young_people` count group members' incidents there and the members seen.
    """
    columns = ["context_id", "name", "context_type", "ward_name", "groups", "group_labels",
               "incidents", "young_people"]
    if places.empty:
        return pd.DataFrame(columns=columns)
    ordered = places.sort_values("group", key=_group_order)
    by_place = ordered.groupby(["context_id", "name", "context_type", "ward_name"],
                               dropna=False, sort=False)
    # An incident with members of two groups counts for both groups: take the place's own totals.
    out = by_place.agg(groups=("group", "nunique"), incidents=("place_incidents", "first"),
                       young_people=("place_young_people", "first")).reset_index()
    out["group_labels"] = joined(ordered["group"], by_place.ngroup(), ", ").sort_index().to_numpy()
    out = out[out["groups"] >= min_groups]
    out[["incidents", "young_people"]] = out[["incidents", "young_people"]].astype(int)
    out = out.sort_values(["groups", "incidents", "name"], ascending=[False, False, True])
    return out[columns].reset_index(drop=True)


def bridge_contexts(con: duckdb.DuckDBPyConnection, filters: Filters,
                    min_shared: int = MIN_SHARED_INCIDENTS) -> pd.DataFrame:
    """Contexts shared by several peer groups (bridge places), for the contexts page's reasons.

    Columns: context_id, name, context_type, ward_name, groups, group_labels, incidents,
    young_people; most groups first.
    """
    return bridges_from(peer_groups(con, filters, min_shared).places)


def person_layout(network: PeerNetwork, seed: int = SEED, highlight: tuple[str, ...] = (),
                  max_people: int = MAX_PEOPLE_DRAWN) -> pd.DataFrame:
    """x, y for the young people drawn: the highlighted groups, then the largest groups, up to
    `max_people` (a chart of thousands of dots is unreadable); each separate part laid out on its
    own and packed in rows, largest first."""
    sizes = network.groups.set_index("group")["size"]
    order = [g for g in highlight if g in sizes.index]
    order += [g for g in network.groups["group"] if g not in order]
    chosen, total = [], 0
    for group in order:
        if total + sizes[group] > max_people and chosen:
            continue
        chosen.append(group)
        total += sizes[group]
    people = network.people.loc[network.people["group"].isin(chosen), "person_id"]
    links = network.links[network.links["source"].isin(people)
                          & network.links["target"].isin(people)]
    graph = network_graph(links)
    graph.add_nodes_from(people)
    pos = packed_layout(graph, seed)
    return pd.DataFrame([(n, x, y) for n, (x, y) in pos.items()], columns=["person_id", "x", "y"])


def group_graph(network: PeerNetwork, bridges: pd.DataFrame, max_groups: int,
                max_places: int, min_size: int = 0) -> nx.Graph:
    """Groups (the `max_groups` largest with at least `min_size` young people) and the bridge
    places they share as nodes; links between groups and to the places where they are seen.
    Node attribute `kind` is 'group' or 'place'."""
    graph = nx.Graph()
    big = network.groups[network.groups["size"] >= min_size]
    shown = set(big["group"].head(max_groups))
    graph.add_nodes_from(sorted(shown, key=_group_key), kind="group")
    for row in network.group_links.itertuples(index=False):
        if row.group_a in shown and row.group_b in shown:
            graph.add_edge(row.group_a, row.group_b, weight=row.weight, kind="group")
    for row in bridges.head(max_places).itertuples(index=False):
        seen = [g for g in row.group_labels.split(", ") if g in shown]
        if len(seen) < MIN_BRIDGE_GROUPS:
            continue
        graph.add_node(row.context_id, kind="place")
        for g in seen:
            graph.add_edge(g, row.context_id, weight=1, kind="place")
    return graph


def packed_layout(graph: nx.Graph, seed: int = SEED, gap: float = 0.35,
                  even: bool = False) -> dict:
    """Lay out each connected part with a seeded spring layout and pack the parts in rows.

    A single spring layout of many separate networks flings the small ones to the edges and
    squashes the large one; packing keeps every part readable at a few hundred nodes.
    """
    parts = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(map(str, c))))
    if not parts:
        return {}
    sides = [math.sqrt(len(p)) for p in parts]
    row_width = max(math.sqrt(sum(s * s for s in sides)) * 1.4, sides[0])
    pos: dict = {}
    x = y = row_height = 0.0
    for part, side in zip(parts, sides, strict=True):
        local = _unit_layout(_in_order(graph.subgraph(part)), seed, even)
        if x > 0 and x + side > row_width:
            x, y, row_height = 0.0, y - row_height - gap, 0.0
        for node, (a, b) in local.items():
            pos[node] = (x + a * side, y - (1 - b) * side)
        x += side + gap
        row_height = max(row_height, side)
    return pos


def _unit_layout(graph: nx.Graph, seed: int, even: bool = False) -> dict:
    """A seeded layout scaled into the unit square (a lone node sits in the middle).

    `even` uses Kamada-Kawai (started from the seeded spring layout, so repeatable), which
    spreads a small graph evenly but costs too much for hundreds of parts: the group chart only.
    """
    if graph.number_of_nodes() == 1:
        return {next(iter(graph.nodes)): (0.5, 0.5)}
    # More iterations than the default settle dense groups.
    raw = nx.spring_layout(graph, seed=seed, weight="weight", iterations=100)
    if even and 2 < graph.number_of_nodes() <= EVEN_LAYOUT_MAX:
        raw = nx.kamada_kawai_layout(graph, pos=raw, weight=None)
    xs, ys = zip(*raw.values(), strict=True)

    def scale(v: float, lo: float, hi: float) -> float:
        return 0.5 if hi - lo < 1e-9 else 0.1 + 0.8 * (v - lo) / (hi - lo)

    pos = {n: (scale(a, min(xs), max(xs)), scale(b, min(ys), max(ys)))
           for n, (a, b) in raw.items()}
    return _nudge_apart(pos)


def _nudge_apart(pos: dict, close: float = 0.04, step: float = 0.12) -> dict:
    """Move nodes that land on the same spot (places seen by exactly the same groups do) a
    little to the side of each other, in a fixed order, so both stay visible."""
    taken: dict[tuple[int, int], int] = {}
    out = {}
    for node in sorted(pos, key=str):
        x, y = pos[node]
        cell = (round(x / close), round(y / close))
        k = taken.get(cell, 0)
        taken[cell] = k + 1
        out[node] = (x + step * k / 2, y - step * k)
    return out


@dataclass(frozen=True)
class _Names:
    """The text the sightings refer to by key or number: each register place's name and type
    (by context_id), and each ward's name (by its number in the order of the names)."""

    places: pd.DataFrame  # index context_id; name, context_type
    wards: pd.Series  # ward number -> ward_name


NO_WARD_NUMBER = 2**31 - 1  # a sighting with no ward: after every ward's number, so min skips it


def _sightings(con: duckdb.DuckDBPyConnection, filters: Filters,
               membership: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, _Names]:
    """Every (group member, incident) in the selection with month, place, ward and the place's own
    ward (its incidents' can differ), the wards as numbers in the order of their names; each
    group's incidents of each risk type; and the names to put to them. Members are joined by their
    numbers (`membership`'s person_no).

    people_facts has one row an incident and young person, and each join is on a key (a member's
    one group, a register place, a ward), so the sightings need no DISTINCT: with one shared
    incident at a million incidents it cost 0.2 s of 0.8. Names are put to what is shown only,
    not to every sighting: four columns of text for 575,000 sightings were 0.27 s of the query's
    0.30 s there."""
    p = filters.predicate("i", risk_list=True)  # people_facts: no join (analytics/store/derived.py)
    numbered = ("numbered AS (SELECT ward_code, ward_name, "
                "(dense_rank() OVER (ORDER BY ward_name) - 1)::INTEGER AS ward FROM wards)")
    con.register(MEMBERSHIP_VIEW, membership[["person_no", "rank"]])
    try:
        sightings = con.execute(
            f"""
            WITH {numbered}
            SELECT m.rank, i.person_no, i.incident_no,
                   date_trunc('month', i.occurred_at)::DATE AS month, i.context_id,
                   coalesce(w.ward, $none) AS ward, coalesce(cw.ward, w.ward, $none) AS context_ward
            FROM people_facts i
            JOIN {MEMBERSHIP_VIEW} m ON m.person_no = i.person_no
            LEFT JOIN place_facts c ON c.context_id = i.context_id AND c.source = 'incidents'
            LEFT JOIN numbered w ON w.ward_code = i.ward_code
            LEFT JOIN numbered cw ON cw.ward_code = c.ward_code
            WHERE {p.sql}
            """,
            {**p.params, "none": NO_WARD_NUMBER},
        ).df()
        risks = con.execute(
            f"""
            SELECT rank, risk_type, count(DISTINCT incident_no) AS incidents FROM (
                SELECT m.rank, i.incident_no, unnest(i.risks) AS risk_type
                FROM people_facts i JOIN {MEMBERSHIP_VIEW} m ON m.person_no = i.person_no
                WHERE {p.sql})
            GROUP BY ALL
            """,
            p.params,
        ).df()
    finally:
        con.unregister(MEMBERSHIP_VIEW)
    places = con.execute("SELECT context_id, name, context_type FROM place_facts "
                         "WHERE source = 'incidents'").df().set_index("context_id")
    wards = con.execute(f"WITH {numbered} SELECT DISTINCT ward, ward_name FROM numbered "
                        "ORDER BY ward").df().set_index("ward")["ward_name"]
    sightings["month"] = pd.to_datetime(sightings["month"])
    return sightings, risks, _Names(places, wards)


def _group_links(links: pd.DataFrame) -> pd.DataFrame:
    """Co-appearances between members of two different groups, one row per pair of groups."""
    cross = links[links["source_group"] != links["target_group"]]
    if cross.empty:
        return pd.DataFrame(columns=["group_a", "group_b", "weight"])
    pairs = pd.DataFrame({
        "group_a": cross[["source_group", "target_group"]].min(axis=1),
        "group_b": cross[["source_group", "target_group"]].max(axis=1),
        "weight": cross["weight"],
    })
    # min/max on labels sorts "Group 10" before "Group 2"; order by number instead.
    swap = _group_numbers(pairs["group_a"]) > _group_numbers(pairs["group_b"])
    pairs.loc[swap, ["group_a", "group_b"]] = pairs.loc[swap, ["group_b", "group_a"]].to_numpy()
    out = pairs.groupby(["group_a", "group_b"], as_index=False)["weight"].sum()
    return out.sort_values("weight", ascending=False, kind="stable").reset_index(drop=True)


def _together(sightings: pd.DataFrame) -> pd.DataFrame:
    """The sightings at incidents where two or more members of the same group were present: the
    group seen as a group, not one member on their own."""
    members = sightings.groupby(["rank", "incident_no"])["person_no"].transform("nunique")
    return sightings[members >= 2]


def _group_places(together: pd.DataFrame, names: _Names) -> pd.DataFrame:
    """For each group and place where it was seen together (`_together`): its incidents there
    and the members seen there. A member's incident alone does not make a group 'seen at' a
    place: repeatedly involved young people turn up everywhere, and would make every place look
    shared."""
    seen = together.dropna(subset=["context_id"])
    out = (seen.groupby(["group", "context_id"], as_index=False)
           .agg(ward=("context_ward", "min"), incidents=("incident_no", "nunique"),
                young_people=("person_no", "nunique")))
    place = names.places.reindex(out["context_id"])
    # the place's own ward: its incidents' wards can differ, and which came first in the query's
    # rows was not the same from one run to the next (wards are numbered in the order of names)
    out.insert(2, "name", place["name"].to_numpy())
    out.insert(3, "context_type", place["context_type"].to_numpy())
    out.insert(4, "ward_name", out.pop("ward").map(names.wards))
    out["context_type"] = out["context_type"].map(CONTEXT_LABELS).fillna(out["context_type"])
    out["name"] = out["name"].fillna(out["context_id"])
    out = out.sort_values(["group", "incidents"], ascending=[True, False],
                          key=_group_order)
    # The same incident or young person can count for two groups: keep each place's own totals.
    by_place = seen.groupby("context_id")
    out["place_incidents"] = out["context_id"].map(by_place["incident_no"].nunique())
    out["place_young_people"] = out["context_id"].map(by_place["person_no"].nunique())
    return out.reset_index(drop=True)


def _group_trend(sightings: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Incidents a month for each group across the period, months without any filled with zero."""
    counts = sightings.groupby(["group", "month"])["incident_no"].nunique()
    first = pd.Timestamp(filters.start.replace(day=1)) if filters.start else sightings["month"].min()
    last = pd.Timestamp(filters.end) if filters.end else sightings["month"].max()
    months = pd.date_range(first, last, freq="MS")
    groups = sorted(sightings["group"].unique(), key=_group_key)
    grid = pd.MultiIndex.from_product([groups, months], names=["group", "month"])
    return counts.reindex(grid, fill_value=0).rename("incidents").reset_index()


def _profiles(people: pd.DataFrame, sightings: pd.DataFrame, together: pd.DataFrame,
              risks: pd.DataFrame, group_links: pd.DataFrame, names: _Names) -> pd.DataFrame:
    """One row a group: size, incidents, the network it is part of, top risk types, places and
    wards, the groups it is linked to, and when it was active (all by groupby: thousands of
    groups cost no more than a few)."""
    by_group = sightings.groupby("group")
    out = pd.DataFrame({
        "size": people.groupby("group").size(),
        "incidents": by_group["incident_no"].nunique(),
        "component": people.groupby("group")["component"].first().astype(int),
    })
    labelled = risks.assign(label=risks["risk_type"].map(RISK_LABELS).fillna(risks["risk_type"]))
    out["risk_types"] = _top_by_group(labelled, "label", weight="incidents")
    once = sightings.drop_duplicates(["group", "incident_no"])
    seen = together.drop_duplicates(["group", "incident_no"])
    out["contexts"] = _top_by_group(seen.assign(
        context_name=names.places["name"].reindex(seen["context_id"]).to_numpy()), "context_name")
    out["wards"] = _top_by_group(once.assign(ward_name=once["ward"].map(names.wards)), "ward_name")
    both = pd.concat([
        group_links.rename(columns={"group_a": "group", "group_b": "other"}),
        group_links.rename(columns={"group_b": "group", "group_a": "other"}),
    ]).sort_values(["weight", "other"], ascending=[False, True],
                   key=lambda c: _group_numbers(c) if c.name == "other" else c)
    out["links_to"] = joined(both["other"], both["group"], ", ")
    out["active_months"] = by_group["month"].nunique()
    out["first_seen"] = by_group["month"].min()
    out["last_seen"] = by_group["month"].max()
    out = out.fillna({"risk_types": "", "contexts": "", "wards": "", "links_to": ""})
    out = out.rename_axis("group").reset_index()
    return out.sort_values("group", key=_group_order).reset_index(drop=True)


def _top_by_group(frame: pd.DataFrame, column: str, n: int = TOP_ITEMS,
                  weight: str | None = None) -> pd.Series:
    """For each group, its n most frequent values of `column` (ties by name), comma-joined; each
    row counts once, or `weight` times."""
    by = frame.dropna(subset=[column]).groupby(["group", column])
    counts = (by.size() if weight is None else by[weight].sum()).rename("n")
    counts = counts.reset_index().sort_values(["group", "n", column],
                                              ascending=[True, False, True])
    top = counts.groupby("group").head(n)
    return joined(top[column].astype(str), top["group"], ", ")


def _group_key(label: str) -> int:
    """'Group 12' -> 12, so groups sort by number, not as text."""
    return int(str(label).rsplit(" ", 1)[-1])


def _group_numbers(labels: pd.Series) -> pd.Series:
    """_group_key of a whole column at once: 'Group 12' -> 12 (a column of 133,000 young
    people's groups took 0.5 s label by label)."""
    return labels.str.slice(len(GROUP_PREFIX) + 1).astype(int)


def _group_order(s: pd.Series) -> pd.Series:
    """Sort key for a frame: group columns by number, other columns as they are."""
    return _group_numbers(s) if s.name == "group" else s


def _empty_network() -> PeerNetwork:
    """A network with no one in it, with every frame's columns present."""
    def frame(*cols: str) -> pd.DataFrame:
        return pd.DataFrame(columns=list(cols))

    return PeerNetwork(
        people=frame("person_id", "group", "component", "incidents", "links"),
        links=frame("source", "target", "weight", "source_group", "target_group"),
        groups=frame("group", "size", "incidents", "component", "risk_types", "contexts", "wards",
                     "links_to", "active_months", "first_seen", "last_seen"),
        group_links=frame("group_a", "group_b", "weight"),
        places=frame("group", "context_id", "name", "context_type", "ward_name", "incidents",
                     "young_people", "place_incidents", "place_young_people"),
        trend=frame("group", "month", "incidents"),
    )


def network_headline(network: PeerNetwork, view: str) -> str:
    """'12 peer groups; the largest, Group 1, has 14 young people and links to 2 others'."""
    if network.empty:
        return "No young people appear together in these incidents"
    n = len(network.groups)
    top = network.groups.iloc[0]
    links = len([g for g in top["links_to"].split(", ") if g])
    tail = f" and is linked to {links} other group{'s' if links != 1 else ''}" if links else ""
    noun = "peer group" if n == 1 else "peer groups"
    return (f"{n} {noun}; the largest, {top['group']}, has "
            f"{display_count(top['size'], view)} young people{tail}")


def bridge_headline(bridges: pd.DataFrame) -> str:
    """'Alder Park is shared by 4 peer groups, more than any other place'."""
    if bridges.empty:
        return f"No place is shared by {MIN_BRIDGE_GROUPS} or more peer groups"
    top = bridges.iloc[0]
    if len(bridges) == 1:
        return f"{top['name']} is the one place shared by peer groups ({top['groups']} of them)"
    tied = bridges[bridges["groups"] == top["groups"]]["name"].tolist()
    if len(tied) == 1:
        return (f"{len(bridges)} places are shared by peer groups; {top['name']} by "
                f"{top['groups']}, more than any other place")
    names = ", ".join(tied[:-1]) + " and " + tied[-1] if len(tied) <= 3 else (
        f"{len(tied)} of them")
    return f"{len(bridges)} places are shared by peer groups; {names} by {top['groups']} each"


def trend_headline(trend: pd.DataFrame, groups: tuple[str, ...]) -> str:
    """'Group 1 was seen in 7 of 12 months, most recently in July 2025'."""
    shown = trend[trend["group"].isin(groups) & (trend["incidents"] > 0)]
    if shown.empty:
        return "None of these groups was seen in the period"
    active = shown.groupby("group")["month"].agg(["nunique", "max"])
    group = active.sort_values(["nunique", "max"], ascending=False).index[0]
    months = trend["month"].nunique()
    return (f"{group} was seen in {active.at[group, 'nunique']} of {months} months, "
            f"most recently in {uk_month(active.at[group, 'max'])}")


def group_table(network: PeerNetwork, view: str) -> tuple[pd.DataFrame, int]:
    """The groups for display, and how many were left out because they have fewer than 5 young
    people (in views that suppress small numbers: a small group's profile could identify them)."""
    kept = drop_small_rows(network.groups, ["size"], view)
    table = suppress_frame(kept, ["size", "incidents"], view)
    table = pd.DataFrame({
        "Group": table["group"], "Young people": table["size"], "Incidents": table["incidents"],
        "Risk types": table["risk_types"], "Seen most at": table["contexts"],
        "Wards": table["wards"], "Linked to": table["links_to"],
        "Months seen": table["active_months"],
        "Last seen": [uk_month(m) for m in kept["last_seen"]],
    })
    return table, len(network.groups) - len(kept)


def bridge_table(bridges: pd.DataFrame, view: str) -> pd.DataFrame:
    """Bridge places for display, counts of children suppressed in this view."""
    shown = suppress_frame(bridges, ["incidents", "young_people"], view)
    return pd.DataFrame({
        "Place": shown["name"], "Type": shown["context_type"],
        "Ward": shown["ward_name"].fillna("no ward"), "Peer groups seen": shown["groups"],
        "Which groups": shown["group_labels"], "Incidents involving them": shown["incidents"],
        "Young people from these groups": shown["young_people"],
    })


def person_layout_for(con: duckdb.DuckDBPyConnection, filters: Filters,
                      highlight: tuple[str, ...] = (),
                      min_shared: int = MIN_SHARED_INCIDENTS) -> pd.DataFrame:
    """`person_layout` of the selection's network (a separate step: only the analyst view draws it)."""
    return person_layout(peer_groups(con, filters, min_shared), highlight=highlight)


def trend_table(trend: pd.DataFrame, groups: tuple[str, ...], view: str) -> pd.DataFrame:
    """Months down, chosen groups across, counts suppressed in this view."""
    shown = trend[trend["group"].isin(groups)]
    wide = shown.pivot(index="month", columns="group", values="incidents").reset_index()
    columns = [g for g in groups if g in wide.columns]
    wide = suppress_frame(wide, columns, view)
    wide["month"] = [uk_month(m) for m in wide["month"]]
    return wide[["month", *columns]].rename(columns={"month": "Month"})


def young_people_shown(network: PeerNetwork, view: str) -> tuple[str, int]:
    """The 'young people in groups' headline: in views that hide small groups, only those in the
    groups shown, so the total cannot be differenced against the groups table."""
    if suppresses(view):
        shown = network.groups.loc[network.groups["size"] >= THRESHOLD, "size"].sum()
        return f"Young people in groups of {THRESHOLD} or more", int(shown)
    return "Young people in groups", len(network.people)
