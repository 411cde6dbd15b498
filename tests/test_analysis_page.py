"""The Analysis page under AppTest (sample data), its map as a folium object, the sheets' download buttons."""

# The page fixtures come from test_pages; pytest passes them by name, which ruff reads as redefinition.
# ruff: noqa: F811

import folium
import folium.plugins
import geopandas as gpd
import pytest
from shapely.geometry import Point, box
from streamlit.testing.v1 import AppTest

import hotspots.maps
from hotspots.config import GEODATA_DIR
from hotspots.i18n import t
from hotspots.maps import CLASS_STYLES, HotspotLegend, build_hotspot_map
from pages._common import DATA_DIR_VARIABLE
from tests import map_fixtures as fx
from tests.test_pages import APP, downloads, fresh_store  # noqa: F401  (pytest fixtures)
from tests.test_sheets import page_count, pdf_text

TIMEOUT_S = 180
PAGE = "pages/analysis.py"
needs_sample = pytest.mark.skipif(
    not (GEODATA_DIR / "risk_points.geojson").exists(), reason="the shipped sample is not in geodata/"
)


@pytest.fixture
def built(monkeypatch):
    """The (support, units drawn, heat-layer points) of every map the page builds."""
    calls = []
    build = hotspots.maps.build_hotspot_map

    def counting(units, layers, **kwargs):
        fmap = build(units, layers, **kwargs)
        name = t("analysis.layer_units", kwargs["lang"])
        drawn = [g for g in fmap._children.values() if isinstance(g, folium.GeoJson) and g.layer_name == name]
        calls.append((kwargs["support"], len(drawn[0].data["features"]) if drawn else 0, len(kwargs["heat"])))
        return fmap

    monkeypatch.setattr(hotspots.maps, "build_hotspot_map", counting)
    return calls


def _captions(at):
    return [c.value for c in at.caption]


@needs_sample
@pytest.mark.slow
def test_the_analysis_page_on_the_sample(monkeypatch, built, downloads):
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert [title.value for title in at.title] == ["Phân tích điểm nóng nguy cơ"]
    (summary,) = at.info
    assert summary.value.startswith(
        "Có 1 cụm điểm nguy cơ có ý nghĩa thống kê sau khi hiệu chỉnh kiểm định bội: quanh Phường Hà Tu. "
        "Cụm này có 14 trong số 891 điểm nguy cơ và 1 trong số 14 điểm đen."
    )
    assert (
        "2.938 đơn vị, 2.936 đơn vị được kiểm định: 4 điểm nóng và 0 điểm lạnh ở tỷ lệ phát hiện sai 0,05."
        in (_captions(at))
    )
    assert (
        "2 ô lục giác không có ô liền kề (đảo nhỏ, điểm ngoài bờ biển) không được đưa vào kiểm định, "
        "thuộc: Đặc khu Cô Tô."
    ) in _captions(at)
    assert not [c for c in _captions(at) if "EPSG:32648" in c]
    # One sentence under each parameter says what it changes.
    sidebar_captions = [c.value for c in at.sidebar.caption]
    for key in ("analysis.support_help", "analysis.cell_size_help", "analysis.bandwidth_help"):
        assert t(key, "vi") in sidebar_captions
    assert "999 hoán vị" in at.expander[0].markdown[0].value
    clusters = at.dataframe[0].value
    assert clusters[["number", "communes", "points", "black"]].values.tolist() == [
        [1, "Phường Hà Tu, Phường Bãi Cháy", 14, 1]
    ]
    # The map: the significant hexagons only (and the two islands left out), and the heat layer.
    assert len(built) == 1
    support, units, heat = built[0]
    assert (support, units) == ("hexagons", 7)
    assert heat > 100
    # The province summary, made when asked for.
    assert at.get("download_button")[0].proto.label == "Báo cáo tổng hợp toàn tỉnh (PDF)"
    assert downloads("download_province_pdf").startswith(b"%PDF")

    # A new cell size reruns the test; the bandwidth only redraws the density.
    at.sidebar.slider(key="analysis_cell_size").set_value(2000).run()
    assert not at.exception, at.exception
    units_line = next(c for c in _captions(at) if "đơn vị được kiểm định" in c)
    assert not units_line.startswith("2.938 ")
    assert built[-1][0] == "hexagons"
    at.sidebar.slider(key="analysis_bandwidth").set_value(5000).run()
    assert built[-1][1] == built[-2][1] and built[-1][2] != built[-2][2]
    # Back to the first choice: the map built then is reused, not built again.
    count = len(built)
    at.sidebar.slider(key="analysis_cell_size").set_value(1000).run()
    at.sidebar.slider(key="analysis_bandwidth").set_value(2000).run()
    assert len(built) == count + 1  # (1000 m, 5000 m) is new; (1000 m, 2000 m) was built first

    # Communes: the test with permutations, every commune drawn, and the cell size left alone.
    at.sidebar.segmented_control(key="analysis_support").set_value("communes").run()
    assert not at.exception, at.exception
    assert at.sidebar.slider(key="analysis_cell_size").disabled
    assert at.info[0].value.startswith("Không có nhóm xã, phường nào")
    assert built[-1][:2] == ("communes", 45)

    at.sidebar.segmented_control(key="lang").set_value("en").run()
    assert [title.value for title in at.title] == ["Analysis: hot spots of risk points"]
    assert at.get("download_button")[0].proto.label == "Province summary (PDF)"


