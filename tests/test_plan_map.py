"""The planning map's HTML: popups of the proposed sites that need no jQuery, so nothing after them is lost.

folium's own ``Popup`` parses its content with jQuery's ``$``, which the app's offline
assets do not ship: in the browser the map's script stopped at the first proposed site
("$ is not defined"), so its popup and everything drawn after it were missing.
"""

from __future__ import annotations

import re

import folium
import pytest

from hotspots.analysis import choose_sites, plan_problem
from hotspots.formats import load_geodata_layer
from hotspots.maps import build_plan_map
from hotspots.maps.elements import HtmlPopup
from hotspots.schema import LAYERS

JQUERY_CALL = re.compile(r"(?<![\w$])\$(\(|\.\w)")


@pytest.fixture(scope="module")
def plan_html() -> str:
    layers = {name: load_geodata_layer(name) for name in LAYERS}
    plan = choose_sites(plan_problem(layers, kind="swim", radius_m=2_000), k=3)
    fmap = build_plan_map(plan, layers, kind="swim", radius_m=2_000, lang="vi")
    return fmap.get_root().render()


def test_the_planning_map_calls_no_jquery(plan_html):
    assert not JQUERY_CALL.findall(plan_html)


def test_each_proposed_site_binds_its_popup_with_what_it_covers(plan_html):
    # One popup of ready-made HTML per proposed site (the venues' GeoJSON popups are functions).
    assert len(re.findall(r'\.bindPopup\(\s*"', plan_html)) == 3


def test_the_check_finds_folium_s_own_popup():
    """The pattern is not blind: folium's jQuery popup is caught, ours is not."""
    fmap = folium.Map()
    folium.Marker([21.0, 107.0], popup=folium.Popup("<b>x</b>")).add_to(fmap)
    assert JQUERY_CALL.findall(fmap.get_root().render())
    fmap = folium.Map()
    marker = folium.Marker([21.0, 107.0]).add_to(fmap)
    HtmlPopup("<b>x</b> ${not a template} $5").add_to(marker)
    rendered = fmap.get_root().render()
    assert not JQUERY_CALL.findall(rendered)
    assert re.search(r'\.bindPopup\(\s*"(\\u003cb\\u003e|<b>)x', rendered)
