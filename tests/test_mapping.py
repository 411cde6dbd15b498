"""The folium map (layers, counts, escaping, offline assets) and the asset fetcher."""

import io
import json
import math
import re
import sys
import tarfile
import textwrap

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pytest
import shapely
from folium.map import Layer
from shapely.geometry import shape

from hotspots.analysis import coverage_table
from hotspots.config import GEODATA_DIR, METRIC_CRS, WGS84
from hotspots.errors import HotspotsError
from hotspots.i18n import t
from hotspots.maps import (
    REACH_QUAD_SEGS,
    BlackSpotLayer,
    Legend,
    PendingPointLayer,
    PlaceLabels,
    PointRows,
    RiskPointCluster,
    assets,
    build_map,
)
from tests import map_fixtures as fx

LAYER_KEYS = (
    "layer.risk_points",
    "layer.black_spots",
    "layer.swim_classes",
    "layer.rescue_trainings",
    "layer.communes",
    "layer.no_play_space",
    "layer.play_spaces",
    "layer.water",
    "layer.province",
)
SRC_OR_HREF = re.compile(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"')


def _build(lang="vi", table=None, layers=None, **options):
    layers = layers if layers is not None else fx.layers()
    if table is None:
        table = coverage_table(layers["risk_points"], layers["swim_classes"], layers["rescue_trainings"])
    options = {"swim_radius_m": 3000, "rescue_radius_m": 2000, **options}
    return build_map(table, layers, lang=lang, **options)


def _rendered_text(fmap):
    """The rendered page with JSON's \\uXXXX escapes decoded, i.e. the strings the browser will see."""
    html = fmap.get_root().render()
    html = html.replace("\\/", "/")
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html)


def _layers_by_name(fmap):
    return {child.layer_name: child for child in fmap._children.values() if isinstance(child, Layer)}


def _only(fmap, kind):
    (element,) = [child for child in fmap._children.values() if isinstance(child, kind)]
    return element


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_layer_is_on_the_map_by_its_translated_name(lang):
    names = _layers_by_name(_build(lang))
    for key in LAYER_KEYS:
        assert t(key, lang) in names
    assert any(name.startswith(t("layer.swim_coverage", lang, radius="")[:10]) for name in names)


def _ids(layer):
    return sorted(row[PointRows.FIELDS.index("id")] for row in json.loads(layer.rows_json))


def test_points_are_split_between_cluster_black_spots_and_pending_reports():
    fmap = _build()
    cluster, black = _only(fmap, RiskPointCluster), _only(fmap, BlackSpotLayer)
    pending = _only(fmap, PendingPointLayer)
    assert (cluster.count, black.count, pending.count) == (3, 2, 1)
    assert _ids(cluster) == ["QN-1", "QN-2", "QN-3"]
    assert _ids(black) == ["QN-4", "QN-5"]
    # QN-6 is a field report awaiting review: drawn apart, never in the coverage cluster.
    assert _ids(pending) == ["QN-6"]
    assert pending.layer_name == "Điểm mới báo, chờ duyệt"


def test_the_map_is_fitted_first_and_the_cluster_is_on_the_map_before_it_gets_its_points():
    # What keeps 100,000 points fast in the browser (benchmarks/browser_map.py): see RiskPointCluster.
    fmap = _build(focus_commune_id="CM-2")
    html = fmap.get_root().render()
    name, cluster = fmap.get_name(), _only(fmap, RiskPointCluster).get_name()
    fit = re.search(
        rf'{name}\.fitBounds\(\s*\[\[20\.9, 107\.1\], \[21\.1, 107\.2\]\],\s*\{{"animate": false\}}', html
    )
    assert html.index(f"var {name} = L.map(") < fit.start() < html.index("L.geoJson(")
    assert html.count(f"{name}.fitBounds(") == 1
    script = re.search(rf"var {cluster} = \(function \(\) \{{(.*?)\}}\)\(\);", html, re.DOTALL).group(1)
    assert '"chunkedLoading": false' in script
    # On the map (through the layer control's group) before it gets its markers.
    assert script.index(f"var layer = L.layerGroup().addTo({name});") < script.index(
        "layer.addLayer(cluster);"
    )
    assert script.index("layer.addLayer(cluster);") < script.index("cluster.addLayers(markers);")
    assert "hsMap.pointPopups(cluster);" in script
    # The focus outline is still drawn, over the other areas.
    names = list(_layers_by_name(fmap))
    assert names.index(t("layer.focus", "vi")) > names.index(t("layer.communes", "vi"))


