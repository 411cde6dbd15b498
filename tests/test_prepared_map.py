"""The map component gets from a prepared map exactly what ``st_folium`` would give it, made once.

``pages._folium`` keeps the component's strings on a cached map so that a rerun does not copy and
render the whole map again; these tests hold it to ``st_folium``'s own arguments, for the app's
maps and for a plain folium map, so an upgrade of streamlit-folium that changes them is caught.
"""

from __future__ import annotations

import copy

import folium
import pytest
import streamlit_folium

from hotspots.analysis import choose_sites, plan_problem
from hotspots.formats import load_geodata_layer
from hotspots.maps import build_plan_map
from hotspots.schema import LAYERS
from pages import _folium


@pytest.fixture
def calls(monkeypatch):
    """Every call of the component, by keyword (its ``on_change`` left out: a new closure each time)."""
    seen: list[dict] = []

    def component(**kwargs):
        kwargs.pop("on_change")
        seen.append(kwargs)
        return {"last_clicked": None}

    monkeypatch.setattr(streamlit_folium, "_component_func", component)
    return seen


def plain_map() -> folium.Map:
    fmap = folium.Map(location=[21.0, 107.2], zoom_start=9)
    folium.Marker([21.0, 107.1], tooltip="Bến đò").add_to(fmap)
    folium.GeoJson({"type": "Point", "coordinates": [107.3, 21.1]}).add_to(fmap)
    fmap.get_root().render()
    return fmap


@pytest.fixture(scope="module")
def plan_map() -> folium.Map:
    layers = {name: load_geodata_layer(name) for name in LAYERS}
    plan = choose_sites(plan_problem(layers, kind="swim", radius_m=2_000), k=3)
    fmap = build_plan_map(plan, layers, kind="swim", radius_m=2_000, lang="vi")
    fmap.get_root().render()
    return fmap


@pytest.mark.parametrize("returned", [(), ("last_clicked",), ("last_clicked", "bounds", "zoom")])
@pytest.mark.parametrize("which", ["plain", "plan"])
def test_the_component_gets_what_st_folium_gives_it(calls, request, which, returned):
    fmap = plain_map() if which == "plain" else request.getfixturevalue("plan_map")
    streamlit_folium.st_folium(
        copy.deepcopy(fmap),
        key="the_map",
        height=420,
        use_container_width=True,
        returned_objects=list(returned),
        render=False,
    )
    answer = _folium.show_prepared(fmap, key="the_map", height=420, returned_objects=returned)
    expected, got = calls
    assert got == expected
    assert answer == {"last_clicked": None}


def test_the_strings_are_made_once_and_the_cached_map_is_left_as_it_was(calls, monkeypatch):
    fmap = plain_map()
    # Rendering a figure again adds to its scripts: compare renders of copies of its state.
    before = copy.deepcopy(fmap).get_root().render()
    made = []
    real = _folium._prepare
    monkeypatch.setattr(_folium, "_prepare", lambda m: made.append(1) or real(m))
    for key in ("a", "b", "a"):
        _folium.show_prepared(fmap, key=key, height=300)
    assert made == [1]
    assert copy.deepcopy(fmap).get_root().render() == before
    assert calls[0]["script"] == calls[1]["script"] == calls[2]["script"]
    assert calls[0]["key"] == calls[2]["key"] != calls[1]["key"]
