"""Every page of the app, grouped for its users: the table app.py hands to ui.guard, and ui.state
builds a hidden page list from. Imports no other ui module, so any of them can read it."""

from __future__ import annotations

import streamlit as st

PRESENTER = "pages/present.py"
# group -> (script, title, icon, url path or None for the script's name); the first is the default
PAGES: dict[str, list[tuple[str, str, str, str | None]]] = {
    "For the board": [
        ("pages/overview.py", "Overview", ":material/dashboard:", None),
        ("pages/contexts.py", "Where to intervene", ":material/place:", "where-to-intervene"),
        ("pages/trends.py", "Trends", ":material/monitoring:", None),
        ("pages/places.py", "Places", ":material/map:", None),
        ("pages/glossary.py", "Words used", ":material/menu_book:", "glossary"),
    ],
    "Explore": [
        ("pages/overlap.py", "Risk overlap", ":material/join_inner:", None),
        ("pages/peers.py", "Peer groups", ":material/groups:", None),
        ("pages/interventions.py", "Interventions", ":material/handshake:", None),
    ],
    # Listed only for roles analytics.governance.access.PAGE_PERMISSIONS allows (ui.guard hides the rest).
    "For analysts": [
        ("pages/data.py", "Data", ":material/upload_file:", None),
        ("pages/records.py", "Incident records", ":material/table_rows:", None),
    ],
    "Administration": [
        ("pages/audit.py", "Audit log", ":material/policy:", None),
    ],
}

# The pages drawn in sections (ui.components.sections), by script: each section's name, the first
# open by default. Only the open section runs, so the warm-up opens each of them
# (tests/ui/test_warmup.py holds these to the tabs each page draws).
SECTION_PARAM = "section"  # the open section in the address
SECTIONS: dict[str, tuple[str, ...]] = {
    "pages/overview.py": ("What changed", "Month by month", "Where it changed most"),
    "pages/contexts.py": ("Places to act on first", "One place", "Places that look alike"),
    "pages/interventions.py": ("What changed", "One intervention", "The register"),
    "pages/overlap.py": ("Which harms go together", "Most common combinations", "Where and when"),
    "pages/places.py": ("Map", "Concentration", "When", "Types of place", "Wards ranked"),
    "pages/trends.py": ("Is it changing?", "Which groups are changing?", "Signals worth a look",
                        "Same time last year"),
}


def pages() -> dict[str, list[st.Page]]:
    """The page groups, in the order the sidebar lists them (the presenter's slides hidden)."""
    first = next(iter(PAGES))
    out = {group: [_page(spec, default=(group, i) == (first, 0)) for i, spec in enumerate(specs)]
           for group, specs in PAGES.items()}
    out[first].append(_presenter())
    return out


def presenter_pages() -> list[st.Page]:
    """Presenter mode: every page hidden, so any page's address still resolves (ui.guard then
    switches to the slides), and the slides at their own address."""
    specs = [spec for group in PAGES.values() for spec in group]
    return [*(_page(spec, default=i == 0, hidden=True) for i, spec in enumerate(specs)),
            _presenter()]


def _page(spec: tuple[str, str, str, str | None], default: bool = False,
          hidden: bool = False) -> st.Page:
    script, title, icon, url_path = spec
    return st.Page(script, title=title, icon=icon, url_path=url_path, default=default,
                   visibility="hidden" if hidden else "visible")


def _presenter() -> st.Page:
    return st.Page(PRESENTER, title="Present to a meeting", icon=":material/slideshow:",
                   url_path="present", visibility="hidden")
