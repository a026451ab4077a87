"""The board pack: the current view as a standalone HTML file and a PDF, suppression applied.

The HTML embeds plotly.js once, so its charts stay interactive offline. The PDF renders each
chart to SVG with kaleido (which drives the system's Chromium, found on PATH or named by
$CHROMIUM_PATH), lays the pack out as a print page and has Chromium print it. Nothing is fetched
from the network: MathJax is switched off and plotly.js comes from the installed plotly. Without
Chromium the HTML pack still works and `pdf_unavailable()` says why the PDF cannot be made.

The sections come from analytics.briefing; this module only lays them out. Every text is
HTML-escaped (analytics.escape.html) and every table cell's formula-like text neutralised, as in
the CSV exports. The page's own content security policy lets it load nothing from anywhere: its
scripts and styles are inline, its images data: URIs, so opening (or printing) a pack tells no
outside server anything, whatever a name in it says.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analytics.escape import html
from analytics.exports import neutralise

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
CHROMIUM_ENV = ("CHROMIUM_PATH", "BROWSER_PATH")
PDF_TIMEOUT_S = 180
CHART_WIDTH, CHART_HEIGHT = 1000, 480  # pixels of an SVG chart (its own height if it has one)
# The pack fetches nothing: inline scripts (plotly.js, each chart) and styles, data: images.
PACK_POLICY = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
               "img-src data:; font-src data:; base-uri 'none'; form-action 'none'")
PRINT_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--disable-extensions",
              "--no-first-run", "--no-pdf-header-footer")


@dataclass(frozen=True)
class Section:
    """One page of the dashboard in the pack (or one slide): a heading, headline figures as
    (label, value, change) triples, sentences, charts and captioned tables, the page key, and
    shorter points for a slide (the summary when there are none)."""

    title: str
    summary: Sequence[str] = ()
    figures: Sequence[go.Figure] = ()
    tables: Sequence[tuple[str, pd.DataFrame]] = ()
    metrics: Sequence[tuple[str, str, str]] = ()
    page: str = ""
    points: Sequence[str] = ()


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
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return "The PDF needs the kaleido package (pip install -r requirements.txt)."
    return None


def to_html(pack: Pack) -> str:
    """The pack as one standalone HTML file with interactive charts that work offline."""
    first = True

    def chart(fig: go.Figure) -> str:
        nonlocal first
        # plotly.js is inlined once, with the first chart, so the file works offline.
        out = pio.to_html(_standalone(fig), full_html=False, include_plotlyjs=first,
                          config={"displaylogo": False})
        first = False
        return out

    return _page(pack, _cover(pack) + "".join(_section(s, chart) for s in pack.sections))


def to_pdf(pack: Pack) -> bytes:
    """The pack as a PDF: charts as vector images, printed by the system's Chromium.

    RuntimeError (saying why) when Chromium or kaleido is missing or printing fails.
    """
    reason = pdf_unavailable()
    if reason:
        raise RuntimeError(reason)
    browser = chromium_path()
    images = iter(_svgs([_standalone(fig) for s in pack.sections for fig in s.figures], browser))

    def chart(_: go.Figure) -> str:
        data = base64.b64encode(next(images)).decode()
        return f'<img alt="" src="data:image/svg+xml;base64,{data}">'

    page_html = _page(pack, _cover(pack) + "".join(_section(s, chart) for s in pack.sections))
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


def _standalone(fig: go.Figure) -> go.Figure:
    """The figure as it should look outside the app: axes that make room for their labels (the
    app's charts get that from Streamlit's theme) on a white page."""
    out = go.Figure(fig)
    out.update_xaxes(automargin=True)
    out.update_yaxes(automargin=True)
    out.update_layout(template="plotly_white")
    return out


def _svgs(figures: list[go.Figure], browser: str) -> list[bytes]:
    """Render figures to SVG in one kaleido session (one browser start for them all)."""
    if not figures:
        return []
    import kaleido

    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / f"fig{i}.svg" for i in range(len(figures))]
        specs = [{"fig": fig, "path": path,
                  "opts": {"format": "svg", "width": CHART_WIDTH,
                           "height": fig.layout.height or CHART_HEIGHT}}
                 for fig, path in zip(figures, paths, strict=True)]
        try:
            kaleido.write_fig_from_object_sync(
                specs, kopts={"path": browser, "mathjax": False}, cancel_on_error=True)
        except Exception as problem:  # kaleido raises its own and choreographer's errors
            raise RuntimeError(f"Kaleido could not draw the charts ({problem}).") from problem
        missing = [p.name for p in paths if not p.exists()]
        if missing:
            raise RuntimeError(f"Kaleido drew no image for {', '.join(missing)}.")
        return [p.read_bytes() for p in paths]


def _section(section: Section, chart) -> str:
    """One section: heading, headline figures, sentences, charts (via `chart`), tables."""
    parts = [f"<section><h2>{_e(section.title)}</h2>", _metrics(section.metrics),
             _sentences(section.summary)]
    parts += [f"<figure>{chart(fig)}</figure>" for fig in section.figures]
    parts += [_table(caption, frame) for caption, frame in section.tables]
    if section.page:
        parts.append(f"<p class='more'>More on the {_e(PAGE_NAMES.get(section.page, section.page))}"
                     " page of the dashboard.</p>")
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
    contents = "".join(f"<li>{_e(s.title)}</li>" for s in pack.sections)
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
    """A table with every cell escaped and formula-like text neutralised."""
    safe = frame.astype(object).map(lambda v: _e(neutralise(v)))
    head = "".join(f"<th>{_e(str(c))}</th>" for c in safe.columns)
    rows = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
                   for row in safe.itertuples(index=False))
    return (f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _e(value: object) -> str:
    return html(value)


def _page(pack: Pack, body: str) -> str:
    return f"""<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{PACK_POLICY}">
<title>{_e(pack.title)}</title>
<style>
body {{ font-family: Arial, Helvetica, sans-serif; color: #0B0C0C; max-width: 1050px;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }}
h1 {{ color: #12436D; font-size: 2rem; }} h2 {{ color: #12436D; border-bottom: 2px solid #12436D; }}
.cover {{ page-break-after: always; }} section {{ page-break-before: always; }}
.lead {{ font-size: 1.3rem; }} dt {{ font-weight: bold; }} dd {{ margin: 0 0 .5rem 0; }}
table {{ border-collapse: collapse; margin: 1rem 0; font-size: .9rem; }}
caption {{ text-align: left; font-weight: bold; padding-bottom: .3rem; }}
th, td {{ border: 1px solid #B1B4B6; padding: .25rem .5rem; text-align: left; }}
img {{ width: 100%; }} figure {{ margin: 1rem 0; page-break-inside: avoid; }}
.summary li {{ margin-bottom: .3rem; }} .more {{ color: #505A5F; font-size: .9rem; }}
.demo {{ background: #E8F1F8; padding: .5rem .8rem; border-left: 4px solid #12436D; }}
.metrics {{ display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; }}
.metric {{ border: 1px solid #B1B4B6; padding: .5rem 1rem; min-width: 12rem; }}
.metric .label {{ font-size: .9rem; }} .metric .value {{ font-size: 2rem; font-weight: bold; }}
.metric .note {{ color: #505A5F; font-size: .9rem; }}
</style></head><body>{body}</body></html>"""
