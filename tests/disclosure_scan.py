"""Find counts of 1 to 4 about children in what a reader is shown: text, metrics, tables, charts.

Used by the board-view property tests (tests/test_board_view.py) and the board pack tests. A
count is a number 1 to 4 (or 'one' to 'four') presented as a number of incidents, young people,
children or members; a change of 1 to 4 ('up 3', '+3') between two shown counts; a metric, table
cell or drawn value of 1 to 4 wherever the thing counted is children or their incidents.
Dates, ranks, months, scores, rates, shares and lifts are not counts and are left alone.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd

SMALL = r"[1-4]"  # as digits: words ("two young people") are prose in this app, never a figure
NOUNS = r"(?:incidents?|young (?:people|persons?)|children|child|members?|people)"
NUMBER_EDGE = r"(?<![\d,.£+\-])"  # not part of a longer number, a sum of money or a signed change
TEXT_PATTERNS = (
    # "3 incidents", "two young people"; not "1 to 4 incidents" (the rule, stated in captions)
    re.compile(rf"{NUMBER_EDGE}(?<!to )\b{SMALL}(?![\d,.%])\s+(?:more |fewer |new )?{NOUNS}\b",
               re.I),
    re.compile(r"\b(?:up|down|rose|fell|rising|falling) (?:by )?[1-4](?![\d,.%])(?! times)", re.I),
    # "+3" as we write a change; plotly's axis ticks use the minus sign U+2212 and are scales
    re.compile(r"(?<![\w\d,.])[+\-][1-4](?![\d,.%])"),
)
COUNT_WORDS = re.compile(r"incident|young|people|child|person|member|seen|both|\ba\b|\bb\b|"
                         r"this period|previous|total|rows|count", re.I)
# Columns that hold numbers but not counts of children (checked on the start of the header).
NOT_COUNTS = re.compile(r"^(rank|group|months?\b|priority|score|week|hour|day|year|distance|"
                        r"linked|network|gi|p-value|after false|times|lift|jaccard|of [ab]\b|"
                        r"adjusted|per 1,000|average|median|lower limit|upper limit|started|"
                        r"measure|risk types?$|ward|place|type|where|partners|why|what|since|"
                        r"direction|still|result|area|file|kind|loaded on|status|entry|"
                        r"intervention|lead|description|verdict|estimate|ratio|z)", re.I)
COUNT_AXES = re.compile(r"incident|young people|people|children|members|count", re.I)
NOT_COUNT_AXES = re.compile(r"^(average|median|rate|per |share|times)", re.I)
NOT_COUNT_TRACES = re.compile(r"limit|average|band|median|chance|equal|lorenz|rate|score|lift",
                              re.I)


def text_hits(text: str) -> list[str]:
    """The phrases in `text` that state a count of 1 to 4 about children."""
    clean = text.replace("\\", "")
    return [m.group(0) for p in TEXT_PATTERNS for m in p.finditer(clean)]


def is_small_number(value: object) -> bool:
    """1 to 4 as a number (3, 3.0) or as text ('3', '+3'); '<5', '[c]', '0', '3.0' are not."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        return not math.isnan(value) and float(value).is_integer() and 1 <= abs(value) <= 4
    # as text a count is written whole ("3"); "1.0" is a lift, a rate or a ratio
    text = str(value).strip().replace("−", "-")
    return bool(re.fullmatch(r"[+\-]?[1-4]", text))


def frame_hits(frame: pd.DataFrame) -> list[str]:
    """Cells of 1 to 4 in any column that is not known to hold something other than counts."""
    hits = []
    for column in frame.columns:
        header = str(column).strip()
        if NOT_COUNTS.match(header) and not COUNT_WORDS.match(header):
            continue
        for value in frame[column]:
            if is_small_number(value):
                hits.append(f"{header}: {value!r}")
    return hits


def metric_hits(label: str, value: str) -> list[str]:
    """A metric about children whose value is 1 to 4."""
    return [f"{label}: {value}"] if COUNT_WORDS.search(label) and is_small_number(value) else []


def figure_hits(spec: dict | str) -> list[str]:
    """Drawn counts of 1 to 4 in a plotly figure: text labels, and the values of bars, markers
    and heatmap cells on an axis (or colour bar) that counts incidents or young people."""
    fig = json.loads(spec) if isinstance(spec, str) else spec
    layout = fig.get("layout", {})
    hits = []
    for trace in fig.get("data", []):
        for key in ("text", "customdata"):
            for value in _flat(trace.get(key)):
                if isinstance(value, str) and (is_small_number(value) or text_hits(value)):
                    hits.append(f"{trace.get('type')} {key}: {value!r}")
        if NOT_COUNT_TRACES.search(str(trace.get("name") or "")):
            continue
        kind = trace.get("type", "scatter")
        if kind == "bar":
            axis = "x" if trace.get("orientation") == "h" else "y"
            values = trace.get(axis)
        elif kind == "scatter" and "markers" in str(trace.get("mode", "")):
            axis, values = "y", trace.get("y")
        elif kind == "heatmap":
            axis, values = "colorbar", trace.get("z")
        else:
            continue
        if not _counts_on(axis, trace, layout):
            continue
        hits += [f"{kind} {axis}: {v!r}" for v in _flat(values)
                 if isinstance(v, int | float) and is_small_number(v)]
    return hits


