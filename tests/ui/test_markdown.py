"""The pages' Markdown helper is the one in analytics.governance.escape, under the names pages use."""

from analytics.governance import escape
from ui import markdown as md


def test_pages_escape_and_format_with_the_one_rule():
    assert md.escape is escape.markdown and md.format is escape.markdown_format
    assert md.format("**{}**", "[x](https://evil.example)") == \
        "**" + escape.markdown("[x](https://evil.example)") + "**"
