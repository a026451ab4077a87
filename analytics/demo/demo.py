"""Fernley, a fictional demo borough: wards, places, young people, incidents and interventions.

Every analysis needs data that shows something worth deciding about, and no real child may ever
appear in a demo. `generate` writes a seeded, entirely invented borough in one transaction:
harm concentrated in a few places, risk types that travel together, evening and summer peaks,
one rising ward and one rising place, an intervention that worked (and displaced some harm next
door), one that did nothing, peer groups sharing places, and a spatial hot spot. `PLANTED` names
each of these so the tests of other modules can find them.

Everything is drawn as whole numpy arrays and written by registering DataFrames, so a million
incidents take well under a minute. The map is Fernley's own: the same wards whatever the seed.

    >>> store = Store()
    >>> generate(store, incidents=2_000).incidents
    2000
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import duckdb
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import Voronoi
from scipy.special import ndtri
from shapely.geometry import MultiPoint, Polygon
from shapely.geometry.polygon import orient

from analytics.store.filters import add_months
from analytics.store.store import Store
from analytics.store.vocab import AGENCIES, CONTEXT_TYPES, RISK_TYPES, codes

BOROUGH_NAME = "Fernley, a fictional demo borough"
DEMO_FILE_NAME = "Fictional demo borough (generated)"
DEMO_KIND = "demo"
DEMO_UPLOADER = "demo generator"

DEFAULT_INCIDENTS = 25_000
DEFAULT_SEED = 20261123
MIN_INCIDENTS = 500
MONTHS = 60  # five years of data, ending with the last complete month

# What is planted, by fixed id whatever the seed or size, so other modules' tests can find it.
PLANTED: dict[str, str] = {
    "hot_spot_ward": "DB14",  # Fernley Central: 3x the rate per child; its 6 neighbours 2x
    "rising_ward": "DB12",  # Larkspur Vale: rising steadily to 2.5x over the last 18 months
    "rising_context": "C0042",  # a hotel in the rising ward: rising to 4.5x over 18 months
    "intervention_context": "C0017",  # a park: harm falls to 0.3x once INT007 starts
    "intervention_id": "INT007",  # CCTV and lighting, started 20 months before the end
    "displaced_to": "C0093",  # a towpath 300 m from the park: 2.5x once INT007 starts
    "null_intervention_context": "C0128",  # a shopping centre: no change after INT023
    "null_intervention_id": "INT023",  # patrols, started 24 months before the end
    "bridge_context": "C0064",  # Fernley Central bus station: shared by 5+ peer groups
}

RISKS: tuple[str, ...] = codes(RISK_TYPES)
CONTEXT_KINDS: tuple[str, ...] = codes(CONTEXT_TYPES)
AGENCY_CODES: tuple[str, ...] = codes(AGENCIES)

# ---------------------------------------------------------------------------------------------
# The map. It is part of Fernley's identity, so it comes from its own fixed seed: the same
# wards whatever `seed` is, which lets PLANTED name wards.
# ---------------------------------------------------------------------------------------------
GEOGRAPHY_SEED = 1215
CENTRE_LAT, CENTRE_LON = 52.45, -1.75
KM_PER_DEGREE_LAT = 111.2
KM_PER_DEGREE_LON = 111.32 * math.cos(math.radians(CENTRE_LAT))
HALF_WIDTH_KM, HALF_HEIGHT_KM = 5.0, 4.0  # a borough about 10 km by 8 km
LLOYD_ROUNDS = 4  # relaxation steps so wards come out of similar size
FAR_KM = 100.0  # mirror points that close every Voronoi cell
WARDS_PER_BAND = 5  # ward codes run in reading order, five wards to a band
CHILDREN_RANGE = (1_500, 6_000)
WARD_NAMES: tuple[str, ...] = (
    "Ashcombe", "Hollins Park", "Wrensmoor", "Cawley Green", "Millbrook",
    "Dunmere", "Brackenhurst", "Fernley Wharf", "Selbury Heath", "Oakhythe",
    "Pennyfold", "Larkspur Vale", "Orlham", "Fernley Central", "Kestlewick",
    "Marlowe Fields", "Yarrowby", "Tillet End", "Stavenby Cross", "Fennimore Rise",
)
WARD_CODES: tuple[str, ...] = tuple(f"DB{i:02d}" for i in range(1, len(WARD_NAMES) + 1))

# Rates of harm per child: the hot spot and its ring stand out; elsewhere random scatter.
HOT_SPOT_RATE = 3.0
NEIGHBOUR_RATE = 2.0
WARD_RATE_SCATTER = 0.15  # sd of log rate in the other wards

# ---------------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------------
MIN_CONTEXTS = 300
INCIDENTS_PER_CONTEXT = 80
CONTEXT_MIX: dict[str, float] = {
    "park": 0.09, "transport_hub": 0.05, "takeaway": 0.12, "shopping_centre": 0.05,
    "housing_estate": 0.09, "school": 0.09, "street": 0.14, "residential": 0.12, "hotel": 0.04,
    "youth_venue": 0.06, "peer_group": 0.06, "online": 0.03, "other": 0.06,
}
ONLINE_SPREAD = 0.8
PLACE_FLOOR = 0.06  # share of a ward spread evenly over its places, so none is empty
# By type: (relative share of harm, sd of log volume between its places). Busy public places
# are very unequal; schools, homes and the like are steadier.
CONTEXT_VOLUME: dict[str, tuple[float, float]] = {
    "park": (0.12, 3.0), "transport_hub": (0.08, 3.0), "takeaway": (0.14, 3.0),
    "shopping_centre": (0.08, 3.0), "housing_estate": (0.12, 3.0), "school": (0.08, 0.8),
    "street": (0.12, 1.5), "residential": (0.10, 1.5), "hotel": (0.04, 1.5),
    "youth_venue": (0.06, 1.2), "peer_group": (0.02, 1.0), "other": (0.03, 1.0),
    "online": (1.0, ONLINE_SPREAD),
}
ONLINE_SHARE = 0.09  # share of incidents at online contexts
EDGE_MARGIN_KM = 0.1  # places sit this far inside their ward so jitter stays inside it
PEER_GROUP_LOCATED = 0.5  # share of peer groups with a known hang-out point
JITTER_M = (30.0, 80.0)  # incidents are recorded near, not at, their place's point
DISPLACEMENT_DISTANCE_KM = 0.3  # displaced_to is this far from the intervention's place


@dataclass(frozen=True)
class _PlantedPlace:
    """A place planted at a fixed id, with its level at the default density."""

    key: str
    context_type: str
    ward: str
    name: str
    monthly: float  # incidents a month at the default size


PLANTED_PLACES: tuple[_PlantedPlace, ...] = (
    # Busy places in the hot spot (DB14) and its ring, and the rising hotel in the rising ward.
    _PlantedPlace("intervention_context", "park", "DB15", "Kestlewick Recreation Ground", 10.0),
    _PlantedPlace("displaced_to", "street", "DB15", "Canal towpath off Wharf Lane", 3.0),
    _PlantedPlace("null_intervention_context", "shopping_centre", "DB08",
                  "Wharfside Shopping Centre", 8.0),
    _PlantedPlace("rising_context", "hotel", "DB12", "Larkspur Vale Lodge Hotel", 9.0),
    _PlantedPlace("bridge_context", "transport_hub", "DB14", "Fernley Central bus station", 8.0),
)

# ---------------------------------------------------------------------------------------------
# Trends and interventions
# ---------------------------------------------------------------------------------------------
RISE_MONTHS = 18
RISING_WARD_END = 2.5  # the rising ward ends at this multiple of its usual level
RISING_CONTEXT_END = 4.5  # steep enough that every recent month clears the five-year mean
INTERVENTION_MONTHS_BEFORE_END = 20
INTERVENTION_EFFECT = 0.3  # the planted intervention cuts harm at its place to this share
DISPLACEMENT_EFFECT = 2.5  # ... and the place next door rises by this factor
NULL_MONTHS_BEFORE_END = 24
INTERVENTIONS_PER_CONTEXT = 0.2
OTHER_EFFECT_RANGE = (0.6, 1.05)  # other interventions: mostly modest falls, some nothing
OPEN_INTERVENTION_SHARE = 0.35
INTERVENTION_TYPES: dict[str, tuple[str, tuple[str, ...], str]] = {
    # type: (lead agency, context types it suits, description)
    "Detached youth work": (
        "youth_services", ("park", "housing_estate", "street", "shopping_centre", "transport_hub",
                           "other"),
        "Detached youth workers meet young people at {name} on weekday and weekend evenings."),
    "CCTV and lighting": (
        "police", ("park", "street", "housing_estate", "transport_hub"),
        "New lighting and CCTV coverage at {name}."),
    "Licensing review": (
        "police", ("takeaway", "hotel", "youth_venue"),
        "A licensing review of {name} after young people were seen there late at night."),
    "Guardianship training for staff": (
        "voluntary_sector", ("takeaway", "hotel", "shopping_centre", "transport_hub",
                             "youth_venue"),
        "Staff at {name} trained to spot and report the exploitation of young people."),
    "Police patrols and disruption": (
        "police", ("park", "street", "housing_estate", "residential", "transport_hub",
                   "shopping_centre", "hotel", "other"),
        "Targeted patrols at {name} and disruption of adults seen with young people."),
    "School safety partnership": (
        "education", ("school",),
        "A safety partnership with {name}: staff training, a named lead and safer routes home."),
    "Online platform reporting": (
        "police", ("online",),
        "Harmful accounts on the {name} reported to the platform, with advice for parents."),
    "Peer group mentoring": (
        "youth_services", ("peer_group",),
        "Mentoring and positive activities offered to the young people of {name}."),
}
PLANTED_INTERVENTIONS: dict[str, tuple[str, str, int]] = {
    # PLANTED id key: (place key, type, months before the end it started)
    "intervention_id": ("intervention_context", "CCTV and lighting",
                        INTERVENTION_MONTHS_BEFORE_END),
    "null_intervention_id": ("null_intervention_context", "Police patrols and disruption",
                             NULL_MONTHS_BEFORE_END),
}

# ---------------------------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------------------------
# Monday..Sunday: Friday to Sunday are busier.
WEEKDAY_WEIGHTS = np.array([0.85, 0.85, 0.85, 0.9, 1.2, 1.35, 1.15])
SUMMER_HOLIDAY = (721, 902)  # 21 July to 2 September, as month * 100 + day
SUMMER_UPLIFT = 1.45
WINTER_MONTHS = (12, 1, 2)
WINTER_DIP = 0.9
SCHOOL_HOLIDAYS: tuple[tuple[int, int], ...] = (
    SUMMER_HOLIDAY, (1220, 1231), (101, 103), (213, 220), (401, 414), (526, 531), (1024, 1031),
)
# Hour of day 0..23, by time pattern: evenings and nights dominate outside school.
HOUR_WEIGHTS: dict[str, np.ndarray] = {
    "general": np.array([8, 6, 3, 2, 1, 1, 1, 1.5, 2, 2, 2, 2.5, 2.5, 2.5, 2.5, 4, 6, 7,
                         8, 9, 10, 10, 10, 9], dtype=float),
    "school": np.array([0, 0, 0, 0, 0, 0, 0, 1, 4, 4, 5, 5, 7, 6, 5, 8, 6, 3,
                        1, 1, 0, 0, 0, 0], dtype=float),
    "online": np.array([8, 6, 4, 2, 1, 0.5, 0.5, 1, 1, 1, 1, 1, 1.5, 1.5, 1.5, 2.5, 3.5, 4.5,
                        6, 7, 9, 10, 11, 10], dtype=float),
}
TIME_PATTERN = {"school": "school", "online": "online"}  # every other type: "general"
REPORT_DELAY_P = 0.35  # geometric: most reports within a day or two
MAX_REPORT_DELAY = 14

# ---------------------------------------------------------------------------------------------
# Harm: which risks, where, and which travel together
# ---------------------------------------------------------------------------------------------
PRIMARY_RISK: dict[str, dict[str, float]] = {
    "park": {"syv": 25, "gangs": 15, "cse": 15, "cce": 12, "missing": 8, "hsb": 5,
             "relationship_abuse": 5, "county_lines": 10},
    "transport_hub": {"cce": 25, "county_lines": 25, "missing": 15, "cse": 12, "syv": 10,
                      "trafficking": 4, "gangs": 5},
    "takeaway": {"cse": 30, "cce": 25, "county_lines": 8, "syv": 15, "missing": 8, "gangs": 10},
    "shopping_centre": {"cce": 20, "syv": 20, "cse": 15, "gangs": 15, "missing": 8,
                        "county_lines": 8, "hsb": 5, "relationship_abuse": 5},
    "housing_estate": {"cce": 25, "county_lines": 20, "gangs": 20, "syv": 20, "cse": 10,
                       "modern_slavery": 3},
    "school": {"hsb": 55, "relationship_abuse": 15, "syv": 15, "radicalisation": 3, "gangs": 7,
               "cse": 5, "cce": 5},
    "street": {"syv": 30, "cce": 20, "gangs": 15, "county_lines": 12, "cse": 10, "missing": 8},
    "residential": {"cse": 25, "cce": 20, "county_lines": 18, "missing": 12,
                    "modern_slavery": 4, "trafficking": 4, "relationship_abuse": 10},
    "hotel": {"cse": 45, "trafficking": 10, "missing": 15, "cce": 10, "modern_slavery": 6},
    "youth_venue": {"syv": 25, "hsb": 10, "gangs": 15, "relationship_abuse": 15, "cse": 10,
                    "cce": 10, "radicalisation": 2},
    "peer_group": {"gangs": 30, "syv": 25, "cce": 20, "hsb": 8, "relationship_abuse": 8,
                   "county_lines": 5},
    "online": {"cse": 35, "radicalisation": 25, "hsb": 12, "relationship_abuse": 15, "cce": 5},
    "other": {"syv": 20, "cse": 15, "cce": 15, "gangs": 10, "missing": 10, "hsb": 8,
              "relationship_abuse": 8, "radicalisation": 4, "county_lines": 10},
}
# Chance that a second risk type is recorded with the first: these pairs travel together.
SECONDARY_RISK: dict[str, dict[str, float]] = {
    "cse": {"missing": 0.5, "relationship_abuse": 0.08, "trafficking": 0.04},
    "cce": {"county_lines": 0.5, "missing": 0.25, "gangs": 0.2},
    "county_lines": {"cce": 0.6, "missing": 0.2},
    "trafficking": {"modern_slavery": 0.3, "cse": 0.2, "cce": 0.1},
    "modern_slavery": {"trafficking": 0.3, "cce": 0.2},
    "gangs": {"syv": 0.3, "cce": 0.12},
    "syv": {"gangs": 0.15},
    "hsb": {"relationship_abuse": 0.06},
    "radicalisation": {},
    "missing": {"cse": 0.3, "cce": 0.15},
    "relationship_abuse": {"cse": 0.1, "hsb": 0.08},
}
BACKGROUND_RISK = 0.04  # chance of one unrelated extra risk type: records are noisy
MAX_RISKS = 3
SERIOUS_RISKS = ("cce", "county_lines", "trafficking", "modern_slavery", "syv")
SEVERITY_P = {"serious": (0.3, 0.4, 0.3), "other": (0.5, 0.35, 0.15)}
OUTCOMES: tuple[str, ...] = (
    "No further action", "Advice and information given", "Safety plan",
    "Referral to early help", "Referral to children's social care", "Strategy meeting",
    "Disruption activity", "Return home interview",
)
OUTCOME_P = np.array([  # by severity 1, 2, 3
    [0.35, 0.25, 0.10, 0.15, 0.08, 0.02, 0.03, 0.02],
    [0.12, 0.12, 0.18, 0.12, 0.20, 0.10, 0.10, 0.06],
    [0.03, 0.03, 0.12, 0.04, 0.25, 0.30, 0.18, 0.05],
])
AGENCY_P: dict[str, tuple[float, ...]] = {  # in AGENCY_CODES order; police most common
    "general": (0.45, 0.20, 0.08, 0.08, 0.12, 0.07),
    "school": (0.20, 0.15, 0.55, 0.05, 0.03, 0.02),
    "online": (0.45, 0.20, 0.25, 0.02, 0.03, 0.05),
}

# ---------------------------------------------------------------------------------------------
# Young people and peer groups
# ---------------------------------------------------------------------------------------------
PEOPLE_PER_INCIDENT_P = (0.62, 0.25, 0.09, 0.04)  # 1, 2, 3 or 4 young people
AGE_GAP_P = {11: 0.04, 12: 0.08, 13: 0.13, 14: 0.18, 15: 0.22, 16: 0.21, 17: 0.14}
AWAY_FROM_HOME = 0.15  # share of young people met outside their home ward
# Most young people are occasional: met once or twice, near home. A few are involved again
# and again; they are drawn borough-wide by age, because they travel, and because drawing
# them from small local pools would make them co-appear so often that they looked like groups.
REPEAT_DRAWS = 0.8  # share of ordinary appearances by the repeatedly involved
REPEAT_APPEARANCES = 13.0  # their mean number of appearances
REPEAT_SPREAD = 0.6  # sd of log involvement among them
OCCASIONAL_PEOPLE_PER_DRAW = 1.6  # pool size per draw: most occasional people appear 0-2 times
GENDERS: tuple[str, ...] = ("Female", "Male", "Other or not recorded")
UNRECORDED_GENDER = 0.03
FEMALE_SHARE: dict[str, float] = {
    "cse": 0.8, "cce": 0.25, "county_lines": 0.2, "trafficking": 0.5, "modern_slavery": 0.4,
    "gangs": 0.2, "syv": 0.25, "hsb": 0.35, "radicalisation": 0.2, "missing": 0.6,
    "relationship_abuse": 0.7,
}
SECOND_SUBJECT = 0.25  # chance that a second or later young person is also a subject
GROUPS_AT_DEFAULT = 50
GROUP_SIZE = (4, 10)
GROUP_INCIDENTS_PER_MEMBER = (2.5, 4.0)
GROUP_MONTHS = (9, 30)  # how long a group is seen for
GROUP_MEMBERS_P = (0.4, 0.35, 0.25)  # 2, 3 or 4 members at one incident
GROUP_HAUNTS = (2, 4)
HAUNT_TYPES = ("park", "takeaway", "shopping_centre", "transport_hub", "youth_venue", "street",
               "housing_estate")
BRIDGE_GROUPS = 5  # at least this many groups also meet at the bridge place


class StoreNotEmpty(ValueError):
    """The demo borough is only ever written into an empty store."""


@dataclass(frozen=True)
class DemoSummary:
    """What one `generate` call wrote, and how long it took."""

    wards: int
    contexts: int
    young_people: int
    incidents: int
    interventions: int
    seconds: float
    extract_id: int = 0


# =============================================================================================
# Public API
# =============================================================================================
def generate(store: Store, *, incidents: int = DEFAULT_INCIDENTS, seed: int = DEFAULT_SEED,
             end: date | None = None) -> DemoSummary:
    """Write the fictional borough into an empty store in one transaction; return the counts.

    `end` is the last day of data (default: the end of the last complete month); the data
    start on the first of the month five years before. Same seed, same tables; the wards are
    the same for every seed. Places and young people grow with `incidents` (about one place
    per 80 incidents, at least 300; about 0.32 young people per incident). An online
    incident has no point but carries the young person's home ward, so a ward's figures
    include the online harm to its children. Raises StoreNotEmpty unless the store is empty.
    """
    if incidents < MIN_INCIDENTS:
        raise ValueError(f"The demo borough needs at least {MIN_INCIDENTS:,} incidents.")
    if not store.is_empty():
        raise StoreNotEmpty("The demo borough can only be written into an empty store.")
    started = time.perf_counter()
    end = end or default_end()
    tables = build_tables(incidents=incidents, seed=seed, end=end)
    with store.transaction() as cur:
        if not store.is_empty():  # again, under the store's lock: another session may have won
            raise StoreNotEmpty("The store was filled while the demo borough was being made.")
        extract_id = _write(cur, tables)
    return DemoSummary(
        wards=len(tables["wards"]), contexts=len(tables["contexts"]),
        young_people=len(tables["young_people"]), incidents=len(tables["incidents"]),
        interventions=len(tables["interventions"]),
        seconds=round(time.perf_counter() - started, 2), extract_id=extract_id,
    )


def ensure_demo(store: Store) -> bool:
    """Fill an empty store with the default demo borough; True if it did, False if data exist.

    Safe when two sessions start at once: the one that loses the race returns False.
    """
    if not store.is_empty():
        return False
    try:
        generate(store)
    except StoreNotEmpty:
        return False
    return True


def default_end(today: date | None = None) -> date:
    """The last day of the last complete month before `today` (31 Oct 2026 on 23 Nov 2026)."""
    today = today or datetime.now(UTC).date()
    return today.replace(day=1) - timedelta(days=1)


def build_tables(*, incidents: int = DEFAULT_INCIDENTS, seed: int = DEFAULT_SEED,
                 end: date | None = None) -> dict[str, pd.DataFrame]:
    """Every demo table as a DataFrame keyed by number (ids are formatted in SQL on insert)."""
    end = end or default_end()
    rngs = {name: np.random.default_rng([seed, i]) for i, name in enumerate(
        ("wards", "contexts", "interventions", "groups", "incidents", "risks", "people"))}
    geo = _geography()
    calendar = _calendar(end)
    rates = _ward_rates(geo, rngs["wards"])
    places = _contexts(geo, rates, incidents, rngs["contexts"])
    interventions, trend = _interventions(places, geo, calendar, rngs["interventions"])
    groups = _groups(places, geo, rates, incidents, calendar, rngs["groups"])
    events = _incidents(places, trend, groups, incidents, calendar, geo, rngs["incidents"])
    risks = _risks(events, places, rngs["risks"])
    people, links = _people(events, groups, risks, geo, calendar, rngs["people"])
    return {
        "wards": _ward_table(geo),
        "contexts": _context_table(places),
        "young_people": people,
        "incidents": _incident_table(events, places, risks, geo, end, rngs["incidents"]),
        "incident_risks": risks.rows,
        "incident_people": links,
        "interventions": interventions,
    }


# =============================================================================================
# The map
# =============================================================================================
@dataclass(frozen=True)
class _Geography:
    """The fixed wards: cells in km east and north of the centre, children, neighbours."""

    cells: tuple[Polygon, ...]
    children: np.ndarray
    neighbours: tuple[frozenset[int], ...]

    def index(self, code: str) -> int:
        """Position of a ward code."""
        return WARD_CODES.index(code)


@lru_cache(maxsize=1)
def _geography() -> _Geography:
    """Voronoi wards of a seeded outline, relaxed, clipped and numbered in reading order."""
    rng = np.random.default_rng(GEOGRAPHY_SEED)
    outline = _outline(rng)
    points = _points_in(outline, len(WARD_CODES), rng)
    for _ in range(LLOYD_ROUNDS):
        cells = _voronoi_cells(points, outline)
        points = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    cells = _reading_order(_voronoi_cells(points, outline))
    children = np.round(rng.uniform(*CHILDREN_RANGE, len(cells)), -1).astype(int)
    children.setflags(write=False)  # shared by every call through the cache
    neighbours = tuple(
        frozenset(j for j, other in enumerate(cells)
                  if j != i and cell.intersection(other).length > 1e-6)
        for i, cell in enumerate(cells))
    return _Geography(tuple(cells), children, neighbours)


def _outline(rng: np.random.Generator) -> Polygon:
    """A convex, slightly irregular borough boundary about 10 km by 8 km (convex so cells stay whole)."""
    angle = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    radius = (1 + 0.07 * np.sin(3 * angle + rng.uniform(0, 2 * np.pi))
              + 0.04 * np.sin(5 * angle + rng.uniform(0, 2 * np.pi)))
    points = np.column_stack([HALF_WIDTH_KM * radius * np.cos(angle),
                              HALF_HEIGHT_KM * radius * np.sin(angle)])
    return MultiPoint(points).convex_hull


def _points_in(polygon: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """n uniform random points inside a polygon, by rejection from its bounding box."""
    minx, miny, maxx, maxy = polygon.bounds
    found = np.empty((0, 2))
    while len(found) < n:
        candidates = rng.uniform((minx, miny), (maxx, maxy), size=(2 * n + 16, 2))
        inside = shapely.contains_xy(polygon, candidates[:, 0], candidates[:, 1])
        found = np.vstack([found, candidates[inside]])
    return found[:n]


def _voronoi_cells(points: np.ndarray, outline: Polygon) -> list[Polygon]:
    """The Voronoi cell of each point clipped to the outline; far mirror points close them all."""
    far = FAR_KM * np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]])
    vor = Voronoi(np.vstack([points, far]))
    return [MultiPoint(vor.vertices[vor.regions[vor.point_region[i]]]).convex_hull
            .intersection(outline) for i in range(len(points))]


def _reading_order(cells: list[Polygon]) -> list[Polygon]:
    """Cells sorted north to south in bands, west to east within a band, like reading a page."""
    centres = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    by_north = np.argsort(-centres[:, 1], kind="stable")
    bands = [by_north[i:i + WARDS_PER_BAND] for i in range(0, len(cells), WARDS_PER_BAND)]
    order = np.concatenate([band[np.argsort(centres[band, 0], kind="stable")] for band in bands])
    return [cells[i] for i in order]


def _to_lonlat(x_km: np.ndarray, y_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local km east/north of the centre -> longitude, latitude."""
    return CENTRE_LON + x_km / KM_PER_DEGREE_LON, CENTRE_LAT + y_km / KM_PER_DEGREE_LAT


