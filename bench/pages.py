"""What each page computes: the benchmark's registry, one entry a page.

An entry lists the analyses a page runs through ui.state.compute under its default widget
settings, with the same arguments, in the order the page runs them; each analysis is paired with
the plain-pandas version of the same work (bench.baseline) and the polars version
(bench.polars_app), the same analyses in both. Adding a page to the app is adding one entry here:
tests/bench/test_bench.py fails while a page listed in ui/page_table.py (or app.py) has no entry,
or runs an analysis its entry does not time.

Arguments that depend on data (the place the detail view opens on, the pair the overlap drill-down
starts with) are worked out once per filter, untimed, by a `resolve` function, as the page's
first select box would pick them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from analytics.board import narrative, overview
from analytics.contexts import clustering, contexts, priorities
from analytics.governance import audit
from analytics.ingest import records
from analytics.interventions import impact, interventions
from analytics.overlap import overlap
from analytics.peers import peers
from analytics.places import places
from analytics.store import reference
from analytics.store.filters import Filters
from analytics.trends import trends
from bench import baseline as bl
from bench import polars_app as pa

ROOT = Path(__file__).resolve().parent.parent
# Data-dependent arguments; None when the page would not run the analysis at all.
Resolver = Callable[[duckdb.DuckDBPyConnection, Filters], dict[str, Any] | None]


@dataclass(frozen=True)
class Call:
    """One analysis a page runs: `fn(cursor, filters, **kwargs)` (or `fn(cursor, **kwargs)`
    when `uses_filters` is False), and the pandas (and polars) functions doing the same work."""

    fn: Callable[..., Any]
    baseline: Callable[..., Any] | None = None  # None: timed for us only (an extra setting)
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    resolve: Resolver | None = None  # data-dependent arguments, worked out before timing
    uses_filters: bool = True
    cached: bool = True  # False: the page calls it through ui.state.uncached, every render
    polars: Callable[..., Any] | None = None  # the polars twin (bench.polars_app), if written

    @property
    def name(self) -> str:
        """'analytics.board.overview:headline' — the key ui.state.compute caches it under."""
        return f"{self.fn.__module__}:{self.fn.__qualname__}"

    @property
    def label(self) -> str:
        """'overview.changes(unit=ward)': short enough for a table row."""
        args = [f"{k}={_short(v)}" for k, v in self.kwargs.items()
                if v is not None and k not in ("fix_after", "change_point")
                and (k, v) != ("granularity", "month")]
        if self.resolve is not None:
            args.append(f"{self.resolve.__name__}")
        inner = ", ".join(args)
        module = self.fn.__module__.rpartition(".")[2]
        return f"{module}.{self.fn.__qualname__}({inner})"


@dataclass(frozen=True)
class Page:
    """A page of the app (its script) and the analyses one render of it runs."""

    script: str  # as st.Page names it: "pages/overview.py"
    title: str
    calls: tuple[Call, ...]
    # Analyses the page runs only after a reader changes a default, each with the reason.
    not_by_default: Mapping[Callable[..., Any], str] = field(default_factory=dict)
    # Settings a reader often changes, timed cold on their own (not part of the page's total).
    extras: tuple[Call, ...] = ()

    def untimed(self) -> set[str]:
        """Names of the analyses deliberately left out of this page's default render."""
        return {f"{fn.__module__}:{fn.__qualname__}" for fn in self.not_by_default}


def _short(value: Any) -> str:
    if isinstance(value, tuple):
        return "+".join(str(v) for v in value)
    return str(value)


def top_place(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any] | None:
    """The place 'A closer look at one place' opens on: the first of the ranked list."""
    ranked = priorities.rank(con, filters, weights=priorities.DEFAULT_WEIGHTS)
    return None if ranked.empty else {"context_id": str(ranked["context_id"].iloc[0])}


# Pages are timed as a lead sees them: the board view runs the same analyses but leaves out the
# drill-downs (one place, one intervention, one overlap), so the lead view is the larger render.
VIEW = "lead"

OVERLAP_WINDOW = overlap.WINDOW_DAYS[overlap.DEFAULT_WINDOW]


