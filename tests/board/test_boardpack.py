"""The board pack: built from the briefing's sections in the board view, as standalone HTML (always)
and as a PDF (with Chromium: /usr/bin/chromium or $CHROMIUM_PATH). Opened and read back: a
cover with the period, filters, data date and lineage, one section per page, and no count
between 1 and 4. Without Chromium the PDF test skips and says why, except under CI=true.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics.board import boardpack, briefing
from analytics.store.store import Store
from tests import borough
from tests.conftest import YEAR_2025
from tests.disclosure_scan import text_hits

SECTION_TITLES = ["What changed", "Headline figures", "Places to act on first",
                  "Signals worth a look", "Where harm concentrates", "Which harms go together",
                  "What changed after interventions"]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def pack() -> boardpack.Pack:
    store = Store()
    borough.build_borough(store, seed=11, background=400, planted=60)
    with store.transaction() as cur:  # a small extract: its row count must not show
        cur.execute("INSERT INTO extracts (extract_id, kind, file_name, uploaded_at, rows_read, "
                    "rows_loaded, status) VALUES (2, 'interventions', '=HYPERLINK(\"x\").csv', "
                    "TIMESTAMP '2026-01-06 10:00', 3, 3, 'loaded')")
    return briefing.pack(store.cursor(), YEAR_2025)


class _Text(HTMLParser):
    """The text a reader sees in an HTML page (script and style left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_the_pack_opens_with_what_changed_and_has_one_section_per_page(pack):
    assert [s.title for s in pack.sections] == SECTION_TITLES
    assert [s.page for s in pack.sections] == ["overview", "overview", "priorities", "trends",
                                               "places", "overlap", "interventions"]
    assert pack.view.startswith("Board view")


def test_the_cover_names_period_filters_data_date_and_lineage(pack):
    text = visible_text(boardpack.to_html(pack))
    assert "Contextual safeguarding: board pack" in text
    assert "1 January 2025 to 31 December 2025" in text
    assert "all wards; all risk types; all context types; all agencies" in text
    assert "Data to 31 December 2025" in text.replace("Data to ", "Data to ")
    assert "Where the data came from" in text and "borough.csv" in text
    assert pack.lineage["Rows loaded"].tolist()[-1] == "<5"


def test_the_html_pack_works_offline_with_plotly_inlined_once(pack):
    html = boardpack.to_html(pack)
    assert html.count("<script type=\"text/javascript\">/**") <= 1
    assert len(re.findall(r"Plotly\.newPlot", html)) == sum(len(s.figures) for s in pack.sections)
    assert not re.search(r"<script[^>]+src=\"https?://", html)  # nothing fetched from a CDN


def test_the_html_pack_shows_no_count_between_one_and_four(pack):
    text = visible_text(boardpack.to_html(pack))
    assert all(title in text for title in SECTION_TITLES)
    assert text_hits(text) == []


def test_table_cells_are_escaped_and_read_as_written(pack):
    html = boardpack.to_html(pack)
    assert "=HYPERLINK(&quot;x&quot;).csv" in html  # escaped, and shown as the file was named
    assert "=HYPERLINK(\"x\").csv" in visible_text(html)


def test_no_pack_text_starts_with_a_stray_apostrophe(pack):
    """Spreadsheet safety (a leading ') is for CSV and Excel downloads: the pack shows "+310"."""
    parser = _Text()
    parser.feed(boardpack.to_html(pack))
    stray = [part.strip() for part in parser.parts if part.strip().startswith("'")]
    assert stray == []
    ranked = dict(next(s for s in pack.sections if s.page == "places").tables)["Wards ranked"]
    assert ranked["Change"].astype(str).str.match(r"[+-]\d").any()  # there to be misread


def test_without_chromium_the_pdf_says_why_and_the_html_still_works(monkeypatch, pack):
    monkeypatch.delenv("CHROMIUM_PATH", raising=False)
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    reason = boardpack.pdf_unavailable()
    assert reason and "Chromium" in reason and "HTML pack works without it" in reason
    with pytest.raises(RuntimeError, match="Chromium"):
        boardpack.to_pdf(pack)
    assert "Which harms go together" in boardpack.to_html(pack)


def test_chromium_is_found_through_the_environment(monkeypatch, tmp_path):
    fake = tmp_path / "my-chromium"
    fake.write_text("#!/bin/sh\n")
    monkeypatch.setenv("CHROMIUM_PATH", str(fake))
    assert boardpack.chromium_path() == str(fake)


def _chromium_missing() -> str | None:
    if not (Path(CHROMIUM).exists()):
        return f"no Chromium at {CHROMIUM} (install Debian's 'chromium' or set CHROMIUM_PATH)"
    return boardpack.pdf_unavailable()


_why_not = _chromium_missing()


@pytest.mark.skipif(_why_not is not None and os.environ.get("CI") != "true",
                    reason=f"the PDF needs Chromium: {_why_not}")
def test_the_pdf_pack_has_the_cover_every_section_and_no_small_count(pack, monkeypatch):
    from io import BytesIO

    from pypdf import PdfReader

    monkeypatch.setenv("CHROMIUM_PATH", CHROMIUM)
    pdf = boardpack.to_pdf(pack)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(BytesIO(pdf))
    pages = [page.extract_text() for page in reader.pages]
    text = " ".join(" ".join(pages).split())
    assert "Contextual safeguarding: board pack" in pages[0]
    assert "Where the data came from" in pages[0]
    for title in SECTION_TITLES:
        assert title in text
    assert len(reader.pages) >= 1 + len(SECTION_TITLES)  # each section starts a new page
    assert text_hits(text) == []
    assert not re.search(r"(^|\s)'[-+=@\w]", text)  # no spreadsheet apostrophe on paper
    # A4 portrait (210 x 297 mm in points), every page numbered, with the running footer
    for number, page in enumerate(reader.pages, 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1, (width, height)
        words = " ".join(pages[number - 1].split())
        assert f"Page {number} of {len(reader.pages)}" in words
        assert "Contextual safeguarding: board pack. 1 January 2025 to 31 December 2025" in words


def test_a_pack_of_hand_made_sections_lays_out_metrics_sentences_charts_and_tables():
    fig = go.Figure(go.Bar(x=["a"], y=[10]))
    pack = boardpack.Pack(
        title="T", period="P", filters="F", data_date="D", view="Board view",
        lineage=pd.DataFrame({"File": ["x.csv"]}),
        sections=[boardpack.Section("One", ["A sentence."], [fig], [("Cap", pd.DataFrame(
            {"n": ["<5", "1250"], "m": [12345, -1304]}))],
            metrics=[("Incidents", "10", "No real change")], page="trends")],
        demo=True)
    text = visible_text(boardpack.to_html(pack))
    assert "Fictional demo data" in text
    assert "Incidents 10 No real change" in text
    assert "A sentence." in text and "Cap n m <5 12,345 1250 -1,304" in text  # numbers, not text
    assert "More on the Trends page of the dashboard." in text


def test_an_unknown_section_is_refused_by_name():
    with pytest.raises(ValueError, match="Unknown section 'nope'"):
        briefing.section(None, YEAR_2025, "nope")


def test_no_chart_title_appears_twice_and_overlap_is_words_and_one_matrix(pack):
    titles = [fig.layout.title.text for s in pack.sections for fig in s.figures]
    assert all(titles) and len(set(titles)) == len(titles), titles
    overlap = next(s for s in pack.sections if s.page == "overlap")
    assert len(overlap.figures) == 1 and overlap.figures[0].data[0].type == "heatmap"
    assert overlap.tables == ()  # every pair's figures are the lead's, on the Risk overlap page
    assert overlap.method and "Fisher" in overlap.method and "Fisher" not in " ".join(
        overlap.summary)
