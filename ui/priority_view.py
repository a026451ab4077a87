"""Where to intervene's own widgets: the weights (a slider for each measure of a place, 0 to 5,
bound to the address by ui.share), the ranked places as a table, and how far to trust the
groups of places that look alike."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from analytics.contexts import clustering, priorities
from analytics.governance.disclosure import shows_detail
from analytics.store.sources import Source
from ui import components, share
from ui import markdown as md


def choose_weights(src: Source, say: Callable[[str], str]) -> priorities.Weights:
    """The weights the reader set, or the defaults (with a warning) when every one is 0.
    police.uk records no young people and no severity: those measures are not weighed for it."""
    defaults = priorities.DEFAULT_WEIGHTS
    measures = {key: say(label) for key, label in priorities.COMPONENT_LABELS.items()
                if src.people or key not in ("repeat_people", "severity")}
    with st.expander("How places are weighed", icon=":material/tune:"):
        st.caption(md.escape("Each measure is scaled from 0 to 1 across the places in view (the "
                             "highest place scores 1); the priority score is their weighted "
                             "average, times 100. Defaults: "
                             + "; ".join(f"{label.lower()} {getattr(defaults, key):g}"
                                         for key, label in measures.items()) + "."))
        cols = st.columns(len(measures))
        chosen = {key: cols[i].slider(md.escape(label), 0, 5,
                                      help=md.escape(say(priorities.COMPONENT_HELP[key])),
                                      key=share.bind(f"w_{key}", f"w_{key}", range(6),
                                                     int(getattr(defaults, key))))
                  for i, (key, label) in enumerate(measures.items())}
    chosen |= {key: 0 for key in priorities.COMPONENT_LABELS if key not in measures}
    try:
        return priorities.Weights(**chosen)
    except ValueError as problem:
        st.warning(md.escape(f"{problem} Using the default weights until one is raised."))
        return defaults


def ranked_table(shown: pd.DataFrame, places: int) -> None:
    """The highest-ranked places (`shown`, of `places` in all) as a table: score as a bar, the
    reasons and partners in full."""
    st.dataframe(
        shown[["rank", "name", "context_label", "ward_name", "score", "why", "partners"]],
        hide_index=True, width="stretch", row_height=80,
        column_config={
            "rank": st.column_config.NumberColumn("Rank", width="small"),
            "name": "Place", "context_label": "Type", "ward_name": "Ward",
            "score": st.column_config.ProgressColumn("Priority (0 to 100)", min_value=0,
                                                     max_value=100, format="%.0f"),
            "why": st.column_config.TextColumn("Why", width="large"),
            "partners": st.column_config.TextColumn("Partners who can act", width="medium"),
        })
    components.rows_note(places)


def how_far_to_trust(groups: clustering.Clustering, slot, view: str,
                     say: Callable[[str], str]) -> None:
    """How many groups, how they were chosen, and how far to trust them, in `slot` (while the
    stability is measured, that it is being measured)."""
    plain = not shows_detail(view)
    with slot.container():
        st.markdown(md.format("**{} groups** ({}). {} {}", groups.k, groups.how_chosen(plain),
                              say(groups.coverage_sentence()), groups.trust_words(plain)))
        if plain and groups.measured:
            with st.expander(components.HOW_WORKED_OUT, icon=":material/calculate:"):
                st.caption(md.escape(f"{clustering.METHODS[groups.method]}, {groups.k} groups "
                                     f"({groups.how_chosen()}). {groups.trust_sentence()}"))