def test_the_page_with_too_few_communes_says_why_and_still_draws(tmp_path, monkeypatch, built, downloads):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(fx.write_geodata(tmp_path / "geodata")))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    # Five reviewed points in three communes: hexagons can be tested (nothing found), communes cannot.
    assert at.info[0].value == t("hotspot.summary.none_hexagons", "vi")
    at.sidebar.segmented_control(key="analysis_support").set_value("communes").run()
    assert not at.exception, at.exception
    assert not at.info
    (warning,) = at.warning
    assert warning.value.startswith("Không chạy được kiểm định điểm nóng: ")
    assert built[-1][:2] == ("communes", 0)
    assert downloads("download_province_pdf").startswith(b"%PDF")


def test_the_communes_page_offers_one_communes_sheet_and_all_sheets(tmp_path, monkeypatch, downloads):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(fx.write_geodata(tmp_path / "geodata")))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.switch_page("pages/communes.py").run()
    assert not at.exception, at.exception
    labels = {b.proto.label for b in at.get("download_button")}
    assert {
        "Phiếu hành động của xã, phường này (PDF)",
        "Phiếu hành động của tất cả xã, phường (PDF)",
    } <= labels
    one = downloads("download_sheet_commune")
    every = downloads("download_sheet_all")
    assert one.startswith(b"%PDF") and every.startswith(b"%PDF")
    assert page_count(one) == 1 and page_count(every) == 3
    assert pdf_text(one).startswith("Phiếu hành động – Xã Quảng La\n")
    at.selectbox(key="focus_commune").set_value("CM-1").run()
    assert pdf_text(downloads("download_sheet_commune")).startswith("Phiếu hành động – Phường Hồng Gai\n")


# ---------------------------------------------------------------- the map, as a folium object


def _units():
    return gpd.GeoDataFrame(
        {
            "cell_id": ["A", "B", "C", "D"],
            "commune_name": ["Xã <b>Một</b>", "Xã Hai", "Xã Ba", "Xã Bốn"],
            "risk_points": [9, 0, 1, 0],
            "black_spots": [1, 0, 0, 0],
            "value": [13.0, 0.0, 1.0, 0.0],
            "hotspot_class": ["hot_99", "cold_95", "not_significant", "not_tested"],
        },
        geometry=[box(107.0 + i / 10, 20.9, 107.1 + i / 10, 21.0) for i in range(4)],
        crs="EPSG:4326",
    )


def _layers():
    points = gpd.GeoDataFrame(
        {
            "point_id": ["QN-1", "QN-2"],
            "name": ["Hồ <script>x</script>", "Ao làng"],
            "risk_level": ["black_spot", "high"],
        },
        geometry=[Point(107.05, 20.95), Point(107.15, 20.95)],
        crs="EPSG:4326",
    )
    return {"province": fx.province(), "communes": fx.communes(), "risk_points": points}


def _children(fmap, kind):
    return [c for c in fmap._children.values() if isinstance(c, kind)]


def test_the_map_colours_each_unit_by_class_and_hides_clear_hexagons():
    fmap = build_hotspot_map(_units(), _layers(), lang="vi", heat=[[20.95, 107.05, 1.0]], support="hexagons")
    (units,) = [g for g in _children(fmap, folium.GeoJson) if g.layer_name == t("analysis.layer_units", "vi")]
    classes = [f["properties"]["hotspot_class"] for f in units.data["features"]]
    assert classes == ["hot_99", "cold_95", "not_tested"]
    styles = {f["properties"]["hotspot_class"]: units.style_function(f) for f in units.data["features"]}
    assert styles["hot_99"]["fillColor"] == CLASS_STYLES["hot_99"][0] == "#b2182b"
    assert styles["cold_95"]["fillColor"] == "#67a9cf"
    assert styles["not_tested"]["dashArray"] == "3 3"
    tooltip = units.data["features"][0]["properties"]["tooltip"]
    assert tooltip.startswith("<b>Điểm nóng, độ tin cậy 99 %</b><br>Xã &lt;b&gt;Một&lt;/b&gt;<br>")
    assert len(_children(fmap, folium.plugins.HeatMap)) == 1
    (legend,) = _children(fmap, HotspotLegend)
    assert "Điểm nóng Gi*" in legend.html and "Mật độ điểm nguy cơ" in legend.html


def test_the_map_draws_every_commune_and_the_black_spots_on_top():
    fmap = build_hotspot_map(_units(), _layers(), lang="en", support="communes")
    (units,) = [g for g in _children(fmap, folium.GeoJson) if g.layer_name == "Hot-spot test"]
    assert len(units.data["features"]) == 4
    assert not _children(fmap, folium.plugins.HeatMap)
    (black,) = [g for g in _children(fmap, folium.FeatureGroup) if g.layer_name == "Black spots"]
    markers = list(black._children.values())
    assert len(markers) == 1
    assert markers[0].location == [20.95, 107.05]
    page = fmap.get_root().render()
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    # Black spots come after the units: drawn on top.
    assert page.index("Black spots") > page.index("Hot-spot test")


def test_the_map_without_units_or_heat_still_builds():
    empty = _units().iloc[0:0]
    fmap = build_hotspot_map(empty, _layers(), lang="vi")
    assert not [g for g in _children(fmap, folium.GeoJson) if g.layer_name == t("analysis.layer_units", "vi")]
    assert len(_children(fmap, HotspotLegend)) == 1


def test_the_legend_lists_every_class():
    legend = HotspotLegend(lang="en", has_heat=False, has_black_spots=True)
    for text in ("Hot spot, 99 % confidence", "Cold spot, 90 % confidence", "Not tested (no neighbour)"):
        assert text in legend.html
    assert "Black spot (special monitoring)" in legend.html
    assert "Density of risk points" not in legend.html
