"""Data, for analysts: load partners' extracts, see what was rejected and why, roll a load back."""

import streamlit as st

from analytics.governance.access import Permission
from analytics.governance.disclosure import suppress_frame
from analytics.ingest import ingest, mapping, readers
from analytics.store.filters import uk_date
from ui import components, extracts, state, upload
from ui import markdown as md

DETAILED_FILES = 3  # more files than this: each file's details start folded unless it has problems

ctx = state.context()
analyst = state.may(Permission.UPLOAD)  # enforced again where ui.upload writes
st.title("Data")
components.banner(ctx)
st.write("Bring in partners' extracts: each file is checked and summarised before anything is "
         "written, loads in one step, and can be rolled back.")

if done := st.session_state.pop(extracts.DONE, None):
    st.success(md.escape(done), icon=":material/check_circle:")
if failed := st.session_state.pop(extracts.FAILED, None):
    st.error(md.escape(failed), icon=":material/error:")

st.header("Load new extracts")
if not analyst:
    st.info("Uploading and rolling back extracts is for analysts: choose the Analyst view in the "
            "sidebar.", icon=":material/lock:")
else:
    st.caption("Incidents (our template), contexts registers, interventions, police.uk street "
               "crime and stop and search (several months at once), ward and LSOA boundaries "
               "(GeoJSON), the LSOA-to-ward lookup, the IMD and residents by ward or LSOA "
               "(for rates). Any other file: choose what it "
               "holds and match its columns. Load boundaries on their own, before the data "
               "that uses them.")
    who = st.text_input("Your name or initials (recorded with every load and rollback)",
                        key="loaded_by")
    round_ = st.session_state.setdefault("_upload_round", 0)
    files = st.file_uploader("Files to load", accept_multiple_files=True,
                             type=[s.lstrip(".") for s in readers.SUFFIXES],
                             key=f"uploads-{round_}")
    upload.saved_mappings()
    checked = []
    for number, file in enumerate(files or []):
        key = f"{round_}-{number}-{file.file_id}"
        with st.container(border=True):
            staged = upload.check(file, key, upload.sheet_picker(file, key))
            upload.headline(staged)
            few = len(files) <= DETAILED_FILES
            with st.expander("Details", expanded=few or upload.needs_attention(staged)):
                upload.choose_kind(staged, key)
                upload.mapping_step(staged, key)
                upload.summary(staged, key)
        checked.append(staged)
    if checked:
        ready = [s for s in checked if s.ok and s.counts.valid]
        rows = sum(s.counts.valid for s in ready)
        blocked = len(checked) - len(ready)
        st.markdown(f"**Ready to load:** {rows:,} rows from {len(ready)} file"
                    f"{'s' * (len(ready) != 1)}"
                    + (f" ({blocked:,} cannot be loaded)" if blocked else "")
                    + ". Rejected rows are kept with their reasons and can be downloaded "
                    "afterwards.")
        remove_demo = upload.demo_choice(ready)
        if not who.strip():
            st.caption("Give your name or initials at the top of this section to load.")
        if st.button(f"Load {len(ready)} file{'s' * (len(ready) != 1)}", type="primary",
                     disabled=not ready or not who.strip(), icon=":material/upload:"):
            with st.status("Loading…", expanded=True) as status:
                try:
                    ids = upload.commit(ready, who, remove_demo)
                except ingest.IngestError as err:
                    status.update(label="Nothing was loaded", state="error")
                    st.error(md.escape(err), icon=":material/error:")
                    st.session_state.pop("_checked", None)
                else:
                    status.update(label="Loaded", state="complete")
                    together = " (one load: it rolls back in one step)" if len(ids) > 1 else ""
                    st.session_state[extracts.DONE] = (
                        f"Loaded {rows:,} row{'s' * (rows != 1)} from {len(ids)} file"
                        f"{'s' * (len(ids) != 1)} as {upload.extract_label(ids)}{together}. "
                        "Every page now shows the new data.")
                    st.session_state["_upload_round"] = round_ + 1
                    st.session_state["history_extract"] = ids[-1]  # show the new load below
                    st.session_state.pop("_checked", None)
                    st.rerun()

st.header("Our template for incidents")
st.write("Partners can send incidents in this layout: one row per incident, several risk types "
         "or young people separated by ';', pseudonymous ids only (never names, dates of birth "
         "or addresses).")
left, right = st.columns(2)
left.download_button("Download the template (CSV)", mapping.template_csv,
                     file_name="incidents-template.csv", mime="text/csv",
                     icon=":material/download:")
right.download_button("Download the data dictionary (CSV)", mapping.dictionary_csv,
                      file_name="incidents-data-dictionary.csv", mime="text/csv",
                      icon=":material/download:")
with st.expander("Read the data dictionary"):
    st.dataframe(mapping.data_dictionary(), hide_index=True, width="stretch")

st.header("Extract history")
history = state.compute(ingest.history)
if history.empty:
    st.write("Nothing has been loaded yet.")
    st.stop()
latest = history.iloc[0]
st.write(md.escape(f"{len(history):,} extract{'s' * (len(history) != 1)}, the latest "
                   f"{uk_date(latest['uploaded_at'].date())} ({latest['file_name']}). The "
                   "fictional demo borough is itself an extract: once real data is in, roll it "
                   "back to remove the demo data."))
table = suppress_frame(upload.history_table(history), upload.HISTORY_COUNTS, ctx.view)
if not state.current_access().scope.unlimited:
    # A whole file's counts cover data outside this user's wards or agencies.
    table = table.drop(columns=upload.HISTORY_COUNTS)
st.dataframe(table, hide_index=True, width="stretch", column_config=upload.HISTORY_WIDTHS)
if not analyst:
    st.stop()

st.subheader("Check or roll back an extract")
ids = history["extract_id"].tolist()
names = dict(zip(ids, history["file_name"], strict=True))  # no status: the label must not change
chosen = st.selectbox("Extract", ids, format_func=lambda i: f"{i}: {names[i]}",
                      key="history_extract")
extracts.rollback_step(history, chosen, st.session_state.get("loaded_by", ""))
extracts.rows_to_check(history.set_index("extract_id").loc[chosen], chosen)
