"""Putting data into Streamlit markdown safely: names from uploads must not become links or markup."""

from __future__ import annotations

import re

# CommonMark punctuation that can start markup, plus "$" (Streamlit reads it as LaTeX).
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def escape(text: object) -> str:
    """Text that st.markdown shows literally: 'A *b* [c](d)' -> 'A \\*b\\* \\[c\\]\\(d\\)'."""
    return _SPECIAL.sub(r"\\\1", str(text))
