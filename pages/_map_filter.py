"""Send a filter to the map already drawn on the page, without sending the map again.

A map's component arguments never change with a filter: Streamlit then sends the map
as a reference to the message the browser already holds, not again (10 MB at 100,000
points). The filter travels in this small component with no face (``map_filter/index.html``),
which hands it to ``hsMap.applyFilter`` in the map it was made for (``hsMap.token``).
"""

from __future__ import annotations

from pathlib import Path

import folium
import streamlit.components.v1 as components

from hotspots.maps import map_token
from pages._folium import prepared

_COMPONENT = components.declare_component("map_filter", path=str(Path(__file__).parent / "map_filter"))


def send_map_filter(fmap: folium.Map, payload: dict, *, key: str, map_key: str) -> None:
    """Show only what ``payload`` (:func:`hotspots.maps.filter_payload`) chooses in ``fmap``, once drawn.

    ``map_key`` is the key ``fmap`` was shown with: a map drawn anew (another basemap, the heat map)
    has another component key, so the filter is handed to the new map too, even with the same points.
    """
    _COMPONENT(
        filter=payload,
        map=map_token(fmap),
        map_key=prepared(fmap).component_key(map_key),
        key=key,
        default=None,
    )
