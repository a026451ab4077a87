"""No page puts a value into Markdown or HTML except through the escaping helper (ui/markdown.py).

Streamlit reads Markdown in every text element and every widget label and help. This test reads
the source of app.py, pages/ and ui/ and fails on a call that hands such an element text built
from a value (an f-string, a +, a join, a variable) unless each value goes through md.escape or
md.format (or ctx.caption, which escapes), is a number or date written with a format (`{n:,}`),
or is one of the app's own constants (UPPER_CASE). It also fails on raw HTML of any kind.

Selectbox and multiselect options, st.dataframe, st.text and st.code show plain text and are not
read. Whatever this cannot see (an option of a radio, a metric's value) the browser test
(test_browser_payloads.py) checks by loading hostile names into every page.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py")])
# Streamlit calls whose first argument (and label=, help=, body=) is read as Markdown.
MARKDOWN_CALLS = {
    "markdown", "caption", "title", "header", "subheader", "write", "info", "warning", "error",
    "success", "toast", "expander", "popover", "metric", "button", "download_button",
    "page_link", "link_button", "form_submit_button", "checkbox", "toggle", "radio",
    "selectbox", "multiselect", "slider", "select_slider", "text_input", "text_area",
    "number_input", "date_input", "time_input", "file_uploader", "segmented_control", "pills",
    "status", "tabs", "chat_input", "feedback", "spinner",
}
LABEL_ONLY = {"update"}  # status.update(label=...)
TEXT_KEYWORDS = {"label", "help", "body"}
HELPERS = {"escape", "format", "caption"}  # md.escape, md.format, ctx.caption
HELPER_OWNERS = {"md", "markdown", "ctx"}  # ctx.caption(...) escapes; it draws nothing
NUMERIC = {"len", "int", "float", "abs", "round", "sum", "min", "max", "display_count",
           "uk_date"}
NUMBER_FORMAT = set(",.0123456789fgde%+-_xob")
RAW_HTML = {"html", "unsafe_allow_html"}


def _name(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")


def _constant(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return node.id.isupper()
    if isinstance(node, ast.Attribute):
        return node.attr.isupper()
    if isinstance(node, ast.Subscript):
        return _constant(node.value)
    return False


def _safe_value(node: ast.AST, spec: ast.AST | None = None) -> bool:
    """A value that may sit in Markdown: escaped, a number or date, or the app's constant."""
    if isinstance(node, ast.Constant) or _constant(node):
        return True
    if isinstance(node, ast.Call) and _name(node) in HELPERS | NUMERIC:
        return True
    if isinstance(spec, ast.JoinedStr):
        written = "".join(v.value for v in spec.values if isinstance(v, ast.Constant))
        if written and (set(written) <= NUMBER_FORMAT or "%" in written):
            return True
    if isinstance(node, ast.IfExp):
        return _safe_text(node.body) and _safe_text(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):  # 's' * (n != 1)
        return isinstance(node.left, ast.Constant)
    if isinstance(node, ast.ListComp):  # [md.escape(n) for n in names]: tabs' labels
        return _safe_text(node.elt)
    if (isinstance(node, ast.Call) and _name(node) == "join"  # "\n".join(safe for ...)
            and isinstance(node.func.value, ast.Constant)
            and isinstance(node.args[0], ast.GeneratorExp | ast.ListComp)):
        return _safe_text(node.args[0].elt)
    return False


def _safe_text(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return all(_safe_value(v.value, v.format_spec) for v in node.values
                   if isinstance(v, ast.FormattedValue))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _safe_text(node.left) and _safe_text(node.right)
    return _safe_value(node)


def unsafe_markdown(source: str) -> list[tuple[int, str]]:
    """(line, text) of every Markdown argument built from a value that was not escaped."""
    found = []
    for call in ast.walk(ast.parse(source)):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            continue
        owner = call.func.value
        if isinstance(owner, ast.Name) and owner.id in HELPER_OWNERS:
            continue
        texts = [k.value for k in call.keywords
                 if k.arg == "help" or (k.arg == "label" and call.func.attr in LABEL_ONLY)]
        if call.func.attr in MARKDOWN_CALLS:
            texts += call.args[:1] + [k.value for k in call.keywords if k.arg in TEXT_KEYWORDS]
        found += [(t.lineno, ast.unparse(t)[:90]) for t in texts if not _safe_text(t)]
    return found


def raw_html(source: str) -> list[tuple[int, str]]:
    """(line, call) of every st.html, components.html or unsafe_allow_html."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and (_name(node) in RAW_HTML or any(
                k.arg in RAW_HTML for k in node.keywords)):
            found.append((node.lineno, ast.unparse(node)[:90]))
    return found


def test_no_page_builds_markdown_from_a_value_it_did_not_escape():
    problems = [f"{path.relative_to(ROOT)}:{line}: {text}" for path in SOURCES
                for line, text in unsafe_markdown(path.read_text())]
    assert problems == [], ("Pass each value through md.escape() or md.format() "
                            "(ui/markdown.py):\n" + "\n".join(problems))


def test_no_page_writes_raw_html():
    problems = [f"{path.relative_to(ROOT)}:{line}: {text}" for path in SOURCES
                for line, text in raw_html(path.read_text())]
    assert problems == []


def test_the_scan_catches_the_ways_a_value_gets_into_markdown():
    unsafe = [
        'st.markdown(f"**{name}** rose")',
        'st.caption("Last load: " + row["file_name"])',
        "st.warning(notice)",
        'st.error(str(err))',
        'st.selectbox(f"{code} means", options)',
        'st.expander(", ".join(names))',
        'st.markdown("\\n".join("- " + m for m in messages))',
        'st.radio("View", views, help=VIEWS[v] + note)',
        'col.metric(label, value)',
        'st.tabs(names)',
        'st.tabs([n for n in names])',
    ]
    safe = [
        'st.markdown(f"**{md.escape(name)}** rose by {n:,} ({share:.0%}) to {when:%B %Y}")',
        'st.caption(md.escape("Last load: " + row["file_name"]))',
        'st.markdown(md.format("**{}** ({})", name, where))',
        'st.caption(ctx.caption(f"Incidents at {place}"))',
        'st.write(f"{len(rows):,} row{\'s\' * (len(rows) != 1)} below {THRESHOLD}")',
        'st.selectbox("Place", names, format_func=labels.get)',
        'st.markdown("\\n".join("- " + md.escape(m) for m in messages))',
        'st.tabs([md.escape(n) for n in names])',
    ]
    assert all(unsafe_markdown(code) for code in unsafe)
    assert not any(unsafe_markdown(code) for code in safe)
    assert raw_html('st.markdown(text, unsafe_allow_html=True)')
    assert raw_html("st.html(page)")
