"""The board pack: the current view as a standalone HTML file and a PDF, suppression applied.

The HTML embeds plotly.js once, so its charts stay interactive offline. The PDF renders each
chart to SVG with kaleido (which drives the system's Chromium), lays the pack out as a print page
and has Chromium print it. Without Chromium the HTML pack still works and `pdf_unavailable()`
says why the PDF cannot be made.
"""

from __future__ import annotations

import base64
import html
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

from analytics.exports import neutralise

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
PDF_TIMEOUT_S = 120


@dataclass(frozen=True)
class Section:
    """One page of the dashboard in the pack: a heading, sentences, charts and tables."""

    title: str
    summary: Sequence[str] = ()
    figures: Sequence[go.Figure] = ()
    tables: Sequence[tuple[str, pd.DataFrame]] = ()


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


def chromium_path() -> str | None:
    """The system's Chromium: $CHROMIUM_PATH or $BROWSER_PATH, else the first on PATH."""
    for env in ("CHROMIUM_PATH", "BROWSER_PATH"):
        path = os.environ.get(env)
        if path and Path(path).exists():
            return path
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
    body, first = [_cover(pack)], True
    for section in pack.sections:
        parts = [f"<section><h2>{_e(section.title)}</h2>", _sentences(section.summary)]
        for fig in section.figures:
            # plotly.js is inlined once, with the first chart, so the file works offline.
            parts.append(pio.to_html(fig, full_html=False, include_plotlyjs=first,
                                     config={"displaylogo": False}))
            first = False
        parts += [_table(caption, frame) for caption, frame in section.tables]
        body.append("".join(parts) + "</section>")
    return _page(pack, "".join(body))


def to_pdf(pack: Pack) -> bytes:
    """The pack as a PDF: charts as vector images, printed by the system's Chromium."""
    reason = pdf_unavailable()
    if reason:
        raise RuntimeError(reason)
    browser = chromium_path()
    os.environ.setdefault("BROWSER_PATH", browser)
    figures = [fig for s in pack.sections for fig in s.figures]
    images = _svgs(figures)
    body, k = [_cover(pack)], 0
    for section in pack.sections:
        parts = [f"<section><h2>{_e(section.title)}</h2>", _sentences(section.summary)]
        for _ in section.figures:
            data = base64.b64encode(images[k]).decode()
            parts.append(f'<img alt="" src="data:image/svg+xml;base64,{data}">')
            k += 1
        parts += [_table(caption, frame) for caption, frame in section.tables]
        body.append("".join(parts) + "</section>")
    with tempfile.TemporaryDirectory() as tmp:
        page, out = Path(tmp) / "pack.html", Path(tmp) / "pack.pdf"
        page.write_text(_page(pack, "".join(body)), encoding="utf-8")
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--no-pdf-header-footer",
             f"--print-to-pdf={out}", page.as_uri()],
            check=True, capture_output=True, timeout=PDF_TIMEOUT_S,
        )
        return out.read_bytes()


def _svgs(figures: list[go.Figure]) -> list[bytes]:
    """Render figures to SVG in one kaleido session (one browser start for them all)."""
    if not figures:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / f"fig{i}.svg" for i in range(len(figures))]
        pio.write_images(figures, paths, format="svg", width=1000, height=480)
        return [p.read_bytes() for p in paths]


def _cover(pack: Pack) -> str:
    lineage = pack.lineage.copy()
    return (
        f"<header class='cover'><h1>{_e(pack.title)}</h1>"
        f"<p class='lead'>{_e(pack.period)}</p>"
        f"<dl><dt>Filters</dt><dd>{_e(pack.filters)}</dd>"
        f"<dt>Data to</dt><dd>{_e(pack.data_date)}</dd>"
        f"<dt>View</dt><dd>{_e(pack.view)}</dd>"
        f"<dt>Made</dt><dd>{pack.made_at:%-d %B %Y at %H:%M}</dd></dl>"
        f"<h3>Where the data came from</h3>{_table('Extracts loaded', lineage)}</header>"
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
    return html.escape("" if value is None else str(value))


def _page(pack: Pack, body: str) -> str:
    return f"""<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{_e(pack.title)}</title>
<style>
body {{ font-family: Arial, Helvetica, sans-serif; color: #0B0C0C; max-width: 1050px;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }}
h1 {{ color: #12436D; font-size: 2rem; }} h2 {{ color: #12436D; border-bottom: 2px solid #12436D; }}
.cover {{ page-break-after: always; }} section {{ page-break-before: always; }}
.lead {{ font-size: 1.3rem; }} dt {{ font-weight: bold; }} dd {{ margin: 0 0 .5rem 0; }}
table {{ border-collapse: collapse; margin: 1rem 0; font-size: .9rem; }}
caption {{ text-align: left; font-weight: bold; padding-bottom: .3rem; }}
th, td {{ border: 1px solid #B1B4B6; padding: .25rem .5rem; text-align: left; }}
img {{ width: 100%; page-break-inside: avoid; }}
.summary li {{ margin-bottom: .3rem; }}
</style></head><body>{body}</body></html>"""
