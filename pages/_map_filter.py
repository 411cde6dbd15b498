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

_COMPONENT = components.declare_component("map_filter", path=str(Path(__file__).parent / "map_filter"))


def send_map_filter(fmap: folium.Map, payload: dict, *, key: str) -> None:
    """Show only what ``payload`` (:func:`hotspots.maps.filter_payload`) chooses in ``fmap``, once drawn."""
    _COMPONENT(filter=payload, map=map_token(fmap), key=key, default=None)