def _with_pending_black_spot():
    """The fixture table with QN-6 (pending) reported as a black spot."""
    layers = fx.layers()
    points = layers["risk_points"]
    points.loc[points["point_id"] == "QN-6", "risk_level"] = "black_spot"
    return coverage_table(points, layers["swim_classes"], layers["rescue_trainings"]), layers


def test_a_pending_black_spot_is_drawn_as_pending_never_as_a_black_spot():
    table, layers = _with_pending_black_spot()
    fmap = _build(table=table, layers=layers)
    black, pending = _only(fmap, BlackSpotLayer), _only(fmap, PendingPointLayer)
    assert _ids(black) == ["QN-4", "QN-5"]
    assert black.count == 2
    assert _ids(pending) == ["QN-6"]
    assert "QN-6" not in _ids(_only(fmap, RiskPointCluster))
    html = fmap.get_root().render()
    # Its own style: a hollow, dashed grey ring (hsMap.pending), not a coverage colour nor a diamond.
    script = re.search(rf"var {pending.get_name()} = \(function \(\) \{{(.*?)\}}\)\(\);", html, re.DOTALL)
    assert "return hsMap.pending(r, true);" in script.group(1)
    assert (
        'var PENDING = {"dash": "3 3", "fill": "#ffffff", "fill_opacity": 0.55, "radius": 7, '
        '"stroke": "#4d4d4d", "weight": 2}'
    ) in html
    assert "dashArray: PENDING.dash" in html


def test_pending_reports_do_not_change_the_headline_counts():
    table, layers = _with_pending_black_spot()
    reviewed = table[table["status"] != "pending"]
    with_pending, without = _build(table=table, layers=layers), _build(table=reviewed, layers=layers)
    for kind in (RiskPointCluster, BlackSpotLayer):
        assert _only(with_pending, kind).count == _only(without, kind).count
    assert not [c for c in without._children.values() if isinstance(c, PendingPointLayer)]


@pytest.mark.parametrize(
    ("lang", "text"), [("vi", "Chờ duyệt (điểm mới báo)"), ("en", "Pending review (new report)")]
)
def test_legend_has_the_pending_entry_when_reports_await_review(lang, text):
    entry = f'<div><span class="hs-sw hs-pending-sw"></span>{text}</div>'
    assert entry in _only(_build(lang), Legend).html
    table, layers = _with_pending_black_spot()
    reviewed = table[table["status"] != "pending"]
    assert entry not in _only(_build(lang, table=reviewed, layers=layers), Legend).html


