"""The Places map's controls: what colours the map, where hot spots are looked for, and which
layers are drawn, each bound to the address (ui.share) so a shared link reopens the same map."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from analytics.store.sources import Source
from ui import markdown as md
from ui import share

ON_OFF = (False, True)


@dataclass(frozen=True)
class MapChoices:
    """What the reader chose: the colouring, the hot spots' unit and the layers switched on."""

    colour_by: str
    unit: str
    spots: bool
    places: bool
    interventions: bool
    crime: bool
    deprivation: bool


def choose(src: Source, *, lsoas: bool, has_crime: bool, has_deciles: bool) -> MapChoices:
    """The controls above the map, in two columns; `lsoas` adds LSOAs where their boundaries
    are loaded, and a layer with nothing loaded behind it is offered but switched off."""
    nouns = src.nouns
    colour_by = {"density": "Density (hexagons)", "incidents": f"{nouns.capitalize()} by ward",
                 "rate": f"Rate per 1,000 {src.population}"}
    units = {"ward": "Wards", "cell": "Hexagon cells"}
    if lsoas:
        colour_by["lsoa"] = f"{nouns.capitalize()} by LSOA"
        units = {"ward": "Wards", "lsoa": "LSOAs", "cell": "Hexagon cells"}
    left, right = st.columns([3, 2])
    colour = left.radio("Colour the map by", list(colour_by), format_func=colour_by.get,
                        horizontal=True,
                        key=share.bind("colour", "places_colour", list(colour_by), "density"))
    unit = left.radio("Look for hot spots among", list(units), horizontal=True,
                      format_func=units.get,
                      key=share.bind("spots_in", "places_unit", list(units), "ward"))
    with right:
        spots = st.toggle("Hot and cold spots",
                          key=share.bind("spots", "places_spots", ON_OFF, True))
        places = st.toggle(md.escape(f"Places, sized by {nouns}"),
                           key=share.bind("places", "places_points", ON_OFF, True))
        actions = st.toggle("Interventions (◆)",
                            key=share.bind("actions", "places_actions", ON_OFF, True),
                            help="Places with an intervention running at some time in the "
                                 "period; point at a ◆ for what is being done.")
        crime = False if src.police else st.toggle(
            "Street crime (police.uk)", disabled=not has_crime,
            key=share.bind("crime", "places_crime", ON_OFF, False),
            help=None if has_crime else
            "No police.uk street crime has been loaded yet (Data page).")
        deprivation = st.toggle("Deprivation (IMD deciles)", disabled=not has_deciles,
                                key=share.bind("deprivation", "places_imd", ON_OFF, False),
                                help=None if has_deciles else
                                "No LSOA boundaries with deprivation deciles have been loaded "
                                "yet.")
    return MapChoices(colour_by=colour, unit=unit, spots=spots, places=places,
                      interventions=actions, crime=crime and has_crime,
                      deprivation=deprivation and has_deciles)
