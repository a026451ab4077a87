"""The demo borough with hostile text in every text column: names that try to become links,
images, formatting, scripts, formulas and reordered text wherever the app shows them.

Places, incidents and interventions are loaded through the app's own ingest (analytics.ingest.ingest),
in files whose names are payloads too, so every text column an extract can fill holds one. Text
the name checks now refuse at load (bidirectional controls, control characters, a 10,000-character
name) is written straight into the store afterwards, with the ward names, because the display
must be safe whatever reached the database. Every payload carries a marker (Q01 ...) so a test
can find where it is shown.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pandas as pd

from analytics.demo import demo
from analytics.ingest import ingest
from analytics.store.store import Store

EVIL = "evil.example"  # no request may ever go to this host
# Accepted at load: odd, hostile, but names a partner's spreadsheet could hold.
ACCEPTED = {
    "Q01": "Q01 [LNK](https://evil.example/link) Street",
    "Q02": "Q02 ![](https://evil.example/pixel.png) Park",
    "Q03": "Q03 **BOLD** _ITALIC_ ~~DELETED~~ `CODE` # Hall",
    "Q04": "Q04 <b>HTMLBOLD</b> <img src=https://evil.example/raw.png> Yard",
    "Q05": 'Q05 <a href="javascript:alert(1)">JSLINK</a> [JSMD](javascript:alert(2)) Hub',
    "Q06": "Q06 <script>alert(3)</script> <iframe src=https://evil.example/frame></iframe> Row",
    "Q07": '=HYPERLINK("https://evil.example/sheet","Q07 click me")',
    "Q08": "Q08 https://evil.example/bare www.evil.example someone@evil.example Arcade",
    "Q09": "Q09 :material/skull: :red[REDTEXT] $x^2$ Lane",
    "Q10": "@@=Q10 properties.name",
}
# Refused at load now; written straight into the store.
REFUSED = {
    "Q11": "Q11 \u202eetatsE lliH\u202c Court",
    "Q12": "Q12 " + "L" * 9996,
    "Q13": "Q13 \x1b[31mANSI\x1b[0m Close",
}
PAYLOADS = {**ACCEPTED, **REFUSED}
# Words that only appear on their own in an element if a payload's markup was obeyed.
TELLS = ("LNK", "BOLD", "ITALIC", "DELETED", "CODE", "HTMLBOLD", "JSLINK", "JSMD", "REDTEXT",
         "skull")
FILE_NAMES = {
    "contexts": "Q01 [LNK](https://evil.example/file) places.csv",
    "incidents": "Q04 <img src=https://evil.example/file.png> incidents.csv",
    "interventions": "Q08 https://evil.example/f www.evil.example a@evil.example work.csv",
}
UPLOAD_NAME = "Q02 ![](https://evil.example/upload.png) upload.csv"  # loaded in the browser
WHO = "Q03 **WHO** <b>LOADER</b>"
WARDS = [f"DB{n:02d}" for n in range(1, 14)]  # a payload place in each (13 payloads)
LONG_KEY = "Q12"  # on a place only: as a ward's name it would fill every page's every list
MONTHS = 12
DEMO_INCIDENTS = demo.MIN_INCIDENTS  # the smallest fictional borough: every page, faster


def build(path: Path) -> Store:
    """A small demo borough at `path`, then the payload places, incidents and interventions loaded
    through ingest, then refused names and ward names written straight into the store."""
    store = Store(path)
    demo.generate(store, incidents=DEMO_INCIDENTS)
    con = store.cursor()
    end = pd.Timestamp(con.execute("SELECT max(occurred_at) FROM incidents").fetchone()[0])
    wards = con.execute("SELECT ward_code, centroid_lat, centroid_lon FROM wards "
                        "ORDER BY ward_code").df().set_index("ward_code")
    places = _places(wards)
    for kind, frame in (("contexts", places), ("incidents", _incidents(places, end)),
                        ("interventions", _interventions(places, end))):
        staged = ingest.read(store, _csv(frame), FILE_NAMES[kind], kind)
        assert staged.ok and staged.counts.valid == len(frame), (kind, staged.error,
                                                                  staged.notes.head())
        ingest.commit(store, [staged], WHO)
    with store.transaction() as cur:
        for code, (key, text) in zip(WARDS, PAYLOADS.items(), strict=True):
            if key != LONG_KEY:
                cur.execute("UPDATE wards SET ward_name = $n WHERE ward_code = $c",
                            {"n": f"{text} ward", "c": code})
        for key, text in REFUSED.items():
            cur.execute("UPDATE contexts SET name = $n WHERE context_id = $c",
                        {"n": f"{text} place", "c": f"PAY-{key}"})
            cur.execute("UPDATE interventions SET intervention_type = $t, description = $d "
                        "WHERE intervention_id = $i",
                        {"t": f"{text} work", "d": f"{text} notes", "i": f"PINT-{key}"})
        cur.execute("UPDATE incidents SET outcome = $o WHERE context_id = 'PAY-Q11'",
                    {"o": REFUSED["Q11"]})
    return store


def _csv(frame: pd.DataFrame) -> bytes:
    out = io.StringIO()
    frame.to_csv(out, index=False)
    return out.getvalue().encode("utf-8")


def _places(wards: pd.DataFrame) -> pd.DataFrame:
    """One place a payload, in its own ward, near the ward's centre (refused names get a plain
    name here and their payload later)."""
    rows = []
    for i, (key, text) in enumerate(PAYLOADS.items()):
        ward = WARDS[i]
        name = f"{text} place" if key in ACCEPTED else f"{key} plain place"
        rows.append({"context_id": f"PAY-{key}", "name": name,
                     "context_type": ("park", "transport_hub", "takeaway")[i % 3],
                     "ward_code": ward, "lat": round(wards.at[ward, "centroid_lat"] + 0.001, 6),
                     "lon": round(wards.at[ward, "centroid_lon"] + 0.001, 6)})
    return pd.DataFrame(rows)


def _incidents(places: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Incidents at each payload place every month for a year, rising in the last four (so the
    places rank first and show signals); young people in small groups that share places."""
    rows, n = [], 0
    for p, place in enumerate(places.itertuples()):
        for back in range(MONTHS):
            month = (end - pd.DateOffset(months=back)).replace(day=1)
            for k in range(6 if back < 4 else 1):
                n += 1
                group = (p + k) % 7
                rows.append({
                    "incident_id": f"PAY-INC-{n:05d}",
                    "occurred_at": (month + timedelta(days=2 + 3 * k, hours=21)).strftime(
                        "%d/%m/%Y %H:%M"),
                    "risk_types": ("cce; county_lines", "cse; missing", "syv; gangs")[k % 3],
                    "person_ids": f"PAY-YP-{group}-1; PAY-YP-{group}-2",
                    "context_id": place.context_id, "lat": place.lat, "lon": place.lon,
                    "source_agency": "police", "severity": 2,
                    "outcome": ACCEPTED.get(place.context_id[4:], "Referred") + " outcome",
                })
    return pd.DataFrame(rows)