def test_rows_carry_coverage_and_distances_in_whole_metres():
    table = coverage_table(fx.risk_points(), fx.swim_classes(), fx.rescue_trainings())
    rows = PointRows.from_table(table, communes=fx.communes(), lang="en")
    field = {name: i for i, name in enumerate(PointRows.FIELDS)}
    by_id = {row[field["id"]]: row for row in json.loads(rows.to_json(np.ones(len(table), dtype=bool)))}
    tables = rows.tables()

    def code(row, name):
        offset, width = PointRows.KIND_BITS[name]
        return (row[field["kind"]] >> offset) & ((1 << width) - 1)

    qn1 = by_id["QN-1"]
    assert tables["coverage"][code(qn1, "coverage")] == "Rescue training only"
    assert tables["water_type"][code(qn1, "water_type")] == "River"
    assert tables["status"][code(qn1, "status")] == "Active"
    assert tables["risk_level"][code(by_id["QN-4"], "risk_level")] == "Black spot"
    assert tables["rescue"][qn1[field["rescue"]]] == "Tập huấn cứu đuối Hà Lầm"
    assert qn1[field["rescue_m"]] == 111
    assert qn1[field["hazards"]] == 1 << 0  # deep_water, the first hazard of the schema
    hazards = by_id["QN-4"][field["hazards"]]
    assert [h for bit, h in enumerate(tables["hazard"]) if hazards & (1 << bit)] == [
        "Deep water",
        "Steep bank",
    ]
    assert tables["commune"][qn1[field["commune"]]] == "Phường Hồng Gai"
    # QN-6 has no commune_id: its commune is unknown in the popup (the summary places it by location).
    assert by_id["QN-6"][field["commune"]] == -1
    assert by_id["QN-3"][field["inspected"]] == -1
    assert tables["date"][qn1[field["inspected"]]] == "01 Mar 2025"
    lat, lon = qn1[field["lat"]], qn1[field["lon"]]
    assert (rows.origin[0] + lat / 1e5, rows.origin[1] + lon / 1e5) == pytest.approx((20.951, 107.05))
    assert rows.black_spot.tolist() == [False, False, False, True, True, False]
    assert rows.pending.tolist() == [False, False, False, False, False, True]


def test_popups_escape_every_text():
    html = _rendered_text(_build())
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Hồ" in html
    # A facility name with markup in it: escaped inside the popup and the tooltip.
    assert "Bãi Cháy &amp; &lt;b&gt;bạn&lt;/b&gt;" in html
    assert "<b>bạn</b>" not in html
    assert "<details open><summary>Chú giải</summary>" in html


def test_communes_without_play_space_are_flagged_with_a_permanent_label():
    flagged = _layers_by_name(_build())[t("layer.no_play_space", "vi")]
    (areas,) = [c for c in flagged._children.values() if isinstance(c, folium.GeoJson)]
    (labels,) = [c for c in flagged._children.values() if isinstance(c, PlaceLabels)]
    assert [f["properties"]["commune_id"] for f in areas.data["features"]] == ["CM-3"]
    ((lat, lon, text),) = labels.rows
    assert text == "Xã Quảng La<br><i>Chưa có điểm vui chơi</i>"
    assert 20.9 < lat < 21.1 and 107.2 < lon < 107.3


def test_legend_is_translated():
    assert "Chú giải" in _rendered_text(_build("vi"))
    english = _rendered_text(_build("en"))
    assert "Legend" in english
    assert "Black spot (special monitoring)" in english


@pytest.mark.parametrize(
    ("swim_m", "rescue_m", "swim_name", "rescue_name"),
    [
        (3000, 2000, "Swimming-class reach (3.0 km)", "Rescue-training reach (2.0 km)"),
        (1500, 2500, "Swimming-class reach (1.5 km)", "Rescue-training reach (2.5 km)"),
    ],
)
def test_reach_is_drawn_at_the_chosen_radius_measured_in_utm_48n(swim_m, rescue_m, swim_name, rescue_name):
    names = _layers_by_name(_build("en", swim_radius_m=swim_m, rescue_radius_m=rescue_m))
    for name, facilities, radius in (
        (swim_name, fx.swim_classes(), swim_m),
        (rescue_name, fx.rescue_trainings(), rescue_m),
    ):
        drawn = gpd.GeoSeries([shape(f["geometry"]) for f in names[name].plain_data["features"]], crs=WGS84)
        parts = shapely.get_parts(drawn.to_crs(METRIC_CRS).to_numpy())
        sites = list(facilities.to_crs(METRIC_CRS).geometry)
        # The two facilities are over 10 km apart: one circle around each, not merged.
        assert len(parts) == len(sites) == 2
        for part in parts:
            (site,) = [s for s in sites if part.contains(s)]
            ring = shapely.get_coordinates(part.exterior)
            assert len(ring) == 4 * REACH_QUAD_SEGS + 1  # not simplified away
            # Every vertex at the radius, up to the ~1 m rounding of the coordinates sent to the browser.
            assert np.hypot(ring[:, 0] - site.x, ring[:, 1] - site.y) == pytest.approx(radius, abs=1.0)
            assert part.exterior.distance(site) >= radius * math.cos(math.pi / (4 * REACH_QUAD_SEGS)) - 1.0
            assert part.area == pytest.approx(math.pi * radius**2, rel=2e-3)


