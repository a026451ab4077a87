"""The board pack's build, timed in its parts: each section (cold, as the first pack after a
load), laying out the HTML, and printing the PDF with Chromium. The PDF's print is the slow
part; it is timed only where Chromium is installed (boardpack.pdf_unavailable says why not).
"""

from __future__ import annotations

from pathlib import Path

from analytics.board import boardpack, briefing
from analytics.store.store import Store
from bench.measure import peak_rss_mb, scenarios, timed


def task_pack(db: Path, runs: int) -> dict:
    """Seconds for each section, the HTML and the PDF, under the default filters: the median
    of `runs` (the PDF once: it starts a browser)."""
    store = Store(db)
    try:
        filters = scenarios(store.cursor())["default"]
        sections, built = {}, []
        for key in briefing.PACK_ORDER:
            times = []
            for _ in range(runs):
                took, section = timed(lambda k=key: briefing.section(store.cursor(), filters, k))
                times.append(took.wall)
            sections[key] = sorted(times)[len(times) // 2]
            built.append(section)
        took, pack = timed(lambda: briefing.pack(store.cursor(), filters, sections=built))
        cover = took.wall
        html_times = [timed(lambda: boardpack.to_html(pack))[0].wall for _ in range(runs)]
        result = {"sections_s": sections, "cover_s": cover,
                  "html_s": sorted(html_times)[len(html_times) // 2],
                  "html_mb": len(boardpack.to_html(pack).encode()) / 2**20,
                  "pdf_unavailable": boardpack.pdf_unavailable()}
        if result["pdf_unavailable"] is None:
            took, pdf = timed(lambda: boardpack.to_pdf(pack))
            result |= {"pdf_s": took.wall, "pdf_mb": len(pdf) / 2**20}
        result["peak_rss_mb"] = peak_rss_mb()
        return result
    finally:
        store.close()


def markdown(pack: dict) -> list[str]:
    """The board pack's lines of the report."""
    sections = pack["sections_s"]
    lines = ["", "| Board pack | Seconds |", "|---|--:|"]
    lines += [f"| section: {key} | {s:.2f} |" for key, s in sections.items()]
    lines += [f"| all sections | {sum(sections.values()):.2f} |",
              f"| cover and lineage | {pack['cover_s']:.2f} |",
              f"| HTML laid out ({pack['html_mb']:.1f} MB) | {pack['html_s']:.2f} |"]
    if "pdf_s" in pack:
        lines.append(f"| PDF printed by Chromium ({pack['pdf_mb']:.1f} MB) | {pack['pdf_s']:.2f} |")
    else:
        lines.append(f"| PDF | not made: {pack['pdf_unavailable']} |")
    return lines
