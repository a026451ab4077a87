"""The benchmark's registry of pages keeps up with the app: a new page, or a new analysis on a
page, without a benchmark entry fails here."""

from pathlib import Path

from bench import pages


def test_every_page_the_app_lists_has_a_benchmark_entry():
    listed = pages.listed_pages()
    assert "pages/overview.py" in listed
    assert [s for s in listed if s not in pages.PAGES] == []


def test_each_entry_times_every_analysis_its_page_runs():
    assert pages.missing_from_registry() == {}


def test_registry_entries_name_pages_that_exist():
    for script in pages.PAGES:
        assert (pages.ROOT / script).exists(), script


def test_a_page_missing_from_the_registry_is_reported(tmp_path: Path):
    (tmp_path / "ui").mkdir()
    (tmp_path / "pages").mkdir()
    (tmp_path / "ui" / "sidebar.py").write_text((pages.ROOT / "ui" / "sidebar.py").read_text())
    (tmp_path / "ui" / "navigation.py").write_text(
        'import streamlit as st\n'
        'def pages():\n'
        '    return {"x": [st.Page("pages/overview.py"), st.Page("pages/new.py")]}\n')
    (tmp_path / "pages" / "overview.py").write_text(
        "from analytics.board import overview\n"
        "from analytics.places import places\n"
        "from ui import state\n"
        "state.compute(overview.headline, None)\n"
        "state.compute(places.ward_counts, None)\n")
    (tmp_path / "pages" / "new.py").write_text("")
    (tmp_path / "analytics").mkdir()
    for module in ("board/overview", "places/places", "store/reference"):
        (tmp_path / "analytics" / module).parent.mkdir(exist_ok=True)
        (tmp_path / "analytics" / f"{module}.py").write_text("")
    gaps = pages.missing_from_registry(tmp_path)
    assert gaps == {"pages/new.py": {"*"}, "pages/overview.py": {"analytics.places.places:ward_counts"}}


def test_computed_by_resolves_functions_imported_by_name():
    assert "analytics.trends.trends:top_signals" in pages.computed_by("pages/overview.py")


def test_call_labels_are_short_and_name_the_data_dependent_argument():
    detail = next(c for c in pages.PAGES["pages/contexts.py"].calls if c.resolve)
    assert detail.label == "contexts.detail(top_place)"
    assert detail.name == "analytics.contexts.contexts:detail"
