"""A tiny area with only police.uk data, small enough to check every answer on paper.

Six square wards in a 3 x 2 grid (and the same six squares as LSOAs), one police.uk location at
the middle of each, and three months of street crime (January to March 2025) in two files, one
in each header style in circulation. Stop and search in March 2025, with one search of a child
aged 10-17 and one under 10. Everything goes in through the app's own ingest.

    ward (row, col)     E05000001 (0,0)  E05000002 (0,1)  E05000003 (0,2)
                        E05000004 (1,0)  E05000005 (1,1)  E05000006 (1,2)
"""

from __future__ import annotations

import json
from pathlib import Path

from analytics.ingest import ingest
from analytics.store.store import Store
from tests.ingest_helpers import csv_bytes, square

WEST, SOUTH, SIZE = -0.10, 51.50, 0.01
WARD_NAMES = ("Ash", "Beech", "Cherry", "Damson", "Elm", "Fig")
PLACES = ("On or near High Street", "On or near Supermarket", "On or near Park/Open Space",
          "On or near Mill Lane", "On or near Shopping Area", "On or near Station Road")
LONG_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
               "Location", "LSOA code", "LSOA name", "Crime type", "Last outcome category",
               "Context"]
SNAKE_HEADER = ["crime_id", "month", "reported_by", "falls_within", "longitude", "latitude",
                "location", "lsoa_code", "lsoa_name", "crime_type", "last_outcome_category",
                "context"]
STOP_HEADER = ["Type", "Date", "Part of a policing operation", "Policing operation",
               "Latitude", "Longitude", "Gender", "Age range", "Self-defined ethnicity",
               "Officer-defined ethnicity", "Legislation", "Object of search", "Outcome",
               "Outcome linked to object of search", "Removal of more than just outer clothing"]
# (place number 1-6, month, crime type): how many. Totals by hand:
# January 6 (place 1: 2 shoplifting, 1 drugs; place 2: 3 shoplifting),
# February 5 (place 1: 1 shoplifting, 1 drugs; place 3: 2 burglary; place 4: 1 drugs),
# March 7 (place 1: 3 shoplifting; place 2: 1 drugs; place 5: 2 shoplifting; place 6: 1 burglary).
STREET: dict[tuple[int, str, str], int] = {
    (1, "2025-01", "Shoplifting"): 2, (1, "2025-01", "Drugs"): 1, (2, "2025-01", "Shoplifting"): 3,
    (1, "2025-02", "Shoplifting"): 1, (1, "2025-02", "Drugs"): 1, (3, "2025-02", "Burglary"): 2,
    (4, "2025-02", "Drugs"): 1,
    (1, "2025-03", "Shoplifting"): 3, (2, "2025-03", "Drugs"): 1,
    (5, "2025-03", "Shoplifting"): 2, (6, "2025-03", "Burglary"): 1,
}
OUTSIDE = (52.0, -1.0)  # a row in another force's area: not this area's
WARDS = [f"E0500000{k}" for k in range(1, 7)]
LSOAS = [f"E0100000{k}" for k in range(1, 7)]


def box(k: int) -> tuple[float, float, float, float]:
    """The lon/lat box of ward (and LSOA) k, 1 to 6."""
    row, col = divmod(k - 1, 3)
    return (WEST + col * SIZE, SOUTH + row * SIZE, WEST + (col + 1) * SIZE,
            SOUTH + (row + 1) * SIZE)


def middle(k: int) -> tuple[float, float]:
    """(lat, lon) of place k: the middle of ward k."""
    x0, y0, x1, y1 = box(k)
    return round((y0 + y1) / 2, 6), round((x0 + x1) / 2, 6)


def boundaries(kind: str = "wards", properties: tuple[str, str] = ("WD23CD", "WD23NM")) -> bytes:
    """The six squares as ward (or LSOA) boundaries, with ONS's property names by default."""
    codes = WARDS if kind == "wards" else LSOAS
    names = WARD_NAMES if kind == "wards" else [f"Area 00{k}A" for k in range(1, 7)]
    code_key, name_key = properties
    features = [{"type": "Feature", "properties": {code_key: code, name_key: name},
                 "geometry": square(box(k))}
                for k, (code, name) in enumerate(zip(codes, names, strict=True), start=1)]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def street_rows(months: tuple[str, ...], spec: dict | None = None) -> list[list[object]]:
    """police.uk street rows for the months given, from the spec; one crime outside the area
    and one with no location in the first month."""
    rows, n = [], 0
    for (k, month, crime), count in (spec or STREET).items():
        if month not in months:
            continue
        lat, lon = middle(k)
        for _ in range(count):
            n += 1
            rows.append([f"id{month}{n:04d}", month, "Test Police", "Test Police", lon, lat,
                         PLACES[k - 1], LSOAS[k - 1], f"Area 00{k}A", crime,
                         "Investigation complete; no suspect identified", ""])
    if months[0] == "2025-01":
        rows.append(["far1", months[0], "Test Police", "Other Police", OUTSIDE[1], OUTSIDE[0],
                     "On or near Far Road", "E01099999", "Far 001A", "Drugs", "", ""])
        rows.append(["", months[0], "Test Police", "Test Police", "", "", "No Location", "", "",
                     "Anti-social behaviour", "", ""])
    return rows


def street_files() -> list[tuple[str, bytes]]:
    """January and February in the download page's header style, March in snake_case."""
    return [("2025-01-02-street.csv", csv_bytes([LONG_HEADER,
                                                 *street_rows(("2025-01", "2025-02"))])),
            ("2025-03-street.csv", csv_bytes([SNAKE_HEADER, *street_rows(("2025-03",))]))]


def stop_search_file() -> bytes:
    """Five searches in March 2025 at places 1 and 2: two of children (10-17, under 10)."""
    def search(k: int, when: str, age: str, what: str, outcome: str) -> list[object]:
        lat, lon = middle(k)
        return ["Person search", when, "", "", lat, lon, "Male", age, "", "",
                "Misuse of Drugs Act 1971 (section 23)", what, outcome, "False", "False"]

    return csv_bytes([STOP_HEADER,
                      search(1, "2025-03-01T21:15:00+00:00", "18-24", "Controlled drugs",
                             "Arrest"),
                      search(1, "2025-03-08T22:30:00+00:00", "10-17", "Controlled drugs",
                             "A no further action disposal"),
                      search(1, "2025-03-15T14:00:00+00:00", "over 34", "Stolen goods",
                             "Arrest"),
                      search(2, "2025-03-20T16:45:00+00:00", "under 10", "Offensive weapons",
                             "A no further action disposal"),
                      search(2, "2025-03-22T23:05:00+00:00", "", "Controlled drugs",
                             "Community resolution")])


def load(store: Store, *files: tuple[str, bytes]) -> list[int]:
    """Check and load files as one batch through ingest, as the Data page does."""
    staged = [ingest.read(store, data, name) for name, data in files]
    for s in staged:
        assert s.ok, s.error
    return ingest.commit(store, staged, "test")


def police_store(stop_search: bool = True, path: Path | str = ":memory:") -> Store:
    """A fresh store with the area's boundaries, then its street crime (and stop and search)."""
    store = Store(path)
    load(store, ("wards.geojson", boundaries("wards")))
    load(store, ("lsoa.geojson", boundaries("lsoa", ("LSOA21CD", "LSOA21NM"))))
    load(store, *street_files())
    if stop_search:
        load(store, ("2025-03-stop-and-search.csv", stop_search_file()))
    return store
