"""Streamlit pieces of the Data page: check each uploaded file, map its columns, show the summary.

Checking a large file takes seconds, so each file's check is kept in the session (keyed by the
file, its kind, sheet and mapping, and the data version) and redone only when one of those changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from analytics.governance import audit
from analytics.governance.access import Access, Permission, require
from analytics.ingest import ingest, mapping, readers
from analytics.ingest.mapping import FIELDS, Mapping
from analytics.ingest.staging import Staged
from analytics.store.vocab import AGENCIES, CONTEXT_TYPES, RISK_TYPES
from analytics.style.text import upper_initial
from ui import downloads, state
from ui import markdown as md

NOT_IN_FILE = "(not in this file)"
LEAVE_UNKNOWN = "(leave it: reject those rows)"
VOCABS = {"risk_types": RISK_TYPES, "location_type": CONTEXT_TYPES, "context_type": CONTEXT_TYPES,
          "source_agency": AGENCIES, "lead_agency": AGENCIES}
COUNT_LABELS = (("read", "Rows read"), ("valid", "Will load"), ("rejected", "Rejected"),
                ("duplicate", "Exact duplicates"), ("outside", "Outside the area"),
                ("no_location", "No location"))


def sheet_picker(file, key: str) -> str | None:
    """For a workbook with several sheets, the sheet the analyst picks (the first by default)."""
    if readers.file_format(file.name) != "xlsx":
        return None
    try:
        sheets = readers.sheet_names(file.name, file.getvalue())
    except readers.ReadError:
        return None  # the check reports why the workbook cannot be read
    return st.selectbox("Sheet", sheets, key=f"sheet-{key}") if len(sheets) > 1 else None


def check(file, key: str, sheet: str | None = None) -> Staged:
    """The file checked against the current data, with the kind, sheet and mapping chosen."""
    data = file.getvalue()
    kind = st.session_state.get(f"kind-{key}")
    chosen = st.session_state.get(f"map-{key}")
    cache = st.session_state.setdefault("_checked", {})
    version = state.store().data_version()
    wanted = (kind, sheet, chosen, version)
    if cache.get(key, (None, None))[0] != wanted:
        with st.spinner(md.escape(f"Checking {file.name} ({len(data) / 1e6:,.1f} MB)…")):
            staged = _safe_read(data, file.name, kind, chosen, sheet)
            if staged.kind == "unknown" and staged.header and not kind:
                # not a kind we recognise: offer the incidents mapping to start from
                staged = _safe_read(data, file.name, "incidents", chosen, sheet)
                st.session_state[f"kind-{key}"] = "incidents"
                wanted = ("incidents", sheet, chosen, version)
            cache[key] = (wanted, staged)
    return cache[key][1]


def _safe_read(data: bytes, name: str, kind: str | None, chosen: Mapping | None,
               sheet: str | None) -> Staged:
    """ingest.read, with anything unforeseen turned into a plain message, never a traceback."""
    try:
        return ingest.read(state.store(), data, name, kind, chosen, sheet)
    except Exception as err:  # the analyst must see a message, whatever went wrong
        return Staged(file_name=name, sha256=ingest.sha256(data), kind=kind or "unknown",
                      error=f"{name} could not be checked ({type(err).__name__}). Check it is "
                      "one of the kinds listed, or send it to the dashboard's maintainers.")


def headline(staged: Staged) -> None:
    """One line per file: what it holds and what would load, or why it cannot."""
    if not staged.ok:
        st.markdown(md.format("**{}**: cannot be loaded yet.", staged.file_name))
        return
    c = staged.counts
    parts = [f"{c.valid:,} of {c.read:,} rows will load"]
    for n, words in ((c.rejected, "rejected"), (c.duplicate, "exact duplicate"),
                     (c.outside, "outside the area"), (c.no_location, "without a location")):
        if n:
            plural = "s" if words == "exact duplicate" and n != 1 else ""
            parts.append(f"{n:,} {words}{plural}")
    if staged.personal:
        n = len(staged.personal)
        parts.append(f"{n} column{'s' * (n != 1)} that look{'s' * (n == 1)} personal left out")
    st.markdown(md.format("**{}** ({}): {}.", staged.file_name,
                          ingest.KINDS.get(staged.kind, staged.kind), ", ".join(parts)))


def needs_attention(staged: Staged) -> bool:
    """Whether the analyst should look inside: an error, rejected rows or a replacement."""
    return not staged.ok or bool(staged.counts.rejected or staged.replaces
                                 or staged.unknown_codes or staged.previous or staged.personal)


def choose_kind(staged: Staged, key: str) -> None:
    """The kind picker, starting at the detected kind."""
    kinds = list(ingest.UPLOAD_KINDS)
    if f"kind-{key}" not in st.session_state:
        st.session_state[f"kind-{key}"] = staged.kind if staged.kind in kinds else "incidents"
    st.selectbox("What the file holds", kinds,
                 format_func=ingest.KINDS.get, key=f"kind-{key}",
                 help="Detected from the columns where we could; change it if it is wrong. "
                      "Incidents, contexts and interventions can come in any layout: match "
                      "the columns below. Boundaries are ONS GeoJSON files.")


def mapping_step(staged: Staged, key: str) -> None:
    """Source column -> field, and partner codes -> ours, with a save-as-profile box."""
    if staged.kind not in mapping.TABLE_KINDS or not staged.header:
        return
    current = staged.mapping or mapping.auto_mapping(staged.kind, staged.header)
    missing = mapping.missing_required(current)
    with st.expander("Match the file's columns to our fields", expanded=bool(
            missing or staged.unknown_codes)):
        if not staged.sample.empty:
            st.caption("The file's first rows, as they are:")
            st.dataframe(staged.sample, hide_index=True)
        options = [NOT_IN_FILE, *staged.header]
        columns = {}
        grid = st.columns(3)
        for i, f in enumerate(FIELDS[staged.kind]):
            source = current.source(f.name)
            columns[f.name] = grid[i % 3].selectbox(
                md.escape(f.label + (" (required)" if f.required else "")), options,
                index=options.index(source) if source in options else 0,
                key=f"col-{key}-{f.name}", help=md.escape(f.meaning))
        chosen = current.with_columns({k: None if s == NOT_IN_FILE else s
                                       for k, s in columns.items()})
        for name, codes in staged.unknown_codes:
            chosen = _code_step(chosen, name, codes, key)
        if chosen != current and st.button("Check again with this mapping", key=f"apply-{key}"):
            st.session_state[f"map-{key}"] = chosen
            st.rerun()
        _save_profile(chosen, staged.header, key)


def _code_step(chosen: Mapping, name: str, codes: tuple[str, ...], key: str) -> Mapping:
    """Selectboxes mapping each unknown partner code of one field to one of our codes."""
    terms = VOCABS[name]
    st.markdown(md.format("**{}: codes we do not know**", mapping.field(chosen.kind, name).label))
    pairs = dict(chosen.code_map(name))
    options = [LEAVE_UNKNOWN, *[t.code for t in terms]]
    labels = {t.code: f"{t.label} ({t.code})" for t in terms}
    for code in codes[:20]:
        picked = st.selectbox(md.escape(f"'{code}' means"), options, key=f"code-{key}-{name}-{code}",
                              format_func=lambda c: labels.get(c, c))
        if picked != LEAVE_UNKNOWN:
            pairs[code] = picked
    if len(codes) > 20:
        st.caption(f"…and {len(codes) - 20:,} more; map these first and check again.")
    return chosen.with_codes(name, pairs) if pairs else chosen


def _save_profile(chosen: Mapping, header: tuple[str, ...], key: str) -> None:
    """Save the mapping under a name, to be offered for the next file with this header."""
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    name = left.text_input("Save this mapping as", key=f"profile-{key}",
                           placeholder="for example: Children's services monthly")
    if right.button("Save mapping", key=f"save-{key}", disabled=not name.strip()):
        access = state.current_access()
        require(access, Permission.UPLOAD)
        mapping.save_profile(state.store().cursor(), name, chosen, header,
                             st.session_state.get("loaded_by", ""))
        audit.record(state.store(), access, "mapping saved", name.strip(), "saved")
        st.success(md.escape(f"Saved '{name.strip()}'; files with these columns will use it."))


def summary(staged: Staged, key: str) -> None:
    """Counts, messages, the first problems per column, the preview and the rows to check."""
    if not staged.ok:
        st.error(md.escape(staged.error), icon=":material/error:")
        return
    if staged.previous:
        extract_id, status, when = staged.previous
        text = f"This exact file was loaded before (extract {extract_id}, {when}; {status})."
        (st.warning if status == ingest.STATUS_LOADED else st.info)(md.escape(text))
    personal_warning(staged)
    cols = st.columns(len(COUNT_LABELS))
    for col, (field_name, label) in zip(cols, COUNT_LABELS, strict=True):
        col.metric(md.escape(label), f"{getattr(staged.counts, field_name):,}")
    for message in staged.messages:  # a load that replaces the geography is a warning
        if staged.replaces:
            st.warning(md.escape(message), icon=":material/warning:")
        else:
            st.info(md.escape(message), icon=":material/info:")
    problems = staged.first_problems()
    if not problems.empty:
        st.markdown("**First problems in each column** (row numbers count the header as row 1, "
                    "as in Excel)")
        for column, group in problems.groupby("column", sort=False):
            rows = int(group["rows"].iloc[0])
            with st.expander(md.escape(f"{column}: {rows:,} row{'s' * (rows != 1)} rejected")):
                st.markdown("\n".join("- " + md.escape(m) for m in group["message"]))
    if not staged.notes.empty:
        downloads.download("Download the rows to check (CSV)",
                           lambda: ingest.staged_notes_csv(staged),
                           what=f"rows to check of {staged.file_name} (not loaded)",
                           file_name=f"to-check-{staged.file_name}.csv", mime="text/csv",
                           key=f"notes-{key}")
    preview = staged.preview()
    if not preview.empty:
        with st.expander("Preview the rows that will load"):
            st.dataframe(preview, hide_index=True, width="stretch")


def personal_warning(staged: Staged) -> None:
    """Before loading: the columns that look like names, dates of birth, addresses or postcodes,
    and that their text will be left out."""
    if not staged.personal:
        return
    st.warning(
        "**This file seems to hold personal details.** "
        + " ".join(md.escape(_sentence(f.describe())) for f in staged.personal)
        + " The dashboard never stores names, dates of birth, addresses or postcodes, so the "
        "text of these columns is left out of the load and of the rows kept to check, and no "
        "view will show it. Please remove them from the file at source. A name written without "
        "a title is not recognised: read free text before loading.",
        icon=":material/privacy_tip:")


def _sentence(text: str) -> str:
    return upper_initial(text) + "."


def saved_mappings() -> None:
    """The saved column mappings, so an analyst knows which partner layouts are recognised."""
    saved = mapping.profiles(state.store().cursor())
    if saved.empty:
        return
    with st.expander(f"Saved column mappings ({len(saved)})"):
        st.dataframe(saved.assign(kind=saved["kind"].map(ingest.KINDS.get),
                                  created_at=saved["created_at"].dt.strftime("%-d %b %Y")).rename(
            columns={"name": "Name", "kind": "Kind", "created_by": "Saved by",
                     "created_at": "Saved on"}), hide_index=True, width="stretch")
        st.caption("A file whose columns match one of these exactly is read with it.")


DEMO_CHOICES = {
    "remove": "Remove the fictional demo in the same step (recommended)",
    "keep": "Keep the demo apart: it stays loaded but off every page while these boundaries "
            "are in",
}


def demo_choice(ready: list[Staged]) -> bool:
    """When real ward boundaries would arrive beside the fictional demo, say so and let the
    analyst choose, in the same click as the load, to remove the demo or keep it apart;
    True to remove it."""
    if not ingest.demo_clash(state.store(), ready):
        return False
    st.warning("These are real boundaries, and the fictional demo borough (Fernley) is still "
               "loaded. The demo and a real area never share a page: once your ward boundaries "
               "are in, every page shows your area only.", icon=":material/swap_horiz:")
    if not state.current_access().scope.unlimited:  # removing it is a rollback of every ward
        st.caption("The demo will be kept apart: removing it removes every ward's rows, so only "
                   "someone who may see all of them can remove it.")
        return False
    choice = st.radio("The fictional demo borough", list(DEMO_CHOICES),
                      format_func=DEMO_CHOICES.get, key="demo_choice",
                      help="Kept apart, the demo comes back if you roll these boundaries back; "
                           "roll its extract back to remove it later.")
    return choice == "remove"


def commit(ready: list[Staged], who: str, remove_demo: bool = False) -> list[int]:
    """ingest.commit, for a role that may load, audited; anything unforeseen becomes an
    IngestError (the transaction rolled back)."""
    access = state.current_access()
    require(access, Permission.UPLOAD)
    if remove_demo:
        _may_roll_back(access)
    files = ", ".join(s.file_name for s in ready)
    try:
        ids = ingest.commit(state.store(), ready, who, remove_demo=remove_demo)
    except Exception as err:
        audit.record(state.store(), access, "load", files, f"failed: {err}")
        if isinstance(err, ingest.IngestError):
            raise
        # the analyst must see a message, whatever went wrong
        raise ingest.IngestError(f"The load failed, so nothing was written "
                                 f"({type(err).__name__}). Try again; if it fails again, send "
                                 "the files to the dashboard's maintainers.") from err
    audit.record(state.store(), access, "load", files,
                 "loaded as extract " + ", ".join(map(str, ids))
                 + ("; the fictional demo removed" if remove_demo else ""))
    return ids


def _may_roll_back(access: Access | None) -> None:
    """A rollback removes (and its plan counts) a file's rows of every ward and agency: only for a
    role that may load data and a user no scope limits."""
    require(access, Permission.UPLOAD)
    if not access.scope.unlimited:
        raise PermissionError("A rollback removes every ward's and agency's rows of a file, so "
                              "only someone who may see all of them can roll one back.")


def rollback_plan(extract_ids: Sequence[int]) -> ingest.RollbackPlan:
    """ingest.rollback_plan, for a role that may roll back: exactly what would go, and why not."""
    _may_roll_back(state.current_access())
    return ingest.rollback_plan(state.store(), extract_ids)


def rollback(extract_ids: Sequence[int], who: str,
             expected: dict[str, int] | None = None) -> dict[str, int]:
    """ingest.rollback of one or several extracts in one step, for a role that may roll back,
    audited; anything unforeseen becomes an IngestError (nothing was removed)."""
    access = state.current_access()
    _may_roll_back(access)
    what = extract_label(extract_ids)
    try:
        removed = ingest.rollback(state.store(), extract_ids, who, expected)
    except Exception as err:
        audit.record(state.store(), access, "rollback", what, f"failed: {err}")
        if isinstance(err, ingest.IngestError):
            raise
        # the analyst must see a message, whatever went wrong
        raise ingest.IngestError(f"The rollback failed, so nothing was removed "
                                 f"({type(err).__name__}).") from err
    audit.record(state.store(), access, "rollback", what,
                 f"removed {ingest.count_words(removed)}")
    return removed


def extract_label(extract_ids: int | Sequence[int]) -> str:
    """'extract 5', 'extracts 5 and 7', 'extracts 5 to 28' (a run), 'extracts 3, 5 and 9'."""
    ids = sorted({extract_ids} if isinstance(extract_ids, int) else set(extract_ids))
    if len(ids) == 1:
        return f"extract {ids[0]}"
    if len(ids) > 2 and ids[-1] - ids[0] == len(ids) - 1:
        return f"extracts {ids[0]} to {ids[-1]}"
    return "extracts " + ", ".join(map(str, ids[:-1])) + f" and {ids[-1]}"


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """The extract history with plain column names and UK dates."""
    out = history.assign(
        kind=history["kind"].map(lambda k: ingest.KINDS.get(k, k)),
        uploaded_at=history["uploaded_at"].dt.strftime("%-d %b %Y %H:%M"),
        uploaded_by=history["uploaded_by"].fillna("–"),
    )
    return out.rename(columns=HISTORY_COLUMNS)[list(HISTORY_COLUMNS.values())]


HISTORY_COLUMNS = {  # what matters most first: the table scrolls sideways on narrow screens
    "extract_id": "Extract", "file_name": "File", "kind": "Kind", "status": "Status",
    "rows_loaded": "Loaded", "rows_rejected": "Rejected", "rows_duplicate": "Duplicates",
    "rows_outside": "Outside area", "rows_no_location": "No location", "rows_read": "Read",
    "uploaded_at": "When (UTC)", "uploaded_by": "Loaded by"}
HISTORY_COUNTS = ["Read", "Loaded", "Rejected", "Duplicates", "Outside area", "No location"]
HISTORY_WIDTHS = {name: st.column_config.Column(width="small")
                  for name in ["Extract", *HISTORY_COUNTS, "Status"]}