def _interventions(places: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """An intervention at each payload place, begun five months before the data ends."""
    start = (end - pd.DateOffset(months=5)).replace(day=1)
    return pd.DataFrame([{
        "intervention_id": f"PINT-{place.context_id[4:]}",
        "started_on": start.strftime("%d/%m/%Y"), "context_id": place.context_id,
        "intervention_type": (ACCEPTED.get(place.context_id[4:], "Plain") + " work"),
        "lead_agency": "youth_services",
        "description": ACCEPTED.get(place.context_id[4:], "Plain") + " notes",
    } for place in places.itertuples()])


def upload_file() -> bytes:
    """The incidents file an analyst uploads in the browser: a few good rows at a payload
    place, and rows whose bad cells (an unknown risk type, a date) are payloads, so the Data
    page's check summary and its code mapping show them."""
    rows = [{"incident_id": f"UP-{i}", "occurred_at": "01/11/2026 20:00",
             "risk_types": "cse", "context_id": "PAY-Q01", "source_agency": "police",
             "outcome": ACCEPTED["Q05"]} for i in range(3)]
    rows.append({**rows[0], "incident_id": "UP-BAD-1", "risk_types": ACCEPTED["Q01"]})
    rows.append({**rows[0], "incident_id": "UP-BAD-2", "risk_types": ACCEPTED["Q09"]})
    rows.append({**rows[0], "incident_id": "UP-BAD-3", "occurred_at": ACCEPTED["Q04"]})
    return _csv(pd.DataFrame(rows))
