"""Streamlit pieces of the Data page's 'Check or roll back an extract': the rollback, then the
extract's rows to check.

The rollback comes first and stands alone, so nothing about an extract's rows can hide it. Files
loaded together are one load and are offered for rollback together; the analyst can choose any
set. Before the click, the confirmation says exactly what will be removed and put back, table by
table (ingest.rollback_plan does the rollback in a transaction that is then undone), and the
rollback itself refuses to go ahead if that is no longer what it would remove.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.ingest import ingest
from ui import downloads, state, upload
from ui import markdown as md

_PENDING = "_rollback"  # the set the analyst asked to roll back, its data version and its plan
DONE, FAILED = "_data_notice", "_data_failure"  # what the page says at its top, once


def rollback_step(history: pd.DataFrame, chosen: int, who: str) -> None:
    """The set to roll back (the chosen extract's load by default), then the confirmation that
    says what it removes, then the rollback."""
    if not state.current_access().scope.unlimited:
        st.caption("A rollback removes every ward's and agency's rows of a file, so only someone "
                   "who may see all of them can roll one back.")
        return
    by_id = history.set_index("extract_id")
    loaded = [int(i) for i in by_id.index[by_id["status"] == ingest.STATUS_LOADED]]
    if chosen not in loaded:
        st.caption(md.escape(f"Extract {chosen} is {by_id.loc[chosen, 'status']}; there is "
                             "nothing of it to roll back."))
        return
    load = state.compute(ingest.same_load, extract_id=int(chosen))
    ids = st.multiselect(
        "Extracts to roll back together", loaded, default=[i for i in load if i in loaded],
        format_func=lambda i: f"{i}: {by_id.loc[i, 'file_name']}", key=f"rollback-set-{chosen}",
        help="Files loaded together are one load, so they are offered together. Add or remove "
             "extracts to roll back any set in one step.")
    ids = tuple(sorted(ids))
    version = state.store().data_version()
    pending = st.session_state.get(_PENDING)
    if not pending or (pending["ids"], pending["version"]) != (ids, version):
        st.button(md.escape(f"Roll back {upload.extract_label(ids)}…" if ids else "Roll back…"),
                  icon=":material/undo:", disabled=not ids, key="rollback-ask", on_click=_ask,
                  args=(ids, version))
        return
    _confirm(pending["plan"], by_id, who)


def _ask(ids: tuple[int, ...], version: int) -> None:
    """'Roll back…': work out exactly what the rollback would do, for the confirmation."""
    st.session_state[_PENDING] = {"ids": ids, "version": version,
                                  "plan": upload.rollback_plan(ids)}


def _confirm(plan: ingest.RollbackPlan, by_id: pd.DataFrame, who: str) -> None:
    """The confirmation: what the rollback removes and puts back, table by table; then Yes/No."""
    label = upload.extract_label(plan.extract_ids)
    files = [str(by_id.loc[i, "file_name"]) for i in sorted(plan.extract_ids)]
    named = files[0] if len(files) == 1 else f"{len(files)} files: {files[0]} to {files[-1]}"
    if plan.refusal:
        st.error(md.escape(f"{label.capitalize()} cannot be rolled back: {plan.refusal}"),
                 icon=":material/block:")
    else:
        record = ("The record of the load and its rows to check stay" if len(files) == 1 else
                  "The record of each file's load and its rows to check stay")
        st.warning(md.escape(f"Roll back {label} ({named})? This {plan.describe()}, and nothing "
                             f"else. {record} in the history."), icon=":material/warning:")
    row = st.container(horizontal=True)
    if not plan.refusal:
        row.button(md.escape(f"Yes, roll back {label}"), type="primary", key="rollback-yes",
                   on_click=_roll_back, args=(plan, who))
    row.button("Cancel", key="rollback-no", on_click=st.session_state.pop, args=(_PENDING, None))


def _roll_back(plan: ingest.RollbackPlan, who: str) -> None:
    """'Yes': roll the set back, refusing if it would now remove anything else; the outcome is
    said at the top of the page."""
    st.session_state.pop(_PENDING, None)
    label = upload.extract_label(plan.extract_ids)
    try:
        removed = upload.rollback(plan.extract_ids, who, expected=plan.removed)
    except ingest.IngestError as err:
        st.session_state[FAILED] = f"{label.capitalize()} was not rolled back: {err}"
        return
    done = ingest.RollbackPlan(plan.extract_ids, removed, plan.restored)
    st.session_state[DONE] = (f"Rolled back {label}: {done.describe(done=True)}. Every page now "
                              "shows the data without it.")


def rows_to_check(row: pd.Series, chosen: int) -> None:
    """The extract's rejected, duplicate and flagged rows as a CSV, and its notes. Whatever the
    extract holds, this says what went wrong rather than failing the page."""
    try:
        if row["rows_rejected"] or row["rows_duplicate"] or row["rows_outside"]:
            downloads.rows_to_check_button(int(chosen), f"extract-{chosen}-rows-to-check.csv")
        else:
            st.caption("Every row of this extract loaded; nothing was rejected or flagged.")
        if isinstance(row["notes"], str):  # one line a note
            st.caption("  \n".join(md.escape(line) for line in row["notes"].splitlines()))
    except Exception as err:  # the page must stand, whatever an extract holds
        st.warning(md.escape(f"The rows to check of extract {chosen} could not be prepared "
                             f"({type(err).__name__}). Rolling it back still works; send the "
                             "file to the dashboard's maintainers."), icon=":material/warning:")
