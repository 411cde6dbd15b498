"""A cached folium map shown by the ``st_folium`` component, prepared once instead of on every rerun.

``st_folium`` turns the map it is given into the component's strings (the Leaflet script, the
header, the page's HTML, the asset links) on every script run, and rewrites the map while doing
so; a map from ``st.cache_resource`` serves every session, so the page used to hand it a deep
copy each time. On the sample's 891 points that was about 0.9 s of every rerun (copy 0.4 s,
render 0.4 s, strings 0.1 s), whatever the user changed, and it grows with the points.

Here the strings are made once per cached map, from one copy, and kept on the map object; each
rerun passes them to the same component ``st_folium`` calls (``streamlit_folium._component_func``,
of the pinned ``streamlit-folium`` release), with the same arguments ``st_folium`` would give.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from typing import Any

import branca.colormap
import folium
import streamlit as st
import streamlit_folium

from hotspots.maps.assets import walk_elements

_ATTRIBUTE = "_hotspots_prepared"
_LOCK = threading.Lock()
# What st_folium adds for a colour map (none of ours has one; kept so any folium map shows right).
_D3 = ("https://d3js.org/d3.v4.min.js", "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js")


@dataclass
class PreparedMap:
    """The component's strings of one map, made once; the component's key per widget key."""

    script: str
    header: str
    html: str
    map_id: str
    css_links: list[str]
    js_links: list[str]
    bounds: dict[str, dict[str, float | None]]
    zoom: Any
    hashes: dict[str | None, str] = field(default_factory=dict)

    def component_key(self, key: str | None) -> str:
        """The key ``st_folium`` gives the component: a hash of the script and the widget key."""
        if key not in self.hashes:
            self.hashes[key] = streamlit_folium.generate_js_hash(self.script, key, False)
        return self.hashes[key]


def prepared(fmap: folium.Map) -> PreparedMap:
    """Return the component's strings of ``fmap``, made on the first call (from a copy) and kept on it."""
    with _LOCK:
        ready = getattr(fmap, _ATTRIBUTE, None)
        if ready is None:
            ready = _prepare(copy.deepcopy(fmap))
            setattr(fmap, _ATTRIBUTE, ready)
    return ready


def show_prepared(
    fmap: folium.Map, *, key: str, height: int, returned_objects: tuple[str, ...] = ()
) -> dict | None:
    """Show ``fmap`` as ``st_folium(fmap, key=, height=, use_container_width=True, ...)`` would."""
    ready = prepared(fmap)
    component_key = ready.component_key(key)
    defaults: dict[str, Any] = {name: None for name in returned_objects}
    if "bounds" in defaults:
        defaults["bounds"] = ready.bounds
    if "zoom" in defaults:
        defaults["zoom"] = ready.zoom

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(component_key, {})

    return streamlit_folium._component_func(
        script=ready.script,
        header=ready.header,
        html=ready.html,
        id=ready.map_id,
        key=component_key,
        height=height,
        width=None,
        returned_objects=list(returned_objects),
        default=defaults,
        zoom=None,
        center=None,
        feature_group=None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=ready.css_links,
        js_links=ready.js_links,
        on_change=on_change,
        wrap_longitude=False,
    )


def _prepare(fmap: folium.Map) -> PreparedMap:
    """Make the strings as ``st_folium`` does, in its order (its map string rewrites the map)."""
    fmap.render()
    html = streamlit_folium._get_html(fmap)
    header = streamlit_folium._get_header(fmap)
    script = streamlit_folium._get_map_string(fmap)
    css_links: list[str] = []
    js_links: list[str] = []
    for element in walk_elements(fmap):
        if isinstance(element, branca.colormap.ColorMap):
            js_links[:0] = list(_D3)
        css_links.extend(href for _, href in getattr(element, "default_css", []))
        js_links.extend(src for _, src in getattr(element, "default_js", []))
    (south, west), (north, east) = fmap.get_bounds()
    return PreparedMap(
        script=script,
        header=header,
        html=html,
        map_id=streamlit_folium.get_full_id(fmap),
        css_links=list(dict.fromkeys(css_links)),
        js_links=list(dict.fromkeys(js_links)),
        bounds={"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}},
        zoom=fmap.options.get("zoom"),
    )