def _ward_rates(geo: _Geography, rng: np.random.Generator) -> np.ndarray:
    """Relative rate of harm per child in each ward: a hot spot, its ring, scatter elsewhere."""
    hot = geo.index(PLANTED["hot_spot_ward"])
    rates = np.exp(rng.normal(0.0, WARD_RATE_SCATTER, len(WARD_CODES)))
    rates[list(geo.neighbours[hot])] = NEIGHBOUR_RATE
    rates[hot] = HOT_SPOT_RATE
    return rates


def _ward_table(geo: _Geography) -> pd.DataFrame:
    """The wards table: GeoJSON polygons in lon/lat (rounded so shared edges stay shared)."""
    def lonlat(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(_to_lonlat(xy[:, 0], xy[:, 1])).round(6)

    polygons = [orient(shapely.transform(cell, lonlat), 1.0) for cell in geo.cells]
    return pd.DataFrame({
        "ward_code": WARD_CODES,
        "ward_name": WARD_NAMES,
        "geometry_geojson": [shapely.to_geojson(p) for p in polygons],
        "centroid_lat": [round(p.centroid.y, 6) for p in polygons],
        "centroid_lon": [round(p.centroid.x, 6) for p in polygons],
        "child_population": geo.children,
    })


# =============================================================================================
# Time
# =============================================================================================
@dataclass(frozen=True)
class _Calendar:
    """The days of the data, with weights by time pattern for drawing months and days."""

    start: date
    end: date
    days: np.ndarray  # datetime64[D]
    month: np.ndarray  # month index of each day
    months: int
    month_weight: dict[str, np.ndarray]  # relative volume of each month, mean 1
    day_key: dict[str, np.ndarray]  # month index + cumulative share of the month, per day

    def draw_days(self, pattern: str, month: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A day for each month index, weighted by weekday and holidays (inverse CDF)."""
        key = self.day_key[pattern]
        index = np.searchsorted(key, month + rng.random(len(month)), side="right")
        return self.days[np.minimum(index, len(self.days) - 1)]


def _calendar(end: date) -> _Calendar:
    """Five years of days up to `end`, with general and school-day weights."""
    start = add_months(date(end.year, end.month, 1), 1 - MONTHS)
    days = np.arange(np.datetime64(start), np.datetime64(end) + 1)
    stamp = pd.DatetimeIndex(days)
    month = ((stamp.year - start.year) * 12 + stamp.month - start.month).to_numpy()
    month_day = (stamp.month * 100 + stamp.day).to_numpy()
    weekday = stamp.day_of_week.to_numpy()
    in_summer = (month_day >= SUMMER_HOLIDAY[0]) & (month_day <= SUMMER_HOLIDAY[1])
    school_holiday = np.zeros(len(days), dtype=bool)
    for first, last in SCHOOL_HOLIDAYS:
        school_holiday |= (month_day >= first) & (month_day <= last)
    general = (WEEKDAY_WEIGHTS[weekday] * np.where(in_summer, SUMMER_UPLIFT, 1.0)
               * np.where(np.isin(stamp.month, WINTER_MONTHS), WINTER_DIP, 1.0))
    school = ((weekday < 5) & ~school_holiday).astype(float)
    weights = {"general": general, "school": school, "online": general}
    month_weight, day_key = {}, {}
    for pattern, w in weights.items():
        total = np.bincount(month, weights=w, minlength=MONTHS)
        before = np.concatenate([[0.0], np.cumsum(total)])[month]
        share = (np.cumsum(w) - before) / np.where(total[month] > 0, total[month], 1.0)
        month_weight[pattern] = total / total.mean()
        day_key[pattern] = month + np.minimum(share, 1.0)
    return _Calendar(start, end, days, month, MONTHS, month_weight, day_key)


# =============================================================================================
# Places
# =============================================================================================
def _contexts(geo: _Geography, rates: np.ndarray, incidents: int,
              rng: np.random.Generator) -> pd.DataFrame:
    """Every place: planted ones at their fixed ids, the rest drawn, with a volume weight each.

    Columns: number (the id's number), name, context_type, kind (its index in CONTEXT_KINDS),
    ward (index, -1 online), x, y (km, NaN when unknown), weight (share of ordinary incidents),
    group (linked peer group, or -1).
    """
    n = max(MIN_CONTEXTS, round(incidents / INCIDENTS_PER_CONTEXT))
    counts = _largest_remainder(np.array(list(CONTEXT_MIX.values())), n)
    kinds = np.repeat(np.array(list(CONTEXT_MIX)), counts)
    planted = pd.DataFrame([{"key": p.key, "context_type": p.context_type,
                             "ward": geo.index(p.ward), "name": p.name, "group": -1,
                             "weight": p.monthly * MONTHS / DEFAULT_INCIDENTS * MIN_CONTEXTS / n}
                            for p in PLANTED_PLACES])
    for kind in planted["context_type"]:  # a planted place takes one of its type's places
        kinds = np.delete(kinds, np.flatnonzero(kinds == kind)[0])
    drawn = pd.DataFrame({"key": "", "context_type": rng.permutation(kinds), "group": -1})
    # A peer-group place tied to a group is only ever seen as that group.
    peer = np.flatnonzero(drawn["context_type"].to_numpy() == "peer_group")
    peer = peer[: _group_count(incidents)]
    drawn.loc[peer, "group"] = np.arange(len(peer))

    budget = (1 - ONLINE_SHARE) * geo.children * rates / (geo.children * rates).sum()
    budget -= np.bincount(planted["ward"], planted["weight"], minlength=len(WARD_CODES))
    if (budget <= 0).any():
        raise RuntimeError("Planted places overfill a ward; lower their levels.")
    drawn["weight"] = _volume_weights(drawn, budget.sum(), rng)
    drawn["ward"] = _deal_to_wards(drawn, budget, geo, rng)
    drawn["name"] = _context_names(drawn, list(planted["name"]), rng)
    places = _place_at_fixed_ids(planted, drawn)
    places["kind"] = pd.Categorical(places["context_type"], categories=list(CONTEXT_KINDS)).codes
    _locate(places, geo, rng)
    return places


def _volume_weights(drawn: pd.DataFrame, physical: float, rng: np.random.Generator) -> np.ndarray:
    """Each drawn place's share of ordinary incidents: its type's share, split log-normally.

    Busy public places (hubs, shopping centres, parks) are very unequal, so a few carry most
    harm; schools are steady, so no seed lets one school (weekdays, term time) swamp the
    borough's weekly and yearly rhythm. Log-normal quantiles dealt at random, rather than raw
    draws, so the tail's shape barely depends on the seed; a floor keeps every place in use.
    """
    kinds = drawn["context_type"].to_numpy()
    ordinary = drawn["group"].to_numpy() < 0
    weight = np.zeros(len(drawn))
    for kind, (share, sd) in CONTEXT_VOLUME.items():
        mine = np.flatnonzero((kinds == kind) & ordinary)
        if len(mine) == 0:
            continue
        value = np.exp(sd * ndtri((rng.permutation(len(mine)) + 0.5) / len(mine)))
        weight[mine] = share * ((1 - PLACE_FLOOR) * value / value.sum()
                                + PLACE_FLOOR / len(mine))
    online = kinds == "online"
    weight[online] *= ONLINE_SHARE / weight[online].sum()
    weight[~online] *= physical / weight[~online].sum()
    return weight


def _deal_to_wards(drawn: pd.DataFrame, budget: np.ndarray, geo: _Geography,
                   rng: np.random.Generator) -> np.ndarray:
    """Deal places to wards, busiest first, each to a ward with room for it, so that ward
    totals meet their budgets (the rates per child the map should show).

    One step per place (hundreds to tens of thousands), never per incident.
    """
    kinds = drawn["context_type"].to_numpy()
    weight = drawn["weight"].to_numpy()
    ward = np.full(len(drawn), -1)
    linked = (drawn["group"].to_numpy() >= 0)
    ward[linked] = rng.choice(len(WARD_CODES), linked.sum(), p=geo.children / geo.children.sum())
    room = budget.copy()
    physical = np.flatnonzero((kinds != "online") & ~linked)
    for place in physical[np.argsort(-weight[physical], kind="stable")]:
        fits = room >= weight[place]
        if fits.any():
            chance = np.cumsum(np.where(fits, room, 0.0))
            ward[place] = np.searchsorted(chance, rng.random() * chance[-1], side="right")
        else:
            ward[place] = int(np.argmax(room))
        room[ward[place]] -= weight[place]
    return ward


def _largest_remainder(shares: np.ndarray, n: int) -> np.ndarray:
    """Whole counts summing to n in proportion to shares."""
    raw = shares / shares.sum() * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(counts - raw)[: n - counts.sum()]] += 1
    return counts


def _place_at_fixed_ids(planted: pd.DataFrame, drawn: pd.DataFrame) -> pd.DataFrame:
    """Planted places at the numbers PLANTED gives them, drawn places in the other numbers."""
    n = len(planted) + len(drawn)
    fixed = np.array([int(PLANTED[k][1:]) - 1 for k in planted["key"]])
    free = np.setdiff1d(np.arange(n), fixed)
    places = pd.concat([planted, drawn], ignore_index=True)
    slot = np.concatenate([fixed, free])
    places = places.iloc[np.argsort(slot)].reset_index(drop=True)
    places.insert(0, "number", np.arange(1, n + 1))
    return places


def _locate(places: pd.DataFrame, geo: _Geography, rng: np.random.Generator) -> None:
    """Give physical places a point inside their ward; displaced_to goes next to the intervention."""
    xy = np.full((len(places), 2), np.nan)
    wards = places["ward"].to_numpy()
    for ward, cell in enumerate(geo.cells):
        rows = np.flatnonzero(wards == ward)
        xy[rows] = _points_in(cell.buffer(-EDGE_MARGIN_KM), len(rows), rng)
    unlocated = (places["context_type"] == "peer_group").to_numpy() & (
        rng.random(len(places)) > PEER_GROUP_LOCATED)
    xy[unlocated] = np.nan
    places["x"], places["y"] = xy[:, 0], xy[:, 1]
    _place_next_to(places, geo, "displaced_to", "intervention_context")


def _place_next_to(places: pd.DataFrame, geo: _Geography, key: str, anchor_key: str) -> None:
    """Move one planted place DISPLACEMENT_DISTANCE_KM from another, inside its ward."""
    row = _row(places, key)
    anchor = places.loc[_row(places, anchor_key), ["x", "y"]].to_numpy(dtype=float)
    cell = geo.cells[int(places.at[row, "ward"])].buffer(-EDGE_MARGIN_KM)
    for angle in np.linspace(0, 2 * np.pi, 24, endpoint=False):
        point = anchor + DISPLACEMENT_DISTANCE_KM * np.array([np.cos(angle), np.sin(angle)])
        if shapely.contains_xy(cell, *point):
            places.loc[row, ["x", "y"]] = point
            return
    raise RuntimeError(f"No room for {key} next to {anchor_key}; change GEOGRAPHY_SEED.")


def _row(places: pd.DataFrame, key: str) -> int:
    """Row of a planted place."""
    return int(PLANTED[key][1:]) - 1


NAME_STEMS: tuple[str, ...] = (
    "Alder", "Birch", "Bramble", "Cinder", "Coldwell", "Copper", "Dove", "Elder", "Foxley",
    "Gorse", "Hazel", "Heron", "Holly", "Juniper", "Kiln", "Lark", "Linnet", "Maple", "Marsh",
    "Mill", "Nettle", "Oak", "Orchard", "Osier", "Pike", "Quarry", "Reed", "Rook", "Rowan",
    "Sedge", "Sorrel", "Swan", "Tanner", "Teasel", "Thistle", "Weaver", "Willow", "Wren", "Yew",
)
ROAD_SUFFIXES = ("Road", "Lane", "Street", "Avenue", "Way", "Close", "Walk", "Row")
SHOP_NAMES = ("Chicken Palace", "Golden Fryer", "Pizza Point", "Sunrise Grill", "Happy Wok",
              "Corner Café", "Star Kebab", "Crispy Corner", "Peri Hut", "Noodle Bar")
ONLINE_NAMES = (
    "messaging app (group chats)", "social media (image sharing)", "gaming platform (voice chat)",
    "short video app", "anonymous chat site", "livestreaming platform",
    "encrypted messaging app", "dating app", "discussion forum",
)
# Templates per type; {s} a stem, {r} a road, {w} the ward's name, {n} a running number.
NAME_TEMPLATES: dict[str, tuple[str, ...]] = {
    "park": ("{s} Park", "{s} Recreation Ground", "{s} Playing Fields", "{s} Nature Reserve"),
    "transport_hub": ("{w} bus station", "{w} railway station", "{s} {r} tram stop",
                      "{s} interchange"),
    "takeaway": ("{shop}, {s} {r}",),
    "shopping_centre": ("{s} Shopping Centre", "{s} Retail Park", "{w} High Street",
                        "{s} Parade"),
    "housing_estate": ("{s} Estate", "{s} Court flats", "{s} Gardens estate"),
    "school": ("{s} Academy", "{s} High School", "{w} College", "{s} Learning Centre"),
    "street": ("{s} {r}", "{s} {r} car park", "Alley behind {s} {r}", "{s} {r} underpass"),
    "residential": ("Residential address R{n:04d}, {w}",),
    "hotel": ("{s} Hotel", "{s} Lodge", "{s} Inn", "Short-let flat, {s} {r}"),
    "youth_venue": ("{s} Youth Centre", "{w} Leisure Centre", "{s} Boxing Gym", "{s} Bowl"),
    "peer_group": ("Peer group {n}",),
    "online": ("Online: {online}",),
    "other": ("{s} Cemetery", "{s} Allotments", "{s} Community Hall", "{s} Library",
              "{s} Car Wash"),
}


def _context_names(drawn: pd.DataFrame, taken: list[str], rng: np.random.Generator) -> list[str]:
    """Fictional names by type (one per place, not per incident), unique and not in `taken`."""
    n = len(drawn)
    stems = rng.choice(NAME_STEMS, n)
    roads = rng.choice(ROAD_SUFFIXES, n)
    shops = rng.choice(SHOP_NAMES, n)
    pick = rng.random(n)
    ward_names = np.array(WARD_NAMES + ("",), dtype=object)[drawn["ward"].to_numpy()]
    running = drawn.groupby("context_type").cumcount().to_numpy() + 1
    names = []
    for i, kind in enumerate(drawn["context_type"]):
        templates = NAME_TEMPLATES[kind]
        names.append(templates[int(pick[i] * len(templates))].format(
            s=stems[i], r=roads[i], w=ward_names[i], n=running[i], shop=shops[i],
            online=ONLINE_NAMES[(running[i] - 1) % len(ONLINE_NAMES)]))
    # A second "Oakhythe bus station" gets its street, as people would tell them apart;
    # anything still repeated (online spaces, mostly) is numbered.
    # The taken names go first, so a drawn place never takes a planted place's name.
    on_a_street = [True] * len(taken) + list(drawn["context_type"] != "online")
    stems, roads = [""] * len(taken) + list(stems), [""] * len(taken) + list(roads)
    names = taken + names
    repeat = pd.Series(names).groupby(names).cumcount().to_numpy()
    names = [f"{name}, {stems[i]} {roads[i]}" if repeat[i] and on_a_street[i] else name
             for i, name in enumerate(names)]
    while (repeat := pd.Series(names).groupby(names).cumcount().to_numpy()).any():
        names = [f"{name} ({k + 1})" if k else name for name, k in zip(names, repeat,
                                                                        strict=True)]
    return names[len(taken):]


def _context_table(places: pd.DataFrame) -> pd.DataFrame:
    """The contexts table (numbers; ids are made in SQL)."""
    lon, lat = _to_lonlat(places["x"].to_numpy(), places["y"].to_numpy())
    return pd.DataFrame({
        "number": places["number"], "name": places["name"],
        "context_type": places["context_type"],
        "ward_code": _labels(WARD_CODES, places["ward"].to_numpy()),
        "lat": lat.round(6), "lon": lon.round(6),
    })


def _labels(labels: tuple[str, ...], index: np.ndarray) -> pd.Categorical:
    """Codes -> a categorical column (-1 -> NULL); cheap to build and to register in DuckDB."""
    return pd.Categorical.from_codes(index, categories=list(labels))


# =============================================================================================
# Interventions and each place's trend
# =============================================================================================
def _interventions(places: pd.DataFrame, geo: _Geography, calendar: _Calendar,
                   rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """The interventions table and each place's monthly multiplier (planted rises, falls, effects)."""
    n_places = len(places)
    months = np.arange(calendar.months)
    trend = np.ones((n_places, calendar.months))
    ramp = np.clip((months - (calendar.months - RISE_MONTHS) + 1) / RISE_MONTHS, 0, 1)
    rising_ward = geo.index(PLANTED["rising_ward"])
    trend[places["ward"].to_numpy() == rising_ward] = 1 + (RISING_WARD_END - 1) * ramp
    trend[_row(places, "rising_context")] = 1 + (RISING_CONTEXT_END - 1) * ramp  # its own rise

    rows = []
    for key, (place_key, kind, months_before) in PLANTED_INTERVENTIONS.items():
        start = _first_monday(add_months(calendar.start, calendar.months - months_before))
        rows.append({"slot": int(PLANTED[key][3:]) - 1, "row": _row(places, place_key),
                     "type": kind, "started_on": start, "ended_on": None})
    after = months >= calendar.months - INTERVENTION_MONTHS_BEFORE_END
    trend[_row(places, "intervention_context"), after] *= INTERVENTION_EFFECT
    trend[_row(places, "displaced_to"), after] *= DISPLACEMENT_EFFECT

    wanted = round(n_places * INTERVENTIONS_PER_CONTEXT) - len(rows)
    others = _other_interventions(places, geo, calendar, trend, wanted, rng)
    free = np.setdiff1d(np.arange(len(rows) + len(others)), [r["slot"] for r in rows])
    for r, slot in zip(others, free, strict=True):
        r["slot"] = slot
    rows += others
    table = pd.DataFrame(rows).sort_values("slot", ignore_index=True)
    kinds = table["type"]
    names = places["name"].to_numpy()[table["row"]]
    return pd.DataFrame({
        "number": table["slot"] + 1,
        "context_number": places["number"].to_numpy()[table["row"]],
        "ward_code": _labels(WARD_CODES, places["ward"].to_numpy()[table["row"]]),
        "started_on": pd.to_datetime(table["started_on"]),
        "ended_on": pd.to_datetime(table["ended_on"]),
        "intervention_type": kinds,
        "lead_agency": [INTERVENTION_TYPES[k][0] for k in kinds],
        "description": [INTERVENTION_TYPES[k][2].format(name=nm.removeprefix("Online: "))
                        for k, nm in zip(kinds, names, strict=True)],
    }), trend


def _other_interventions(places: pd.DataFrame, geo: _Geography, calendar: _Calendar,
                         trend: np.ndarray, n: int, rng: np.random.Generator) -> list[dict]:
    """Interventions at busy places (not planted ones) with modest, varied effects on the trend.

    One row per intervention (tens to a few thousand), so a plain loop is fine here.
    """
    # A peer group's own place has no ordinary volume; weigh it like a typical place so
    # groups too can get mentoring.
    weight = places["weight"].to_numpy()
    linked = places["group"].to_numpy() >= 0
    weight = np.where(linked, np.median(weight[weight > 0]), weight)
    eligible = ((places["key"] == "").to_numpy()
                & (places["ward"].to_numpy() != geo.index(PLANTED["rising_ward"])))
    candidates = np.flatnonzero(eligible)
    weight = weight[candidates]
    chosen = rng.choice(candidates, size=min(n, len(candidates)), replace=False,
                        p=weight / weight.sum())
    by_type = {kind: [t for t, (_, suits, _) in INTERVENTION_TYPES.items() if kind in suits]
               for kind in CONTEXT_KINDS}
    by_type["other"] = by_type["other"] or ["Police patrols and disruption"]
    start_month = rng.integers(6, calendar.months - 3, len(chosen))
    start_day = rng.integers(0, 28, len(chosen))
    length = rng.integers(90, 400, len(chosen))
    still_open = rng.random(len(chosen)) < OPEN_INTERVENTION_SHARE
    effect = rng.uniform(*OTHER_EFFECT_RANGE, len(chosen))
    pick = rng.random(len(chosen))
    rows = []
    for i, row in enumerate(chosen):
        suits = by_type[places.at[row, "context_type"]]
        started = add_months(calendar.start, int(start_month[i])) + timedelta(int(start_day[i]))
        ended = started + timedelta(int(length[i]))
        trend[row, start_month[i] + 1:] *= effect[i]  # the month after it began onwards
        rows.append({"slot": -1, "row": row, "type": suits[int(pick[i] * len(suits))],
                     "started_on": started,
                     "ended_on": None if still_open[i] or ended > calendar.end else ended})
    return rows


def _first_monday(d: date) -> date:
    """The first Monday on or after d."""
    return d + timedelta((7 - d.weekday()) % 7)


# =============================================================================================
# Peer groups
# =============================================================================================
@dataclass(frozen=True)
class _Groups:
    """Peer groups: members (person rows 0..), birth years, and their incidents' places and months."""

    size: np.ndarray
    first_member: np.ndarray
    birth_year: np.ndarray  # per member
    incident_group: np.ndarray  # per group incident
    incident_place: np.ndarray
    incident_month: np.ndarray

    @property
    def members(self) -> int:
        """How many young people belong to a group."""
        return int(self.size.sum())


def _groups(places: pd.DataFrame, geo: _Geography, rates: np.ndarray, incidents: int,
            calendar: _Calendar, rng: np.random.Generator) -> _Groups:
    """Groups of 4-10 young people seen together at a few haunts over months; some share the bridge."""
    n = _group_count(incidents)
    size = rng.integers(GROUP_SIZE[0], GROUP_SIZE[1] + 1, n)
    home = rng.choice(len(WARD_CODES), n, p=geo.children * rates / (geo.children * rates).sum())
    own = np.full(n, -1)
    linked = np.flatnonzero(places["group"].to_numpy() >= 0)
    own[places["group"].to_numpy()[linked]] = linked
    home[own >= 0] = places["ward"].to_numpy()[own[own >= 0]]  # a group lives by its place
    haunts = _haunts(places, home, own, rng)
    length = rng.integers(GROUP_MONTHS[0], GROUP_MONTHS[1] + 1, n)
    first_month = rng.integers(0, calendar.months - length + 1)
    count = np.round(size * rng.uniform(*GROUP_INCIDENTS_PER_MEMBER, n)).astype(int)

    group = np.repeat(np.arange(n), count)
    n_haunts = (haunts >= 0).sum(axis=1)
    place = haunts[group, (rng.random(len(group)) * n_haunts[group]).astype(int)]
    month = first_month[group] + (rng.random(len(group)) * length[group]).astype(int)

    # Members are of an age to be 10-17 throughout the group's months; friends are near in age.
    first_year = calendar.start.year + (calendar.start.month - 1 + first_month) // 12
    last_year = calendar.start.year + (calendar.start.month - 1 + first_month + length - 1) // 12
    low, high = last_year - max(AGE_GAP_P), first_year - min(AGE_GAP_P)
    core = rng.integers(low, high + 1)
    member_group = np.repeat(np.arange(n), size)
    birth = np.clip(core[member_group] + rng.integers(-1, 2, len(member_group)),
                    low[member_group], high[member_group])
    return _Groups(size, np.concatenate([[0], np.cumsum(size)[:-1]]), birth, group, place, month)


def _group_count(incidents: int) -> int:
    """How many peer groups: GROUPS_AT_DEFAULT at the default size, in proportion otherwise."""
    return max(1, round(GROUPS_AT_DEFAULT * incidents / DEFAULT_INCIDENTS))


def _haunts(places: pd.DataFrame, home: np.ndarray, own: np.ndarray,
            rng: np.random.Generator) -> np.ndarray:
    """Each group's 2-4 places (its own peer-group place first), -1 padded; some get the bridge."""
    n = len(home)
    haunts = np.full((n, GROUP_HAUNTS[1]), -1)
    ok = (places["context_type"].isin(HAUNT_TYPES) & (places["key"] == "")).to_numpy()
    weight = places["weight"].to_numpy()
    wards = places["ward"].to_numpy()
    wanted = rng.integers(GROUP_HAUNTS[0], GROUP_HAUNTS[1] + 1, n)
    for g in range(n):  # one step per group, not per incident
        column = 0
        if own[g] >= 0:
            haunts[g, 0], column = own[g], 1
        pool = np.flatnonzero(ok & (wards == home[g]))
        if len(pool) == 0:  # a ward with nowhere to hang out: the group goes further afield
            pool = np.flatnonzero(ok)
        take = min(wanted[g] - column, len(pool))
        if take > 0:
            p = weight[pool] / weight[pool].sum()
            haunts[g, column:column + take] = rng.choice(pool, take, replace=False, p=p)
    bridge = rng.choice(n, min(n, max(BRIDGE_GROUPS, n // 10)), replace=False)
    filled = (haunts >= 0).sum(axis=1)
    haunts[bridge, np.minimum(filled[bridge], GROUP_HAUNTS[1] - 1)] = _row(places,
                                                                           "bridge_context")
    return haunts


# =============================================================================================
# Incidents
# =============================================================================================
@dataclass(frozen=True)
class _Events:
    """Incidents in time order: place row, group (-1 ordinary), time, ward."""

    place: np.ndarray
    group: np.ndarray
    occurred: np.ndarray  # datetime64[s]
    ward: np.ndarray  # ward index: the place's, or the young person's home ward when online


def _incidents(places: pd.DataFrame, trend: np.ndarray, groups: _Groups, incidents: int,
               calendar: _Calendar, geo: _Geography, rng: np.random.Generator) -> _Events:
    """Ordinary incidents by place and month (one multinomial draw), plus the groups', time-sorted."""
    pattern = np.array([TIME_PATTERN.get(k, "general") for k in places["context_type"]])
    seasonal = np.vstack([calendar.month_weight[p] for p in pattern])
    intensity = places["weight"].to_numpy()[:, None] * seasonal * trend
    ordinary = max(0, incidents - len(groups.incident_group))
    counts = rng.multinomial(ordinary, (intensity / intensity.sum()).ravel())
    cell = np.repeat(np.arange(counts.size), counts)
    place = np.concatenate([cell // calendar.months, groups.incident_place])[:incidents]
    month = np.concatenate([cell % calendar.months, groups.incident_month])[:incidents]
    group = np.concatenate([np.full(len(cell), -1), groups.incident_group])[:incidents]

    day = np.empty(len(place), dtype="datetime64[D]")
    hour = np.empty(len(place), dtype=int)
    for name in HOUR_WEIGHTS:
        mine = pattern[place] == name
        day[mine] = calendar.draw_days(name, month[mine], rng)
        hour[mine] = _draw(HOUR_WEIGHTS[name][None, :], np.zeros(mine.sum(), dtype=int), rng)
    minute = rng.integers(0, 60, len(place))
    occurred = day.astype("datetime64[s]") + (hour * 3600 + minute * 60).astype("timedelta64[s]")

    ward = places["ward"].to_numpy()[place]
    online = ward < 0
    ward[online] = rng.choice(len(WARD_CODES), online.sum(), p=geo.children / geo.children.sum())
    order = np.argsort(occurred, kind="stable")
    return _Events(place[order], group[order], occurred[order], ward[order])


def _draw(weights: np.ndarray, row: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One category per item from its row of `weights` (inverse CDF, vectorised).

    One searchsorted per row of `weights` (a handful), never a loop over items.
    """
    cumulative = np.cumsum(weights, axis=1)
    cumulative /= cumulative[:, -1:]
    u = rng.random(len(row))
    drawn = np.empty(len(row), dtype=np.int64)
    for r, cdf in enumerate(cumulative):
        mine = row == r
        drawn[mine] = np.searchsorted(cdf, u[mine], side="right")
    return drawn


def _incident_table(events: _Events, places: pd.DataFrame, risks: _Risks, geo: _Geography,
                    end: date, rng: np.random.Generator) -> pd.DataFrame:
    """The incidents table: where, when, who recorded it, how serious, what happened."""
    n = len(events.place)
    kind_index = places["kind"].to_numpy()[events.place]
    angle = rng.uniform(0, 2 * np.pi, n)
    metres = rng.uniform(*JITTER_M, n)
    x = places["x"].to_numpy()[events.place] + metres / 1000 * np.cos(angle)
    y = places["y"].to_numpy()[events.place] + metres / 1000 * np.sin(angle)
    lon, lat = _to_lonlat(x, y)
    patterns = list(AGENCY_P)
    agency_rows = np.array([AGENCY_P[p] for p in patterns])  # who records it follows the place
    agency_of_kind = np.array([patterns.index(TIME_PATTERN.get(k, "general"))
                               for k in CONTEXT_KINDS])
    agency_class = agency_of_kind[kind_index]
    serious = np.isin(np.array(RISKS)[risks.primary], SERIOUS_RISKS).astype(int)
    severity_p = np.array([SEVERITY_P["other"], SEVERITY_P["serious"]])
    severity = _draw(severity_p, serious, rng) + 1
    delay = np.minimum(rng.geometric(REPORT_DELAY_P, n) - 1, MAX_REPORT_DELAY)
    reported = np.minimum(events.occurred.astype("datetime64[D]") + delay, np.datetime64(end))
    return pd.DataFrame({
        "number": np.arange(1, n + 1),
        "occurred_at": events.occurred,
        "reported_on": reported,
        "ward_code": _labels(WARD_CODES, events.ward),
        "context_number": places["number"].to_numpy()[events.place],
        "lat": lat.round(6), "lon": lon.round(6),
        "location_type": _labels(CONTEXT_KINDS, kind_index),
        "source_agency": _labels(AGENCY_CODES, _draw(agency_rows, agency_class, rng)),
        "severity": severity.astype(np.int16),
        "outcome": _labels(OUTCOMES, _draw(OUTCOME_P, severity - 1, rng)),
    })


# =============================================================================================
# Risk types
# =============================================================================================
@dataclass(frozen=True)
class _Risks:
    """Each incident's main risk type (index into RISKS) and the incident_risks rows."""

    primary: np.ndarray
    rows: pd.DataFrame


def _risk_matrices() -> tuple[np.ndarray, np.ndarray]:
    """Main risk by context type (types x risks) and chance of each second risk (risks x risks)."""
    primary = np.array([[PRIMARY_RISK[k].get(r, 0.0) for r in RISKS] for k in CONTEXT_KINDS])
    secondary = np.array([[SECONDARY_RISK[a].get(b, 0.0) for b in RISKS] for a in RISKS])
    return primary, secondary


def _risks(events: _Events, places: pd.DataFrame, rng: np.random.Generator) -> _Risks:
    """One main risk from the place's type, then up to two that travel with it (plus noise)."""
    primary_p, secondary_p = _risk_matrices()
    kinds = places["kind"].to_numpy()[events.place]
    n, k = len(kinds), len(RISKS)
    primary = _draw(primary_p, kinds, rng)
    extra = rng.random((n, k)) < secondary_p[primary]
    noisy = np.flatnonzero(rng.random(n) < BACKGROUND_RISK)
    extra[noisy, rng.integers(0, k, len(noisy))] = True
    extra[np.arange(n), primary] = False
    # Where more than MAX_RISKS - 1 extras were drawn, keep that many, chosen at random.
    over = np.flatnonzero(extra.sum(axis=1) > MAX_RISKS - 1)
    keys = np.where(extra[over], rng.random((len(over), k)), 2.0)
    keep = np.zeros((len(over), k), dtype=bool)
    np.put_along_axis(keep, np.argsort(keys, axis=1)[:, : MAX_RISKS - 1], True, axis=1)
    extra[over] &= keep
    extra_incident, extra_risk = np.nonzero(extra)
    incident = np.concatenate([np.arange(n), extra_incident])
    risk = np.concatenate([primary, extra_risk])
    order = np.argsort(incident * k + risk)
    rows = pd.DataFrame({"incident_number": incident[order] + 1,
                         "risk_type": _labels(RISKS, risk[order])})
    return _Risks(primary, rows)


# =============================================================================================
# Young people
# =============================================================================================
def _people(events: _Events, groups: _Groups, risks: _Risks, geo: _Geography,
            calendar: _Calendar, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Young people and incident_people: group members together, others from age pools.

    An ordinary incident's young people are of an age that keeps them 10-17 there: an
    occasional one from the pool of that age and ward, or a repeatedly involved one from the
    borough-wide pool of that age. People never drawn are not written; ids follow first
    appearance.
    """
    year = events.occurred.astype("datetime64[Y]").astype(int) + 1970
    ordinary = np.flatnonzero(events.group < 0)
    per = rng.choice(np.arange(1, 5), len(ordinary), p=PEOPLE_PER_INCIDENT_P)
    slot_incident = np.repeat(ordinary, per)
    gaps = np.array(list(AGE_GAP_P))
    birth = year[slot_incident] - rng.choice(gaps, len(slot_incident),
                                             p=np.array(list(AGE_GAP_P.values())))
    first_birth = calendar.start.year - max(AGE_GAP_P)
    cohort = birth - first_birth
    ward = events.ward[slot_incident].copy()
    away = rng.random(len(ward)) < AWAY_FROM_HOME
    ward[away] = rng.choice(len(WARD_CODES), away.sum(), p=geo.children / geo.children.sum())
    repeat = rng.random(len(slot_incident)) < REPEAT_DRAWS
    general = np.empty(len(slot_incident), dtype=np.int64)
    local_pool = cohort[~repeat] * len(WARD_CODES) + ward[~repeat]
    general[~repeat], local_of = _draw_from_pools(local_pool, 1.0 / OCCASIONAL_PEOPLE_PER_DRAW,
                                                  0.0, rng)
    general[repeat], repeat_of = _draw_from_pools(cohort[repeat], REPEAT_APPEARANCES,
                                                  REPEAT_SPREAD, rng)
    general[repeat] += len(local_of)
    pool_birth = first_birth + np.concatenate([local_of // len(WARD_CODES), repeat_of])

    # Group incidents: 2-4 distinct members of the group.
    group_incident = np.flatnonzero(events.group >= 0)
    g = events.group[group_incident]
    want = np.minimum(rng.choice(np.arange(2, 5), len(g), p=GROUP_MEMBERS_P), groups.size[g])
    keys = rng.random((len(g), GROUP_SIZE[1]))
    keys[np.arange(GROUP_SIZE[1])[None, :] >= groups.size[g][:, None]] = 2.0
    local = np.argsort(keys, axis=1)
    take = np.arange(GROUP_SIZE[1])[None, :] < want[:, None]
    member = (groups.first_member[g][:, None] + local)[take]
    member_incident = np.repeat(group_incident, want)

    person = np.concatenate([member, groups.members + general])
    incident = np.concatenate([member_incident, slot_incident])
    birth_year = np.concatenate([groups.birth_year, pool_birth])
    # One sorted, de-duplicated key: a young person is linked to an incident at most once.
    # (Sorting is much faster here than np.unique, which hashes large integer arrays.)
    key = np.sort(incident * len(birth_year) + person)
    key = key[np.concatenate([[True], key[1:] != key[:-1]])]
    incident, person = np.divmod(key, len(birth_year))
    return _number_people(incident, person, birth_year, risks.primary, rng)


def _draw_from_pools(pool: np.ndarray, appearances: float, spread: float,
                     rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A person for each draw from its pool; and each person's pool.

    A pool has one person per `appearances` draws, with log-normal involvement of sd
    `spread`. One cumulative weight array with pool offsets makes every draw one searchsorted.
    """
    demand = np.bincount(pool)
    size = np.ceil(demand / appearances).astype(int)
    offset = np.concatenate([[0], np.cumsum(size)])
    weight = rng.lognormal(0.0, spread, offset[-1])
    cumulative = np.cumsum(weight)
    before = np.concatenate([[0.0], cumulative])[offset[:-1]]
    total = np.concatenate([[0.0], cumulative])[offset[1:]] - before
    target = before[pool] + rng.random(len(pool)) * total[pool]
    person = np.searchsorted(cumulative, target, side="right")
    person = np.clip(person, offset[pool], offset[pool + 1] - 1)
    return person, np.repeat(np.arange(len(size)), size)


def _number_people(incident: np.ndarray, person: np.ndarray, birth_year: np.ndarray,
                   primary: np.ndarray, rng: np.random.Generator
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep the people who appear, number them by first appearance, give gender and roles.

    `incident` and `person` are the links, sorted by incident then person.
    """
    by_person = np.argsort(person, kind="stable")  # stable: each person's first link first
    ordered = person[by_person]
    first_link = np.sort(by_person[np.concatenate([[True], ordered[1:] != ordered[:-1]])])
    seen = person[first_link]  # in order of first appearance
    number = np.zeros(len(birth_year), dtype=np.int64)
    number[seen] = np.arange(1, len(seen) + 1)
    female = np.array([FEMALE_SHARE[r] for r in RISKS])[primary[incident[first_link]]]
    u = rng.random(len(seen))
    gender = np.where(u < UNRECORDED_GENDER, 2,
                      np.where(u < UNRECORDED_GENDER + (1 - UNRECORDED_GENDER) * female, 0, 1))
    people = pd.DataFrame({"number": np.arange(1, len(seen) + 1),
                           "birth_year": birth_year[seen].astype(np.int16),
                           "gender": _labels(GENDERS, gender)})
    position = np.arange(len(incident)) - np.searchsorted(incident, incident, side="left")
    subject = (position == 0) | (rng.random(len(incident)) < SECOND_SUBJECT)
    rows = pd.DataFrame({"incident_number": incident + 1,
                         "person_number": number[person],
                         "role": _labels(("subject", "associate"), np.where(subject, 0, 1))})
    return people, rows


# =============================================================================================
# Writing
# =============================================================================================
_INSERT_EXTRACT = """
INSERT INTO extracts (extract_id, kind, file_name, sha256, uploaded_by, uploaded_at,
                      rows_read, rows_loaded, rows_rejected, rows_duplicate, status)
SELECT coalesce(max(extract_id), 0) + 1, $kind, $file_name, NULL, $uploaded_by, $uploaded_at,
       $rows, $rows, 0, 0, 'loaded'
FROM extracts
RETURNING extract_id
"""
# Ids are formatted here, in DuckDB, which is far faster than building millions of Python strings.
_INSERTS: dict[str, str] = {
    "wards": """
        INSERT INTO wards SELECT ward_code, ward_name, geometry_geojson, centroid_lat,
               centroid_lon, child_population FROM demo_wards""",
    "contexts": """
        INSERT INTO contexts (context_id, name, context_type, ward_code, lat, lon, extract_id)
        SELECT printf('C%04d', number), name, context_type, ward_code, lat, lon, $extract_id
        FROM demo_contexts""",
    "young_people": """
        INSERT INTO young_people (person_id, birth_year, gender, extract_id)
        SELECT printf('YP%06d', number), birth_year, gender, $extract_id FROM demo_young_people""",
    "incidents": """
        INSERT INTO incidents (incident_id, occurred_at, reported_on, ward_code, context_id, lat,
               lon, lsoa_code, location_type, source_agency, severity, outcome, extract_id)
        SELECT printf('INC%07d', number), occurred_at::TIMESTAMP, reported_on::DATE, ward_code,
               printf('C%04d', context_number), lat, lon, NULL, location_type, source_agency,
               severity, outcome, $extract_id
        FROM demo_incidents""",
    "incident_risks": """
        INSERT INTO incident_risks (incident_id, risk_type, extract_id)
        SELECT printf('INC%07d', incident_number), risk_type, $extract_id FROM demo_incident_risks""",
    "incident_people": """
        INSERT INTO incident_people (incident_id, person_id, role, extract_id)
        SELECT printf('INC%07d', incident_number), printf('YP%06d', person_number), role,
               $extract_id
        FROM demo_incident_people""",
    "interventions": """
        INSERT INTO interventions (intervention_id, context_id, ward_code, started_on, ended_on,
               intervention_type, lead_agency, description, extract_id)
        SELECT printf('INT%03d', number), printf('C%04d', context_number), ward_code,
               started_on::DATE, ended_on::DATE, intervention_type, lead_agency, description,
               $extract_id
        FROM demo_interventions""",
}


def _write(cur: duckdb.DuckDBPyConnection, tables: dict[str, pd.DataFrame]) -> int:
    """Insert the extract row, then every table from a registered DataFrame; return the extract id."""
    extract_id = cur.execute(_INSERT_EXTRACT, {
        "kind": DEMO_KIND, "file_name": DEMO_FILE_NAME, "uploaded_by": DEMO_UPLOADER,
        "uploaded_at": datetime.now(UTC).replace(tzinfo=None), "rows": len(tables["incidents"]),
    }).fetchone()[0]
    for table, sql in _INSERTS.items():
        view = f"demo_{table}"
        cur.register(view, tables[table])
        try:
            cur.execute(sql, {} if table == "wards" else {"extract_id": extract_id})
        finally:
            cur.unregister(view)
    return int(extract_id)
