"""The board pack's lines of the benchmark's report: each section (cold, as the first pack after
a load), laying out the HTML, and printing the PDF with Chromium (timed by bench.measure's
`pack` task). The PDF's print is the slow part; it is timed only where Chromium is installed.
"""

from __future__ import annotations


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
