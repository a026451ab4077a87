"""Text from files and the address is shown as the plain text it was, whatever element shows it."""

import doctest

import pytest

from analytics.governance import escape
from analytics.governance.escape import (
    WORD_JOINER,
    Markdown,
    deck,
    html,
    markdown,
    markdown_format,
    plotly,
)


def unescaped(text: str) -> str:
    """What Streamlit's Markdown shows for escaped text: escapes read, joiners invisible."""
    import re

    return re.sub(r"\\(.)", r"\1", text).replace(WORD_JOINER, "")


@pytest.mark.parametrize(("raw", "safe"), [
    ("Alder Park", "Alder Park"),
    ("[click](http://x)", "\\[click\\]\\(http\\:" + WORD_JOINER + "//x\\)"),
    ("*bold* _it_ `code`", "\\*bold\\* \\_it\\_ \\`code\\`"),
    ("$x^2$", "\\$x^2\\$"),
    ("# Heading", "\\# Heading"),
    ("<b>", "\\<b\\>"),
    ("Tom &amp; Jerry", "Tom \\&amp; Jerry"),
    (":red[alarm]", "\\:" + WORD_JOINER + "red\\[alarm\\]"),
    ("Wards: Alder, 3.5 times", "Wards\\: Alder, 3\\.5 times"),  # prose copies as it reads
])
def test_markdown_special_characters_are_escaped(raw, safe):
    assert markdown(raw) == safe


@pytest.mark.parametrize("link", [
    "https://evil.example/x", "HTTP://EVIL.EXAMPLE", "www.evil.example", "WWW.evil.example",
    "someone@evil.example", "mailto:someone@evil.example", ":material/home:",
])
def test_bare_addresses_and_icons_are_broken_where_streamlit_would_link_them(link):
    safe = markdown(link)
    assert "://" not in safe and "www." not in safe.lower() and "www\\." not in safe.lower()
    assert not any(f"{a}@" in safe for a in "abcdefghijklmnopqrstuvwxyz")
    assert ":material/" not in safe and "\\:material/" not in safe
    assert unescaped(safe) == link  # and reads exactly as written


def test_markdown_is_one_line_and_reads_as_written():
    raw = "Line one\n# Not a heading\r\n- not a list\t1. nor this"
    safe = markdown(raw)
    assert "\n" not in safe and "\r" not in safe
    assert unescaped(safe) == "Line one # Not a heading - not a list 1. nor this"


def test_escaping_twice_changes_nothing_and_markdown_passes_through():
    once = markdown("*Alder* Park")
    assert isinstance(once, Markdown) and markdown(once) == once
    assert markdown_format("{}: {}", Markdown("*kept*"), "*escaped*") == "*kept*: \\*escaped\\*"


def test_format_escapes_every_value_and_keeps_number_formats():
    assert markdown_format("**{}** ({:,} incidents, {:.0%})", "[x](y)", 1234, 0.5) == \
        "**\\[x\\]\\(y\\)** (1,234 incidents, 50%)"
    assert markdown_format("{name} in {ward}", name="*A*", ward="_B_") == "\\*A\\* in \\_B\\_"


def test_non_text_is_turned_into_text():
    assert markdown(12) == "12"
    assert html(None) == ""


@pytest.mark.parametrize("escaper", [markdown, html, plotly, deck])
def test_bidirectional_controls_are_isolated_so_they_cannot_reorder_the_words_around(escaper):
    safe = escaper("abc\u202edef")
    assert safe.startswith("\u2068") and safe.endswith("\u2069")
    assert escaper("plain") in ("plain",)


def test_html_and_plotly_leave_no_tag_or_entity_to_read():
    payload = "<a href=\"javascript:alert(1)\">x</a> & <img src='https://evil.example/i.png'>"
    assert "<" not in html(payload) and "\"" not in html(payload)
    assert plotly(payload) == ("&lt;a href=\"javascript:alert(1)\"&gt;x&lt;/a&gt; &amp; "
                               "&lt;img src='https://evil.example/i.png'&gt;")
    assert escape.plotly_all(["<b>", None, float("nan")])[:2] == ["&lt;b&gt;", None]


def test_deck_text_is_never_read_as_deck_gl_code():
    assert deck("@@=properties.x") == WORD_JOINER + "@@=properties.x"
    assert deck("Alder @@ Park") == "Alder @@ Park"


def test_the_examples_in_the_module_hold():
    assert doctest.testmod(escape).failed == 0
