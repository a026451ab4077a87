"""The tree shows the design (issue 22): pages -> ui -> analytics packages -> store, one way.

Each analytics package imports only the packages below it in LAYERS, no code reaches into
another package's private helpers, analytics never imports Streamlit, ui or a page, ui never
imports a page, and no module imports itself through others (imports inside functions count: a
circle deferred to call time is still a circle).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent

# The analytics packages from the bottom up: each may import only packages on earlier lines;
# packages on one line are siblings and import none of each other.
LAYERS = [
    ("store",),  # the data: store, derived tables, filters, vocabularies, reference facts
    ("governance",),  # access, audit, disclosure, escaping, exports
    ("style", "demo", "ingest"),
    ("places", "overlap", "peers", "interventions"),
    ("trends",),  # trends reads places' hot spots
    ("contexts",),  # priorities reads trends' signals and places
    ("board",),  # the overview, narrative, briefing and pack read every part
]
LEVEL = {package: level for level, names in enumerate(LAYERS) for package in names}
CODE = ("analytics", "ui", "pages", "bench")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of the app and the benchmark, by dotted name."""
    paths = [p for folder in CODE for p in (ROOT / folder).rglob("*.py")]
    paths += [ROOT / "app.py", ROOT / "serve.py"]
    return {module_name(p): p for p in paths if p.exists()}


def imported(path: Path, known: set[str]) -> set[str]:
    """The modules a file imports anywhere in it, by dotted name (`from a import b` names a.b
    when a.b is a module, else a)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
    return found


def graph() -> nx.DiGraph:
    known = modules()
    g = nx.DiGraph()
    g.add_nodes_from(known)
    for name, path in known.items():
        g.add_edges_from((name, target) for target in imported(path, set(known))
                         if target in known and target != name)
    return g


def package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "analytics" and len(parts) > 2 else None


def home(module: str) -> str:
    """The package a module belongs to: analytics.<package>, or ui, pages, bench, app."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "analytics" else parts[0]


def private_reaches(module: str, path: Path, known: set[str]) -> list[str]:
    """`_name`s a module takes from a module of another package, by import or attribute."""
    bound: dict[str, str] = {}  # local name -> module it stands for
    found = []
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in known:
            for alias in node.names:
                if alias.name.startswith("_") and home(node.module) != home(module):
                    found.append(f"{module} imports {node.module}.{alias.name}")
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if f"{node.module}.{alias.name}" in known:
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            bound |= {alias.asname: alias.name for alias in node.names if alias.asname}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in bound and node.attr.startswith("_")
                and not node.attr.startswith("__") and home(bound[node.value.id]) != home(module)):
            found.append(f"{module} reads {bound[node.value.id]}.{node.attr}")
    return found


def top_level_imports(module: str) -> set[str]:
    return {target.split(".")[0] for target in imported(modules()[module], set())}


def test_analytics_holds_only_packages_and_each_is_in_the_layers():
    loose = sorted(p.name for p in (ROOT / "analytics").glob("*.py") if p.name != "__init__.py")
    packages = {p.name for p in (ROOT / "analytics").iterdir() if (p / "__init__.py").exists()}
    assert loose == []
    assert packages == set(LEVEL)


def test_every_package_says_what_it_is_for():
    for name in LEVEL:
        doc = ast.get_docstring(ast.parse((ROOT / "analytics" / name / "__init__.py").read_text()))
        assert doc, name


def test_analytics_never_imports_streamlit_ui_pages_or_the_app():
    offences = {m: sorted(top_level_imports(m) & {"streamlit", "ui", "pages", "app", "serve"})
                for m in modules() if m.startswith("analytics.")}
    assert {m: found for m, found in offences.items() if found} == {}


def test_ui_never_imports_a_page_or_the_app():
    offences = {m: sorted(top_level_imports(m) & {"pages", "app", "serve"})
                for m in modules() if m.startswith("ui.")}
    assert {m: found for m, found in offences.items() if found} == {}


def test_each_package_imports_only_packages_below_it():
    upward = sorted(f"{a} -> {b}" for a, b in graph().edges
                    if package(a) and package(b) and package(a) != package(b)
                    and LEVEL[package(b)] >= LEVEL[package(a)])
    assert upward == []


def test_no_package_reaches_into_another_packages_private_helpers():
    """The benchmark's pandas twins may reuse a statistic's private steps; the app may not."""
    known = modules()
    reaches = sorted({r for name, path in known.items() if home(name) != "bench"
                      for r in private_reaches(name, path, set(known))})
    assert reaches == []


def test_no_module_imports_itself_through_others():
    circles = sorted(sorted(c) for c in nx.strongly_connected_components(graph()) if len(c) > 1)
    assert circles == []
