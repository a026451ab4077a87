r"""Text from files and the address, escaped for the element it is shown in: the one rule.

Every value that came from an upload (a ward, place or file name, an intervention type, a cell
quoted in a message) or from the address is shown as the plain text it was: never as a link, an
image or formatting. Each kind of element reads its text in its own language, so each has its
escaper here:

- Streamlit Markdown (st.markdown, captions, titles, alerts, widget labels and help, radio and
  pill options, expander labels, metrics): `markdown`, or `markdown_format` for a template of
  the app's own Markdown with values in it. Escaping Markdown's punctuation is not enough:
  Streamlit's Markdown turns bare web addresses (https://..., www....) and e-mail addresses into
  links after escapes are read, so a word joiner (U+2060, invisible) is put where a link would
  start: between 'https:' and '//', 'www' and '.', and before '@'.
- HTML (the board pack): `html`.
- Plotly's rich text (titles, tick labels, hover and legend text): `plotly`. Plotly reads a
  small set of tags (<a href>, <b>, <br>, <span style>...) and entities; escaping & < > leaves
  none to read.
- pydeck tooltips and labels: `deck`. Our tooltips are plain text (`{"text": ...}`, never
  `html`), but deck.gl's JSON reads a string starting '@@' as code or a constant.
- Spreadsheets (CSV downloads, the pack's tables): analytics.governance.exports.neutralise, which makes a
  cell starting = + - @ (or a tab or carriage return) text.

Text that holds bidirectional controls (U+202E turns 'gpj.exe' into 'exe.jpg' on screen) is
isolated (U+2068 ... U+2069), so the reordering cannot reach the words around it. Names with
such characters are refused at load (analytics.ingest.validate); this is the second line of defence.

    >>> print(markdown("[ward](https://www.evil.example)").replace(WORD_JOINER, "+"))
    \[ward\]\(https\:+//www+\.evil\.example\)
    >>> print(markdown_format("**{}** ({:,} incidents)", "*Alder* Park", 1234))
    **\*Alder\* Park** (1,234 incidents)
    >>> plotly("<a href='x'>Park</a> & Co")
    "&lt;a href='x'&gt;Park&lt;/a&gt; &amp; Co"
"""

from __future__ import annotations

import html as _html
import re
import string

import pandas as pd

# Characters Streamlit's Markdown gives a meaning to: CommonMark's markup, '$' (LaTeX), ':'
# (emoji, :material/icons: and :colour[text] directives) and '&' (entities such as &lt;).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")
WORD_JOINER = "\u2060"
# Where a link or an icon would start: after a ':' that something follows ('https://',
# ':material/icon:'), between 'www' and '.', and before any '@' (e-mail addresses). Colons in
# prose ('Wards: Alder') and other full stops are left alone, so text copies as it reads.
_AUTOLINK = re.compile(r"(?<=:)(?=\S)|(?<=[Ww][Ww][Ww])(?=\.)|(?=@)")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u0085\u2028\u2029]+")
BIDI_CONTROLS = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ISOLATE, POP_ISOLATE = "\u2068", "\u2069"


class Markdown(str):
    """Markdown the app wrote, every outside value in it escaped: safe for st.markdown as is.

    A plain `str` is text to escape; only a value of this type passes through `markdown` and
    `markdown_format` unchanged (so escaping twice never shows backslashes)."""


def isolated(text: str) -> str:
    """The text in a bidi isolate when it holds bidirectional controls, else unchanged."""
    return f"{ISOLATE}{text}{POP_ISOLATE}" if BIDI_CONTROLS.search(text) else text


def markdown(value: object) -> Markdown:
    r"""Text that Streamlit's Markdown shows exactly as written, on one line.

    >>> print(markdown("x@evil.example *bold*").replace(WORD_JOINER, "+"))
    x+@evil\.example \*bold\*
    """
    if isinstance(value, Markdown):
        return value
    text = _LINE_BREAKS.sub(" ", str(value))
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, text))
    return Markdown(isolated(text))


class _MarkdownFormatter(string.Formatter):
    """str.format with every field escaped for Markdown (fields already Markdown left as they are)."""

    def format_field(self, value: object, format_spec: str) -> str:
        if isinstance(value, Markdown) and not format_spec:
            return value
        return markdown(format(value, format_spec))


_FORMATTER = _MarkdownFormatter()


def markdown_format(template: str, /, *args: object, **kwargs: object) -> Markdown:
    r"""The app's own Markdown `template` (str.format syntax) with every value escaped.

    >>> print(markdown_format("Most affected: **{}**", "Alder_Park"))
    Most affected: **Alder\_Park**
    """
    return Markdown(_FORMATTER.vformat(template, args, kwargs))


def html(value: object) -> str:
    """Text for HTML: & < > and both quotes as entities ('' for None)."""
    return isolated(_html.escape("" if value is None else str(value), quote=True))


def plotly(value: object) -> str:
    """Text for Plotly's titles, ticks, hovers and legends: shown as written, no tag read."""
    return isolated(_html.escape(str(value), quote=False))


def plotly_all(values) -> list[str]:
    """Each value of a column or list escaped for Plotly (missing values stay missing)."""
    return [v if v is None or (isinstance(v, float) and v != v) else plotly(v) for v in values]


DECK_CODE = "@@"  # deck.gl's JSON reads a string starting '@@' as an expression or a constant


def deck(value: object) -> str:
    """Text for a pydeck tooltip or label: plain text, never read as deck.gl code."""
    text = isolated(str(value))
    return WORD_JOINER + text if text.startswith(DECK_CODE) else text


def deck_all(values) -> pd.Series:
    """`deck` of every value of a column (a Series of text), in pandas' string methods rather
    than a Python call per row: a map of 10,000 places has 10,000 tooltips."""
    text = pd.Series(values, dtype=object).astype(str)
    text = text.where(~text.str.contains(BIDI_CONTROLS), ISOLATE + text + POP_ISOLATE)
    return text.where(~text.str.startswith(DECK_CODE), WORD_JOINER + text)
