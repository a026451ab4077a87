"""The board pack: the current view as a standalone HTML file and a PDF, suppression applied.

The HTML embeds plotly.js once, so its charts stay interactive offline. The PDF is the same page,
its charts drawn at the paper's width as still pictures, printed by the system's Chromium (found
on PATH or named by $CHROMIUM_PATH) on A4 with a running footer (title, period, filters) and page
numbers: one browser start, where drawing each chart to SVG first (kaleido) took two thirds of
the time. Nothing is fetched from the network: plotly.js comes from the installed plotly.
Without Chromium the HTML pack still works and `pdf_unavailable()` says why the PDF cannot be
made.

The sections come from analytics.board.briefing; this module only lays them out. Every text is
HTML-escaped (analytics.governance.escape.html); nothing is neutralised for spreadsheets, which is for CSV
and Excel downloads only (a board reads "+310", not "'+310"). The page's own content security
policy lets it load nothing from anywhere: its scripts and styles are inline, its images data:
URIs, so opening (or printing) a pack tells no outside server anything, whatever a name in it
says.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from numbers import Integral
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analytics.governance.escape import html

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
CHROMIUM_ENV = ("CHROMIUM_PATH", "BROWSER_PATH")
PDF_TIMEOUT_S = 180
# pixels of a chart on A4 portrait: 210 mm less 2 x 15 mm margins at 96 pixels an inch
PRINT_WIDTH = 680
PRINT_HEIGHT, PRINT_SHRINK = 450, 0.8  # a chart with no height of its own; heights on paper
# Chromium prints once the page has loaded and its timers have run (each chart is drawn then)
PRINT_WAIT_MS = 10_000
# The pack fetches nothing: inline scripts (plotly.js, each chart) and styles, data: images.
PACK_POLICY = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
               "img-src data:; font-src data:; base-uri 'none'; form-action 'none'")
PRINT_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--disable-extensions",
              "--no-first-run", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
              f"--virtual-time-budget={PRINT_WAIT_MS}")


@dataclass(frozen=True)
class Section:
    """One page of the dashboard in the pack (or one slide): a heading, headline figures as
    (label, value, change) triples, sentences, charts and captioned tables, the page key,
    shorter points and a chart for a slide (the summary and the first chart when there are
    none), and how the figures were worked out, in a folded note."""

    title: str
    summary: Sequence[str] = ()
    figures: Sequence[go.Figure] = ()
    tables: Sequence[tuple[str, pd.DataFrame]] = ()
    metrics: Sequence[tuple[str, str, str]] = ()
    page: str = ""
    points: Sequence[str] = ()
    slide_figure: go.Figure | None = None
    method: str = ""


@dataclass(frozen=True)
class Pack:
    """Everything the cover and the sections need."""

    title: str
    period: str
    filters: str
    data_date: str
    view: str
    lineage: pd.DataFrame
    sections: Sequence[Section] = field(default_factory=tuple)
    made_at: datetime = field(default_factory=datetime.now)
    demo: bool = False


def chromium_path() -> str | None:
    """The system's Chromium: $CHROMIUM_PATH or $BROWSER_PATH, else the first on PATH."""
    for env in CHROMIUM_ENV:
        path = os.environ.get(env)
        if path and (Path(path).exists() or shutil.which(path)):
            return shutil.which(path) or path
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf_unavailable() -> str | None:
    """Why a PDF cannot be made here, or None when it can."""
    if chromium_path() is None:
        return ("The PDF needs Chromium, which is not installed on this server (install "
                "Debian's 'chromium' or set CHROMIUM_PATH). The HTML pack works without it.")
    return None


def to_html(pack: Pack) -> str:
    """The pack as one standalone HTML file with interactive charts that work offline."""
    return _render(pack, _charts({"displaylogo": False}))


