"""The floor: the least a Streamlit dashboard can be, measured by `python -m bench.browser
--floor` beside ours, so the browser figures say what Streamlit, Plotly and deck.gl cost on this
machine before any of our work (start-up, a first chart, a first map, a page switch).

Two pages reached from sidebar links, as ours are, and a Period box: an Overview with a title,
a metric and one Plotly chart, and Places with a 500-point deck.gl map. No data is read.
"""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st

PERIODS = {"Last 12 months": 12, "Last 24 months": 24, "Last 6 months": 6}


def months() -> int:
    """The months the Period box chooses (what a filter change changes)."""
    return PERIODS[st.session_state.get("period", "Last 12 months")]


def overview() -> None:
    """A title, a metric and one Plotly chart."""
    st.title("Overview")
    st.metric("Incidents", f"{months() * 400:,}")
    st.plotly_chart(go.Figure(go.Scatter(x=list(range(months())),
                                         y=np.random.default_rng(months()).poisson(400, months()))))


def places() -> None:
    """A title and a 500-point deck.gl map."""
    st.title("Places")
    rng = np.random.default_rng(months())
    points = pd.DataFrame({"lat": 51.5 + rng.normal(0, 0.01, 500),
                           "lon": -0.1 + rng.normal(0, 0.01, 500)})
    st.pydeck_chart(pdk.Deck(
        layers=[pdk.Layer("ScatterplotLayer", points, get_position="[lon, lat]", get_radius=30,
                          get_fill_color=[18, 67, 109], pickable=True)],
        initial_view_state=pdk.ViewState(latitude=51.5, longitude=-0.1, zoom=12),
        map_style=None), height=620)


pages = [st.Page(overview, title="Overview", default=True),
         st.Page(places, title="Places", url_path="places")]
page = st.navigation(pages, position="hidden")
with st.sidebar:
    for target in pages:
        st.page_link(target)
    st.selectbox("Period", list(PERIODS), key="period")
page.run()