def test_map_reads_without_tiles_and_offers_basemaps():
    fmap = _build(basemap="none")
    tiles = [child for child in fmap._children.values() if isinstance(child, folium.TileLayer)]
    assert len(tiles) == 2
    assert not any(tile.show for tile in tiles)
    osm = _build(basemap="osm")
    assert [tile.show for tile in osm._children.values() if isinstance(tile, folium.TileLayer)] == [
        True,
        False,
    ]


def test_unknown_basemap_is_rejected():
    with pytest.raises(HotspotsError, match="choose one of: none, osm, satellite"):
        _build(basemap="google")


def test_plugins_and_heatmap_toggle():
    def has(fmap, plugin):
        return any(isinstance(child, plugin) for child in fmap._children.values())

    with_heat = _build(heatmap=True)
    for plugin in (
        folium.plugins.Fullscreen,
        folium.plugins.MeasureControl,
        folium.plugins.LocateControl,
        folium.plugins.MiniMap,
        folium.plugins.HeatMap,
    ):
        assert has(with_heat, plugin), plugin
    assert "L.heatLayer" in with_heat.get_root().render()
    assert not has(_build(heatmap=False), folium.plugins.HeatMap)


def test_focus_zooms_to_the_commune():
    html = _build(focus_commune_id="CM-2").get_root().render()
    assert "fitBounds" in html
    assert "[[20.9, 107.1], [21.1, 107.2]]" in html
    with pytest.raises(HotspotsError, match="no commune 'CM-9'"):
        _build(focus_commune_id="CM-9")


def test_empty_selection_and_missing_layers_still_build():
    layers = {"risk_points": fx.risk_points()}
    table = coverage_table(
        fx.risk_points().iloc[:0], fx.swim_classes().iloc[:0], fx.rescue_trainings().iloc[:0]
    )
    fmap = _build(table=table, layers=layers)
    assert _only(fmap, RiskPointCluster).count == 0
    assert "hsMap" in fmap.get_root().render()


def test_local_assets_are_used_for_every_script_and_stylesheet():
    html = _build(asset_base_url="/app/static/vendor").get_root().render()
    urls = SRC_OR_HREF.findall(html)
    assert urls
    assert all(url.startswith("/app/static/vendor/") for url in urls), urls
    assert '"/app/static/vendor/leaflet@1.9.3/dist/images/"' in html


def test_without_local_assets_the_cdn_is_used_and_folium_classes_are_untouched():
    before = list(folium.Map.default_js)
    html = _build(asset_base_url=None).get_root().render()
    assert all(url.startswith(assets.CDN_URL) for url in SRC_OR_HREF.findall(html))
    assert folium.Map.default_js == before


def test_unknown_plugin_files_are_refused():
    fmap = folium.Map(tiles=None)
    folium.plugins.Draw().add_to(fmap)
    with pytest.raises(HotspotsError, match="Draw loads files"):
        assets.use_assets(fmap, base_url="/app/static/vendor")


# --- on the shipped sample ----------------------------------------------------------------

needs_sample = pytest.mark.skipif(
    not (GEODATA_DIR / "risk_points.geojson").exists(), reason="the shipped sample is not in geodata/"
)


@pytest.fixture(scope="module")
def sample_layers():
    import geopandas as gpd

    return {path.stem: gpd.read_file(path) for path in GEODATA_DIR.glob("*.geojson")}


@needs_sample
def test_sample_map_has_891_points_14_black_spots_and_9_flagged_communes(sample_layers):
    fmap = _build(layers=sample_layers)
    cluster, black = _only(fmap, RiskPointCluster), _only(fmap, BlackSpotLayer)
    assert cluster.count + black.count == 891
    assert black.count == 14
    names = _layers_by_name(fmap)
    assert len(names[t("layer.communes", "vi")].data["features"]) == 45
    flagged = names[t("layer.no_play_space", "vi")]
    (labels,) = [c for c in flagged._children.values() if isinstance(c, PlaceLabels)]
    assert len(labels.rows) == 9