def _counts_on(axis: str, trace: dict, layout: dict) -> bool:
    """Whether the axis (or colour bar) the values are read on counts incidents or people."""
    if axis == "colorbar":
        title = ((trace.get("colorbar") or {}).get("title") or {}).get("text", "")
        return bool(COUNT_AXES.search(f"{title} {trace.get('hovertemplate', '')}"))
    name = (trace.get(f"{axis}axis") or axis).replace("x", "xaxis").replace("y", "yaxis")
    title = ((layout.get(name) or {}).get("title") or {}).get("text", "") or ""
    if NOT_COUNT_AXES.match(title):
        return False
    return bool(COUNT_AXES.search(f"{title} {trace.get('hovertemplate', '')}"))


def _flat(values) -> list:
    if values is None:
        return []
    if isinstance(values, dict):  # plotly's typed arrays: {"dtype": ..., "bdata": ...}
        return _decode(values)
    if isinstance(values, list | tuple):
        out = []
        for v in values:
            out += _flat(v) if isinstance(v, list | tuple | dict) else [v]
        return out
    return [values]


def _decode(typed: dict) -> list:
    import base64

    import numpy as np

    if "bdata" not in typed:
        return []
    data = np.frombuffer(base64.b64decode(typed["bdata"]), dtype=np.dtype(typed["dtype"]))
    return [float(v) for v in data.ravel()]


def app_hits(at) -> list[str]:
    """Every count of 1 to 4 about children that an AppTest run shows, with where it was."""
    hits = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success", "expander"):
        for element in getattr(at, kind, []):
            text = getattr(element, "label", None) if kind == "expander" else element.value
            hits += [f"{kind}: {h} in {str(text)[:120]!r}" for h in text_hits(str(text or ""))]
    for m in at.metric:
        hits += [f"metric {h}" for h in metric_hits(m.label, m.value)]
    for frame in at.dataframe:
        hits += [f"table {h}" for h in frame_hits(frame.value)]
    for chart in at.get("plotly_chart"):
        hits += [f"chart {h}" for h in figure_hits(chart.proto.spec)]
    return hits


# ---- attacks: what a reader can work out from several shown figures together -----------------

def table_attack(shown: pd.DataFrame, rounded: bool, total_label: str = "Total") -> list[str]:
    """Hidden counts of 1 to 4 in a table with row and column totals that a reader can pin to
    one value, by integer programming over every row and column sum (an exact attacker, not the
    bounds the app itself checks): for each '<5' cell or total, its least and greatest values
    consistent with everything shown. A shown figure is exact, or (rounded) within 2 of itself
    and at least 5; '<5' is 1 to 4; '[c]' is anything. Returns the pinned cells."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    cells = shown.to_numpy()
    rows, cols = cells.shape
    lo, hi = np.zeros(cells.size), np.full(cells.size, 1e7)
    for k, text in enumerate(cells.ravel()):
        text = str(text).replace(",", "")
        if text == "<5":
            lo[k], hi[k] = 1, 4
        elif text.isdigit():
            v = int(text)
            lo[k], hi[k] = ((max(5, v - 2), v + 2) if rounded and v else (v, v))
    equations = []
    for i in range(rows):
        row = np.zeros(cells.size)
        row[i * cols:(i + 1) * cols - 1], row[(i + 1) * cols - 1] = 1, -1
        equations.append(row)
    for j in range(cols):
        col = np.zeros(cells.size)
        col[[i * cols + j for i in range(rows - 1)]], col[(rows - 1) * cols + j] = 1, -1
        equations.append(col)
    # A hidden cell inside the table ('[c]') was shown before it was hidden, so it is 0 or at
    # least 5: x - 5z >= 0 and x - BIG z <= 0 with z in {0, 1}. A hidden total can be anything.
    inner = [k for k, text in enumerate(cells.ravel()) if str(text) == "[c]"
             and k // cols < rows - 1 and k % cols < cols - 1]
    n = cells.size + len(inner)
    matrix = np.zeros((len(equations) + 2 * len(inner), n))
    matrix[:len(equations), :cells.size] = equations
    low, high = np.zeros(len(matrix)), np.zeros(len(matrix))
    for q, k in enumerate(inner):
        r = len(equations) + 2 * q
        matrix[r, k], matrix[r, cells.size + q], low[r], high[r] = 1, -5, 0, np.inf
        matrix[r + 1, k], matrix[r + 1, cells.size + q] = 1, -1e7
        low[r + 1], high[r + 1] = -np.inf, 0
    constraint = LinearConstraint(matrix, low, high)
    lo, hi = np.r_[lo, np.zeros(len(inner))], np.r_[hi, np.ones(len(inner))]
    pinned = []
    for k, text in enumerate(cells.ravel()):
        if str(text) != "<5":
            continue
        found = []
        for sign in (1, -1):
            c = np.zeros(n)
            c[k] = sign
            res = milp(c, constraints=constraint, bounds=Bounds(lo, hi), integrality=np.ones(n))
            found.append(round(res.x[k]) if res.success else None)
        if found[0] is not None and found[0] == found[1]:
            pinned.append(f"{shown.index[k // cols]} x {shown.columns[k % cols]} = {found[0]}")
    return pinned


def multiples_of_five_hits(values, what: str) -> list[str]:
    """Figures derived from counts (an average times its months, a rate times its population,
    a chart point) that are not a multiple of 5: in the board's view everything derived from a
    count is derived from counts rounded to the nearest 5, so anything else gave an exact count
    back (and the difference of two such figures could be a count of 1 to 4)."""
    return [f"{what}: {v!r}" for v in values
            if not (isinstance(v, float | int) and math.isnan(v))
            and abs(v / 5 - round(v / 5)) > 1e-6]
