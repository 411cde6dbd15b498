"""Filters sent to the map already drawn (``hotspots.maps.filtering``): bits per layer, and the focus."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotspots.analysis import coverage_table, default_statuses, select_points
from hotspots.errors import HotspotsError
from hotspots.maps import (
    BlackSpotLayer,
    PendingPointLayer,
    RiskPointCluster,
    bit_set,
    build_map,
    filter_payload,
    filter_script,
)
from hotspots.maps.layers import focus_bounds
from hotspots.maps.points import point_layers
from hotspots.maps.style import FOCUS_STYLE
from tests import map_fixtures as fx


def _decode(bits: str | None, count: int) -> np.ndarray:
    """The rows a bit set chooses, read as the browser reads it (bit i of byte i >> 3)."""
    if bits is None:
        return np.ones(count, dtype=bool)
    data = base64.b64decode(bits)
    return np.array([bool(data[i >> 3] & (1 << (i & 7))) for i in range(count)], dtype=bool)


def _table():
    layers = fx.layers()
    return coverage_table(layers["risk_points"], layers["swim_classes"], layers["rescue_trainings"]), layers


@given(st.lists(st.booleans(), max_size=200))
def test_a_bit_set_reads_back_as_the_rows_it_chose(chosen):
    selected = np.array(chosen, dtype=bool)
    bits = bit_set(selected)
    assert (bits is None) == bool(selected.all())
    assert _decode(bits, len(selected)).tolist() == chosen
    if bits is not None:  # one bit per row, nothing more
        assert len(base64.b64decode(bits)) == (len(chosen) + 7) // 8


def test_each_point_is_in_exactly_one_layer_and_pending_black_spots_are_pending():
    table, _layers = _table()
    table.loc[table["point_id"] == "QN-6", "risk_level"] = "black_spot"  # QN-6 awaits review
    layers = point_layers(table)
    stacked = np.vstack([layers["cluster"], layers["black_spots"], layers["pending"]]).astype(int)
    assert (stacked.sum(axis=0) == 1).all()
    pending = table["point_id"][layers["pending"]].tolist()
    assert pending == ["QN-6"]
    assert "QN-6" not in table["point_id"][layers["black_spots"]].tolist()


def test_the_layers_of_the_filter_are_the_layers_of_the_map():
    table, layers = _table()
    fmap = build_map(table, layers, lang="vi", swim_radius_m=3000, rescue_radius_m=2000)
    rows_of = point_layers(table)
    for kind, key in (
        (RiskPointCluster, "cluster"),
        (BlackSpotLayer, "black_spots"),
        (PendingPointLayer, "pending"),
    ):
        (element,) = [c for c in fmap._children.values() if isinstance(c, kind)]
        assert element.count == int(rows_of[key].sum())
        assert element.filter_key == key
        ids = [row[3] for row in json.loads(element.rows_json)]
        assert ids == table["point_id"][rows_of[key]].tolist()


@pytest.mark.parametrize(
    "filters",
    [
        {"statuses": default_statuses()},
        {"statuses": ()},
        {"commune_ids": ("CM-2",), "statuses": default_statuses()},
        {"risk_levels": ("black_spot",)},
        {"statuses": ("pending",)},
        {"commune_ids": ("CM-9",)},
    ],
)
def test_the_bits_of_every_layer_choose_exactly_the_filtered_points(filters):
    table, layers = _table()
    shown = table.index.isin(select_points(table, **filters).index)
    payload = filter_payload(table, shown, layers)
    rows_of = point_layers(table)
    rows_of["heat"] = ~rows_of["pending"]
    rebuilt = np.zeros(len(table), dtype=bool)
    for key, rows in rows_of.items():
        chosen = _decode(payload["layers"][key], int(rows.sum()))
        assert chosen.tolist() == shown[rows].tolist(), key
        if key != "heat":
            rebuilt[np.flatnonzero(rows)[chosen]] = True
    assert rebuilt.tolist() == shown.tolist()


def test_every_point_shown_sends_no_bits_at_all():
    table, layers = _table()
    payload = filter_payload(table, np.ones(len(table), dtype=bool), layers)
    assert payload["layers"] == {"cluster": None, "black_spots": None, "pending": None, "heat": None}
    assert payload["view"]["key"] == ""
    assert payload["view"]["outline"] is None


def test_a_chosen_commune_is_outlined_and_zoomed_to():
    table, layers = _table()
    shown = (table["commune_id"] == "CM-2").to_numpy()
    view = filter_payload(table, shown, layers, focus_commune_id="CM-2")["view"]
    assert view["key"] == "CM-2"
    assert view["bounds"] == focus_bounds(layers["communes"], "CM-2")
    assert len(view["outline"]["features"]) == 1
    assert view["style"] == FOCUS_STYLE
    whole = filter_payload(table, shown, layers)["view"]
    assert whole["bounds"] != view["bounds"]


def test_a_wrong_filter_is_refused_with_a_coded_error():
    table, layers = _table()
    with pytest.raises(HotspotsError, match="must match one to one"):
        filter_payload(table, np.ones(len(table) + 1, dtype=bool), layers)
    with pytest.raises(HotspotsError, match="CM-99"):
        filter_payload(table, np.ones(len(table), dtype=bool), layers, focus_commune_id="CM-99")


def test_the_script_cannot_close_the_page_script_it_runs_in():
    table, layers = _table()
    communes = layers["communes"].copy()
    communes.loc[communes["commune_id"] == "CM-2", "commune_id"] = "</script><img src=x>"
    script = filter_script(
        table,
        np.ones(len(table), dtype=bool),
        {**layers, "communes": communes},
        focus_commune_id="</script><img src=x>",
    )
    assert "<" not in script
    assert re.fullmatch(r"hsMap\.applyFilter\(\{.*\}\);", script, re.DOTALL)
    payload = json.loads(script[len("hsMap.applyFilter(") : -2])
    assert payload["view"]["key"] == "</script><img src=x>"


def test_the_heat_map_registers_for_filters_in_the_page_and_in_the_component():
    import streamlit_folium

    table, layers = _table()
    fmap = build_map(table, layers, lang="vi", swim_radius_m=3000, rescue_radius_m=2000, heatmap=True)
    # Both ways a map reaches a browser: the rendered page, and the script st_folium makes of it.
    for script in (fmap.get_root().render(), streamlit_folium._get_map_string(fmap)):
        for key in ("cluster", "black_spots", "pending", "heat"):
            assert f'hsMap.filterable("{key}"' in script, key
        assert script.index("L.heatLayer(") < script.index('hsMap.filterable("heat"')


def test_a_filter_names_the_map_it_is_for():
    import folium

    from hotspots.maps import map_token

    table, layers = _table()
    first, again = (
        build_map(table, layers, lang="vi", swim_radius_m=3000, rescue_radius_m=2000) for _ in range(2)
    )
    # The same points: the same token (a map rebuilt on every rerun keeps its script, so its iframe).
    assert map_token(first) == map_token(again)
    assert f'token: "{map_token(first)}"' in first.get_root().render()
    fewer = build_map(table.iloc[1:], layers, lang="vi", swim_radius_m=3000, rescue_radius_m=2000)
    english = build_map(table, layers, lang="en", swim_radius_m=3000, rescue_radius_m=2000)
    assert len({map_token(first), map_token(fewer), map_token(english)}) == 3
    with pytest.raises(HotspotsError, match="no point layers"):
        map_token(folium.Map())


def test_the_map_and_its_filter_leave_the_frames_they_are_given_as_they_were():
    # The map page hands both the shared, uncopied cached frames (pages._common.shared_layers).
    table, layers = _table()
    before_table, before_layers = table.copy(), {name: frame.copy() for name, frame in layers.items()}
    build_map(
        table, layers, lang="vi", swim_radius_m=3000, rescue_radius_m=2000, heatmap=True
    ).get_root().render()
    filter_payload(table, (table["commune_id"] == "CM-2").to_numpy(), layers, focus_commune_id="CM-2")
    pd.testing.assert_frame_equal(table, before_table)
    assert list(layers) == list(before_layers)
    for name, frame in layers.items():
        pd.testing.assert_frame_equal(frame, before_layers[name])