# --- fetching the files from npm (with a stand-in for npm) ---------------------------------


def _fake_npm(tmp_path, *, drop=None):
    """A script that answers `npm pack NAME@VERSION` with a tarball holding every listed asset."""
    files = {
        package.spec: sorted(
            a.path for js, css in assets.ELEMENT_ASSETS.values() for a in (*js, *css) if a.package == package
        )
        for package in assets.PACKAGES
    }
    if drop:
        files[drop[0]].remove(drop[1])
    spec_file = tmp_path / "files.json"
    spec_file.write_text(json.dumps(files))
    script = tmp_path / "npm"
    script.write_text(
        textwrap.dedent(
            f"""\
            #!{sys.executable}
            import io, json, sys, tarfile
            from pathlib import Path
            spec, dest = sys.argv[2], Path(sys.argv[sys.argv.index("--pack-destination") + 1])
            name = spec.replace("@", "-").replace("/", "-").lstrip("-") + ".tgz"
            with tarfile.open(dest / name, "w:gz") as tar:
                extra = ["README.md", "src/x.js"]
                for path in json.loads(Path({str(spec_file)!r}).read_text())[spec] + extra:
                    data = b"/* " + path.encode() + b" */"
                    info = tarfile.TarInfo("package/" + path)
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
            print(name)
            """
        )
    )
    script.chmod(0o755)
    return str(script)


def test_fetch_unpacks_only_what_the_map_needs_and_is_idempotent(tmp_path):
    vendor = tmp_path / "vendor"
    npm = _fake_npm(tmp_path)
    assert assets.local_base_url(vendor) is None
    fetched = assets.fetch(vendor, npm=npm)
    assert len(fetched) == len(assets.PACKAGES)
    assert assets.missing_files(vendor) == []
    assert assets.local_base_url(vendor) == assets.STATIC_URL
    assert (vendor / "leaflet@1.9.3" / "dist" / "leaflet.js").is_file()
    assert not (vendor / "leaflet@1.9.3" / "src").exists()
    assert (vendor / "@fortawesome" / "fontawesome-free@6.2.0" / "css" / "all.min.css").is_file()
    assert assets.fetch(vendor, npm=npm) == []


def test_fetch_refuses_a_package_without_an_expected_file(tmp_path):
    npm = _fake_npm(tmp_path, drop=("leaflet@1.9.3", "dist/leaflet.css"))
    with pytest.raises(HotspotsError, match=r"leaflet@1\.9\.3 from npm lacks dist/leaflet\.css"):
        assets.fetch(tmp_path / "vendor", npm=npm)
    assert not (tmp_path / "vendor" / "leaflet@1.9.3").exists()


def test_fetch_without_npm_says_how_to_install_it(tmp_path):
    with pytest.raises(HotspotsError, match=r"install Node\.js and npm"):
        assets.fetch(tmp_path / "vendor", npm="no-such-npm-here")


def test_check_command_lists_missing_files(tmp_path, capsys):
    assert assets.main(["check", "--vendor-dir", str(tmp_path)]) == 1
    assert "leaflet.js" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("member", "refused"), [("package/../../evil.js", False), ("package/dist/../../evil.js", True)]
)
def test_unpack_never_writes_outside_the_destination(tmp_path, member, refused):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name in ("package/dist/leaflet.js", member):
            info = tarfile.TarInfo(name)
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
    tarball = tmp_path / "x.tgz"
    tarball.write_bytes(buffer.getvalue())
    destination = tmp_path / "a" / "b" / "out"
    if refused:
        with pytest.raises(tarfile.TarError):
            assets._unpack(tarball, assets.LEAFLET, destination)
    else:
        assets._unpack(tarball, assets.LEAFLET, destination)
        assert (destination / "dist" / "leaflet.js").is_file()
    assert not list(tmp_path.rglob("evil.js"))