def to_pdf(pack: Pack) -> bytes:
    """The pack as a PDF on A4, numbered, charts drawn as vectors at the paper's width, printed
    by the system's Chromium.

    RuntimeError (saying why) when Chromium is missing or printing fails.
    """
    reason = pdf_unavailable()
    if reason:
        raise RuntimeError(reason)
    browser = chromium_path()
    page_html = _render(pack, _charts({"staticPlot": True}, width=PRINT_WIDTH))
    with tempfile.TemporaryDirectory() as tmp:
        page, out = Path(tmp) / "pack.html", Path(tmp) / "pack.pdf"
        page.write_text(page_html, encoding="utf-8")
        try:
            subprocess.run(
                [browser, *PRINT_ARGS, f"--user-data-dir={Path(tmp) / 'profile'}",
                 f"--print-to-pdf={out}", page.as_uri()],
                check=True, capture_output=True, timeout=PDF_TIMEOUT_S,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as problem:
            raise RuntimeError(f"Chromium could not print the pack ({problem}).") from problem
        if not out.exists() or out.stat().st_size == 0:
            raise RuntimeError("Chromium ran but wrote no PDF.")
        return out.read_bytes()


def _render(pack: Pack, chart: Callable[[go.Figure], str]) -> str:
    return _page(pack, _cover(pack) + "".join(_section(s, i, chart)
                                              for i, s in enumerate(pack.sections, 1)))


def _charts(config: dict, width: int | None = None) -> Callable[[go.Figure], str]:
    """A function drawing each figure as a div and a script, plotly.js inlined with the first
    only (so the file works offline), `width` pixels wide when given (on paper)."""
    first = True

    def chart(fig: go.Figure) -> str:
        nonlocal first
        out = pio.to_html(_standalone(fig, width), full_html=False, include_plotlyjs=first,
                          config=config, validate=False)
        first = False
        return out

    return chart


_WHITE: dict | None = None


def _standalone(fig: go.Figure, width: int | None = None) -> dict:
    """The figure as it should look outside the app: axes that make room for their labels (the
    app's charts get that from Streamlit's theme) on a white page. As a plain dict: plotly's
    checks on a copied figure with a new template took half the pack's time."""
    global _WHITE
    if _WHITE is None:
        _WHITE = pio.templates["plotly_white"].to_plotly_json()
    out = fig.to_dict()
    layout = out.setdefault("layout", {})
    layout["template"] = _WHITE
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            axis["automargin"] = True
    layout.setdefault("xaxis", {"automargin": True})
    layout.setdefault("yaxis", {"automargin": True})
    if width:  # on paper: the page's width, and a little shorter than on screen
        layout["width"] = width
        layout["height"] = round((layout.get("height") or PRINT_HEIGHT) * PRINT_SHRINK)
    for trace in out.get("data", []):
        if trace.get("type") == "bar":
            trace["cliponaxis"] = False  # a value written beside the longest bar stays whole
    return out


def _section(section: Section, number: int, chart: Callable[[go.Figure], str]) -> str:
    """One section: heading, headline figures, sentences, charts (via `chart`), tables, and
    the method, where the section has one to say, after them."""
    parts = [f"<section id='s{number}'><h2>{_e(section.title)}</h2>"]
    if section.page:  # under the heading: at the end it could be a page of its own
        parts.append(f"<p class='more'>More on the "
                     f"{_e(PAGE_NAMES.get(section.page, section.page))} page of the dashboard.</p>")
    parts += [_metrics(section.metrics), _sentences(section.summary)]
    parts += [f"<figure>{chart(fig)}</figure>" for fig in section.figures]
    parts += [_table(caption, frame) for caption, frame in section.tables]
    if section.method:
        parts.append(f"<details><summary>How this was worked out</summary>"
                     f"<p>{_e(section.method)}</p></details>")
    return "".join(parts) + "</section>"


PAGE_NAMES = {"overview": "Overview", "trends": "Trends", "places": "Places",
              "overlap": "Risk overlap", "priorities": "Where to intervene",
              "interventions": "Interventions"}


def _metrics(metrics: Sequence[tuple[str, str, str]]) -> str:
    if not metrics:
        return ""
    cards = "".join(f"<div class='metric'><div class='label'>{_e(label)}</div>"
                    f"<div class='value'>{_e(value)}</div><div class='note'>{_e(note)}</div>"
                    "</div>" for label, value, note in metrics)
    return f"<div class='metrics'>{cards}</div>"


def _cover(pack: Pack) -> str:
    demo = ("<p class='demo'><strong>Fictional demo data.</strong> Fernley is an invented "
            "borough: its places, people and incidents are made up.</p>" if pack.demo else "")
    contents = "".join(f"<li><a href='#s{i}'>{_e(s.title)}</a></li>"
                       for i, s in enumerate(pack.sections, 1))
    return (
        f"<header class='cover'><h1>{_e(pack.title)}</h1>{demo}"
        f"<p class='lead'>{_e(pack.period)}</p>"
        f"<dl><dt>Filters</dt><dd>{_e(pack.filters)}</dd>"
        f"<dt>Data to</dt><dd>{_e(pack.data_date)}</dd>"
        f"<dt>View</dt><dd>{_e(pack.view)}</dd>"
        f"<dt>Made</dt><dd>{pack.made_at:%-d %B %Y at %H:%M}</dd></dl>"
        f"<h3>Contents</h3><ol>{contents}</ol>"
        f"<h3>Where the data came from</h3>{_table('Extracts loaded', pack.lineage)}</header>"
    )


def _sentences(lines: Sequence[str]) -> str:
    if not lines:
        return ""
    return "<ul class='summary'>" + "".join(f"<li>{_e(s)}</li>" for s in lines) + "</ul>"


def _table(caption: str, frame: pd.DataFrame) -> str:
    """A table with every cell escaped (as text, never for a spreadsheet: see above), whole
    numbers with thousands separators as everywhere else in the pack ('1,251')."""
    safe = frame.astype(object).map(
        lambda v: _e(f"{v:,}" if isinstance(v, Integral) and not isinstance(v, bool) else v))
    head = "".join(f"<th>{_e(str(c))}</th>" for c in safe.columns)
    rows = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
                   for row in safe.itertuples(index=False))
    return (f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _e(value: object) -> str:
    return html(value)


def _css_text(text: str) -> str:
    """Text as a CSS string's content: every character but letters and digits as a hex escape
    (its trailing space is the escape's end), so no name can end the string or the style sheet."""
    return "".join(c if c.isascii() and c.isalnum() else f"\\{ord(c):06x} " for c in text)


def footer(pack: Pack) -> str:
    """The running footer of every printed page: the pack's title, period and filters."""
    return f"{pack.title}. {pack.filters}."  # the filters start with the period


def _page(pack: Pack, body: str) -> str:
    return f"""<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{PACK_POLICY}">
<title>{_e(pack.title)}</title>
<style>
@page {{ size: A4 portrait; margin: 15mm 15mm 20mm 15mm;
  @bottom-left {{ content: "{_css_text(footer(pack))}"; font: 8pt Arial, sans-serif;
                  color: #505A5F; vertical-align: top; padding-top: 4mm; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages);
                   font: 8pt Arial, sans-serif; color: #505A5F; vertical-align: top;
                   padding-top: 4mm; white-space: nowrap; }} }}
@media print {{ body {{ max-width: none; margin: 0; padding: 0; }}
  table {{ font-size: 8pt; }} h1 {{ margin-top: 0; }} }}
body {{ font-family: Arial, Helvetica, sans-serif; color: #0B0C0C; max-width: 1050px;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }}
h1 {{ color: #12436D; font-size: 2rem; }} h2 {{ color: #12436D; border-bottom: 2px solid #12436D; }}
.cover {{ page-break-after: always; }} section {{ page-break-before: always; }}
.lead {{ font-size: 1.3rem; }} dt {{ font-weight: bold; }} dd {{ margin: 0 0 .5rem 0; }}
table {{ border-collapse: collapse; margin: 1rem 0; font-size: .9rem; }}
caption {{ text-align: left; font-weight: bold; padding-bottom: .3rem; }}
th, td {{ border: 1px solid #B1B4B6; padding: .25rem .5rem; text-align: left; }}
table, tr, .metric {{ page-break-inside: avoid; }} details {{ margin: 1rem 0; color: #505A5F; }}
img {{ width: 100%; }} figure {{ margin: 1rem 0; page-break-inside: avoid; }}
.summary li {{ margin-bottom: .3rem; }} .more {{ color: #505A5F; font-size: .9rem; }}
.demo {{ background: #E8F1F8; padding: .5rem .8rem; border-left: 4px solid #12436D; }}
.metrics {{ display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; }}
.metric {{ border: 1px solid #B1B4B6; padding: .5rem 1rem; min-width: 12rem; }}
.metric .label {{ font-size: .9rem; }} .metric .value {{ font-size: 2rem; font-weight: bold; }}
.metric .note {{ color: #505A5F; font-size: .9rem; }}
</style></head><body>{body}</body></html>"""