def first_pair(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any] | None:
    """The pair the overlap drill-down opens on: the first of drill_options (lead view)."""
    result = overlap.analyse(con, filters, unit="people", window=OVERLAP_WINDOW)
    combos = overlap.combinations(con, filters, unit="people")
    pair_keys, _ = overlap.drill_options(result, combos, VIEW)
    if result.universe == 0 or len(result.types) < 2 or not pair_keys:
        return None
    return {"risks": overlap.parse_key(pair_keys[0])}


def with_register(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any] | None:
    """The impact sections run only with incidents and interventions in the register."""
    if not overview.has_incidents(con, filters) or interventions.register(con, filters).empty:
        return None
    return {}


def best_intervention(con: duckdb.DuckDBPyConnection, filters: Filters
                      ) -> dict[str, Any] | None:
    """The intervention 'One intervention in detail' opens on: the best documented."""
    if with_register(con, filters) is None:
        return None
    summary = impact.impact_summary(con, filters)
    return {"intervention_id": impact.best_documented(summary)
            or str(summary["intervention_id"].iloc[0])}


AUDIT_DAYS = 30  # pages/audit.py opens on the last 30 days


def audit_window(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """The audit page's opening dates: the last 30 days, everyone, every action."""
    from datetime import date, timedelta

    today = date.today()
    return {"start": today - timedelta(days=AUDIT_DAYS), "end": today, "users": (),
            "actions": ()}


# The page's own defaults, spelled as the page passes them.
SIGNAL_ARGS = {"granularity": "month", "fix_after": None, "change_point": None}
PAGE_WEIGHTS = priorities.Weights(**{k: int(v) for k, v in
                                     vars(priorities.DEFAULT_WEIGHTS).items()})

# ui/sidebar.py: every page's run starts with the sidebar's filters.
SIDEBAR = Page("ui/sidebar.py", "Sidebar (every page)", (
    Call(reference.data_facts, bl.data_facts, uses_filters=False, polars=pa.data_facts),
    Call(reference.ward_names, bl.ward_names, polars=pa.ward_names),
    Call(reference.risk_options, bl.risk_options, {"code": "incidents"}, uses_filters=False,
         polars=pa.risk_options),
    Call(reference.outcome_options, bl.outcome_options, {"code": "stop_search"},
         uses_filters=False, polars=pa.outcome_options),
))

PAGES: dict[str, Page] = {page.script: page for page in (
    Page("pages/overview.py", "Overview", (
        Call(overview.headline, bl.headline, polars=pa.headline),
        Call(narrative.what_changed, bl.what_changed, {"view": VIEW}, polars=pa.what_changed),
        Call(trends.top_signals, bl.top_signals, {"n": 5, "view": VIEW}, polars=pa.top_signals),
        Call(overview.risk_trends, bl.risk_trends, polars=pa.risk_trends),
        Call(overview.changes, bl.changes, {"unit": "ward"}, polars=pa.changes),
        Call(overview.changes, bl.changes, {"unit": "context"}, polars=pa.changes),
    )),
    Page("pages/contexts.py", "Where to intervene", (
        Call(priorities.explained, bl.explained, {"weights": PAGE_WEIGHTS, "view": VIEW},
             polars=pa.explained),
        Call(contexts.detail, bl.detail, resolve=top_place, polars=pa.detail),
        Call(clustering.cluster_contexts, bl.cluster_contexts, {"method": "kmeans", "k": None},
             polars=pa.cluster_contexts),
    ),  # k-means with its bootstrap, the same code in both, dominates. The page asks for the
    #     groups first (stability=False) and then for this, which reuses them (memo): the same work
        extras=(
        Call(clustering.cluster_contexts, kwargs={"method": "kmeans", "k": 4}),
        Call(clustering.cluster_contexts, kwargs={"method": "agglomerative", "k": 4}),
    )),
    Page("pages/trends.py", "Trends", (
        Call(trends.trend_view, bl.trend_view, {"measure": "incidents", "granularity": "month",
                                                "view": VIEW}, polars=pa.trend_view),
        Call(trends.trend_view, bl.trend_view, {"measure": "incidents", "split": "risk_type",
                                                **SIGNAL_ARGS, "view": VIEW},
             polars=pa.trend_view),
        Call(trends.signals, bl.signals, {"by": ("risk_type", "ward"), **SIGNAL_ARGS,
                                          "view": VIEW}, polars=pa.signals),
        Call(trends.signals, bl.signals, {"by": ("context",), **SIGNAL_ARGS, "view": VIEW},
             polars=pa.signals),
        Call(trends.seasonality, bl.seasonality, {"measure": "incidents", "view": VIEW},
             polars=pa.seasonality),
    ), extras=(
        Call(trends.trend_view, kwargs={"measure": "incidents", "split": "ward",
                                        "granularity": "week"}),
        Call(trends.trend_view, kwargs={"measure": "young_people", "split": "risk_type",
                                        "granularity": "month"}),
        Call(trends.trend_view, kwargs={"measure": "rate", "split": "ward",
                                        "granularity": "month"}),
        Call(trends.signals, kwargs={"by": ("risk_type", "ward"), "granularity": "week"}),
    )),
    Page("pages/places.py", "Places", (
        Call(overview.has_incidents, bl.has_incidents, polars=pa.has_incidents),
        Call(places.lsoa_counts, bl.lsoa_counts,  # the LSOA map, when LSOAs are loaded
             polars=pa.lsoa_counts),
        Call(places.has_area_crime, bl.has_area_crime, polars=pa.has_area_crime),
        Call(places.lsoa_deciles, bl.lsoa_deciles, polars=pa.lsoa_deciles),
        Call(places.ward_shapes, bl.ward_shapes, polars=pa.ward_shapes),
        Call(places.grid_hot_spots, bl.grid_hot_spots, {"view": VIEW},
             polars=pa.grid_hot_spots),
        Call(places.ward_counts, bl.ward_counts, polars=pa.ward_counts),
        Call(places.ward_hot_spots, bl.ward_hot_spots, {"view": VIEW},
             polars=pa.ward_hot_spots),
        Call(places.context_points, bl.context_points, polars=pa.context_points),
        Call(interventions.register, bl.register,  # the map's ◆ layer, on by default
             polars=pa.register),
        Call(places.concentration, bl.concentration, polars=pa.concentration),
        Call(places.repeat_locations, bl.repeat_locations, polars=pa.repeat_locations),
        Call(places.when_grid, bl.when_grid, {"context_id": None}, polars=pa.when_grid),
        Call(places.month_of_year, bl.month_of_year, {"context_id": None},
             polars=pa.month_of_year),
        Call(places.location_types, bl.location_types, polars=pa.location_types),
        Call(places.location_type_months, bl.location_type_months,
             polars=pa.location_type_months),
        Call(places.ward_ranking, bl.ward_ranking, polars=pa.ward_ranking),
    ), not_by_default={places.area_crime_cells: "drawn only when police.uk street crime is "
                                                "loaded and its layer switched on",
                       places.lsoa_hot_spots: "only when hot spots are looked for among LSOAs"}),
    Page("pages/overlap.py", "Risk overlap", (
        Call(overview.has_incidents, bl.has_incidents, polars=pa.has_incidents),
        Call(overlap.analyse, bl.overlap_analyse, {"unit": "people", "window": OVERLAP_WINDOW},
             polars=pa.overlap_analyse),
        Call(overlap.combinations, bl.combinations, {"unit": "people"},
             polars=pa.combinations),
        Call(overlap.drilldown, bl.drilldown, {"unit": "people", "exact": False,
                                               "window": OVERLAP_WINDOW}, resolve=first_pair,
             polars=pa.drilldown),
    ), extras=(
        Call(overlap.analyse, kwargs={"unit": "people", "window": None}),
        Call(overlap.analyse, kwargs={"unit": "contexts", "window": 7}),
        Call(overlap.drilldown, kwargs={"unit": "people", "exact": True, "window": None},
             resolve=first_pair),
    )),
    Page("pages/peers.py", "Peer groups", (
        Call(overview.has_incidents, bl.has_incidents, polars=pa.has_incidents),
        Call(peers.peer_groups, kwargs={"min_shared": peers.MIN_SHARED_INCIDENTS}),
    ),  # Louvain community detection (networkx) dominates
        not_by_default={peers.person_layout_for: "drawn only in the analyst view, when the "
                                                 "reader asks for young people, not groups"}),
    Page("pages/interventions.py", "Interventions", (
        Call(interventions.register, bl.register, polars=pa.register),
        Call(overview.has_incidents, bl.has_incidents, polars=pa.has_incidents),
        Call(impact.impact_summary, resolve=with_register),
        Call(impact.impact, resolve=best_intervention),
        Call(impact.displacement, kwargs={"radius_m": impact.DISPLACEMENT_RADIUS_M},
             resolve=best_intervention),
        Call(places.ward_shapes, bl.ward_shapes, polars=pa.ward_shapes),  # the register's map
        Call(places.ward_counts, bl.ward_counts, polars=pa.ward_counts),
    ),  # a matched comparison and estimate for every intervention dominates
        not_by_default={interventions.places: "listed only for a role that may add "
                                              "interventions (analysts)"}),
    Page("pages/records.py", "Incident records", (
        Call(records.incident_records, bl.incident_records, polars=pa.incident_records),
    )),  # lists rows (for analysts), one count and a page of them
    Page("pages/audit.py", "Audit log", (
        Call(audit.integrity, uses_filters=False, cached=False),
        Call(audit.people, uses_filters=False, cached=False),
        Call(audit.entries, uses_filters=False, cached=False, resolve=audit_window),
    )),  # reads the small audit log, never the incidents
)}


# ---- checking the registry against the app ------------------------------------------------

NAVIGATION_FILES = ("ui/page_table.py", "ui/navigation.py", "app.py")
# Pages listed by the app but timed elsewhere: presenter slides rerun the other pages' analyses,
# and the Data page's cost is the ingest path, which the benchmark times on its own.
TIMED_ELSEWHERE = {"pages/present.py": "runs the other pages' analyses",
                   "pages/data.py": "the ingest path is timed as its own step",
                   "pages/glossary.py": "words only: it runs no analysis"}


def listed_pages(root: Path = ROOT) -> list[str]:
    """Every page script the app lists: the first argument of each st.Page(...) call in
    ui/page_table.py, ui/navigation.py and app.py."""
    found: list[str] = []
    for name in NAVIGATION_FILES:
        path = root / name
        if not path.exists():
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            # Every "pages/x.py" string: st.Page(...) calls or the navigation's table of pages.
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and node.value.startswith("pages/") and node.value.endswith(".py")):
                if node.value not in TIMED_ELSEWHERE:
                    found.append(node.value)
    return list(dict.fromkeys(found))


