"""Presenter mode: the board's briefing as slides, in large type, in the board view, no controls."""

import streamlit as st

from analytics.board import briefing
from analytics.board import briefing_charts as bc
from analytics.governance.disclosure import PRESENTER_VIEW, view_name, view_rule
from ui import components, navigation, share, sidebar, state
from ui import markdown as md

if not navigation.presenting():  # opened by its own address: switch the mode on
    st.query_params[share.PRESENT_KEY] = "1"
    st.rerun()

ctx = state.context()
keys = briefing.SLIDE_ORDER
number = components.slide_number(st.query_params.get(share.SLIDE_KEY), len(keys))
if st.query_params.get(share.SLIDE_KEY) != str(number):
    st.query_params[share.SLIDE_KEY] = str(number)


def go_to(n: int) -> None:
    st.query_params[share.SLIDE_KEY] = str(n)


bar = st.container(horizontal=True, vertical_alignment="center")
demo = "Fictional demo data. " if ctx.facts.shows_demo else ""
bar.markdown(md.escape(f"Slide {number} of {len(keys)}. {demo}{view_name(ctx.view)}: "
                      f"{view_rule(ctx.view)}."))
bar.space("stretch")
bar.button("Previous", icon=":material/arrow_back:", key="previous", on_click=go_to,
           args=(number - 1,), disabled=number == 1)
bar.button("Next", icon=":material/arrow_forward:", key="next", type="primary", on_click=go_to,
           args=(number + 1,), disabled=number == len(keys))
if bar.button("Leave", icon=":material/close:", key="leave",
              help="Leave presenter mode, back to the dashboard with the same filters"):
    st.switch_page("pages/overview.py", query_params=share.leave_presenter())

section = state.compute(briefing.section, ctx.filters, key=keys[number - 1],
                        view=PRESENTER_VIEW)
if number == 1:  # a link the deck could not use says so, as the dashboard's sidebar does
    for notice in sidebar.link_notices():
        st.warning(md.escape(notice), icon=":material/link_off:")
title = briefing.slide_title(section.title, ctx.filters, ctx.ward_names)
st.title(md.escape(title))
if section.metrics:
    for column, (label, value, change) in zip(st.columns(len(section.metrics)), section.metrics,
                                              strict=True):
        components.slide_metric(column, label, value, change)
points = list(section.points or section.summary)
figure = section.slide_figure or (section.figures[0] if section.figures else None)
if figure is not None:
    words, picture = st.columns([2, 3], gap="large")
else:
    words, picture = st.container(), None
height, caption = bc.slide_height(bool(section.metrics), title), ctx.caption("Board view")
with words:
    for point in components.slide_points(points, beside_chart=picture is not None,
                                         room_px=height, caption=caption):
        st.markdown(md.escape(point))
    st.markdown(md.escape(caption))  # beside the chart, so the slide fits the screen
if picture is not None:
    picture.plotly_chart(bc.enlarge(figure, height),
                         width="stretch", config={"staticPlot": True}, key=f"slide-{number}")
