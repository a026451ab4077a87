"""Data put into Streamlit markdown shows literally: no links, emphasis or LaTeX from a name."""

import pytest

from ui.markdown import escape


@pytest.mark.parametrize(("raw", "safe"), [
    ("Alder Park", "Alder Park"),
    ("[click](http://x)", "\\[click\\]\\(http://x\\)"),
    ("*bold* _it_ `code`", "\\*bold\\* \\_it\\_ \\`code\\`"),
    ("$x^2$", "\\$x^2\\$"),
    ("# Heading", "\\# Heading"),
    ("<b>", "\\<b\\>"),
])
def test_markdown_special_characters_are_escaped(raw, safe):
    assert escape(raw) == safe


def test_non_text_is_turned_into_text():
    assert escape(12) == "12"