def computed_by(script: str, root: Path = ROOT) -> set[str]:
    """The analyses a script runs through compute(...) or uncached(...):
    'analytics.package.module:function' names, resolved through the script's own imports."""
    tree = ast.parse((root / script).read_text())
    names: dict[str, str] = {}  # local name -> module or module:function
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
                "analytics"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                is_module = (root / (full.replace(".", "/") + ".py")).exists()
                names[alias.asname or alias.name] = full if is_module else (
                    f"{node.module}:{alias.name}")
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called(node) in ("compute", "uncached") and node.args:
            target = node.args[0]
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                out.add(f"{names.get(target.value.id, target.value.id)}:{target.attr}")
            elif isinstance(target, ast.Name):
                out.add(names.get(target.id, target.id))
    return out


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def missing_from_registry(root: Path = ROOT) -> dict[str, set[str]]:
    """Pages the app lists with no entry here ('*'), or analyses an entry does not time."""
    gaps: dict[str, set[str]] = {}
    for script in [SIDEBAR.script, *listed_pages(root)]:
        page = SIDEBAR if script == SIDEBAR.script else PAGES.get(script)
        if page is None:
            gaps[script] = {"*"}
            continue
        untimed = computed_by(script, root) - {c.name for c in page.calls} - page.untimed()
        if untimed:
            gaps[script] = untimed
    return gaps
