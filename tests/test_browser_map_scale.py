"""The map's point layers drawn by a real Chromium: every point clustered and counted, black spots apart.

One page per test, loaded from a temporary HTML file (``file://``) with the local copy of
Leaflet and its plugins (``static/vendor``, see ``scripts/fetch_static.sh``); every other
request is aborted, as with no internet. 400 points spread over the test province around
Hạ Long: 390 reviewed points in the cluster, 7 black spots and 3 reports awaiting review.
The speed of the same map at 100,000 points is measured by ``benchmarks/browser_map.py``.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hotspots.analysis import COVERAGE_STATUSES, coverage_table
from hotspots.maps import (
    VENDOR_DIR,
    BlackSpotLayer,
    PackedGeoJson,
    PendingPointLayer,
    RiskPointCluster,
    build_map,
    build_report_map,
    missing_files,
)
from hotspots.schema import WATER_TYPES
from tests import map_fixtures as fx

pytestmark = pytest.mark.browser

POINTS, BLACK_SPOTS, PENDING = 400, 7, 3
CLUSTERED = POINTS - BLACK_SPOTS - PENDING
VIEWPORT = {"width": 1000, "height": 700}

# What the cluster layer holds: points by coverage code, and what is drawn at the current zoom:
# each cluster's count, the number written on its icon and the pie's angle per coverage code.
CLUSTER_JS = """([name]) => {
    const group = window[name].getLayers()[0], byCoverage = [0, 0, 0, 0], drawn = [];
    group.getLayers().forEach((marker) => { byCoverage[marker.options.coverage] += 1; });
    group._featureGroup.eachLayer((item) => {
        if (!(item instanceof L.MarkerCluster)) {
            drawn.push({cluster: false, count: 1});
            return;
        }
        const counts = [0, 0, 0, 0];
        item.getAllChildMarkers().forEach((marker) => { counts[marker.options.coverage] += 1; });
        drawn.push({cluster: true, count: item.getChildCount(), counts: counts,
            html: item._icon ? item._icon.innerHTML : null,
            label: item._icon ? item._icon.innerText.trim() : null});
    });
    return {inCluster: group.getLayers().length, byCoverage: byCoverage, drawn: drawn,
        zoom: window[name].getLayers()[0]._map.getZoom()};
}"""

# The black spots' and pending reports' own layers: each marker, whether the cluster holds it,
# and, for a black spot, whether its icon is the topmost element where it is drawn.
SEPARATE_JS = """([cluster, black, pending]) => {
    const map = window[cluster].getLayers()[0]._map, box = map.getContainer().getBoundingClientRect();
    const describe = (marker) => {
        const at = map.latLngToContainerPoint(marker.getLatLng());
        const inView = map.getBounds().contains(marker.getLatLng());
        const top = inView ? document.elementFromPoint(box.left + at.x, box.top + at.y) : null;
        // What is drawn where the marker is: itself, a map control (legend, minimap), or something else.
        const over = !top ? null : marker._icon && marker._icon.contains(top) ? "itself"
            : top.closest(".leaflet-control") ? "control" : top.className || top.tagName;
        return {onMap: map.hasLayer(marker), inCluster: window[cluster].getLayers()[0].hasLayer(marker),
            icon: marker._icon ? marker._icon.className : null, over: over,
            dash: marker.options.dashArray || null};
    };
    return {black: window[black].getLayers().map(describe),
        pending: pending ? window[pending].getLayers().map(describe) : [],
        blackIcons: document.querySelectorAll(".hs-black-wrap").length};
}"""


@pytest.fixture(scope="module")
def table() -> gpd.GeoDataFrame:
    """400 points over the test province; coverage from the fixture's classes and trainings."""
    rng = np.random.default_rng(16)
    west, south, east, north = fx.province().total_bounds
    levels = ["black_spot"] * BLACK_SPOTS + ["high"] * (POINTS - BLACK_SPOTS)
    statuses = ["active"] * (POINTS - PENDING) + ["pending"] * PENDING
    points = gpd.GeoDataFrame(
        {
            "point_id": [f"QN-{i:04d}" for i in range(POINTS)],
            "name": [f"Điểm thử số {i}" for i in range(POINTS)],
            "water_type": rng.choice(WATER_TYPES, POINTS),
            "risk_level": levels,
            "hazards": [["deep_water"]] * POINTS,
            "commune_id": "CM-1",
            "status": statuses,
            "last_inspected": "2025-06-30",
        },
        geometry=shapely.points(
            rng.uniform(west + 0.005, east - 0.005, POINTS), rng.uniform(south + 0.005, north - 0.005, POINTS)
        ),
        crs="EPSG:4326",
    )
    return coverage_table(points, fx.swim_classes(), fx.rescue_trainings())


@pytest.fixture(scope="module")
def vendor() -> str:
    absent = missing_files()
    assert not absent, f"static/vendor is incomplete ({absent[0]}): run scripts/fetch_static.sh"
    return VENDOR_DIR.as_uri()


@contextlib.contextmanager
def _offline(browser: Any, fmap: Any, path: Path, *, head: str = "") -> Iterator[tuple[Any, list[str]]]:
    """Open the map from a file, offline, with ``head`` at the end of its <head>; yields at once."""
    path.write_text(fmap.get_root().render().replace("</head>", head + "</head>", 1), encoding="utf-8")
    context = browser.new_context(viewport=VIEWPORT)
    context.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(path.as_uri())
        yield page, errors
    finally:
        context.close()


@contextlib.contextmanager
def _opened(browser: Any, fmap: Any, path: Path) -> Iterator[tuple[Any, list[str]]]:
    """Open the map from a file, offline; yields the page once every point and the background are drawn."""
    with _offline(browser, fmap, path) as (page, errors):
        cluster = _only(fmap, RiskPointCluster).get_name()
        page.wait_for_function(
            # The cluster's layer holds one marker cluster group: the one of every point, until filtered.
            "([name, n]) => window[name] && window[name]._map"
            " && window[name].getLayers()[0].getLayers().length === n",
            arg=[cluster, _only(fmap, RiskPointCluster).count],
            timeout=30_000,
        )
        # The background layers and controls follow the points (hsMap.afterPoints).
        page.wait_for_function("() => window.hsBackgroundDrawn === true", timeout=30_000)
        yield page, errors


def _only(fmap: Any, kind: type) -> Any:
    (element,) = [child for child in fmap._children.values() if isinstance(child, kind)]
    return element


def _main_map(table: gpd.GeoDataFrame, vendor: str) -> Any:
    return build_map(
        table, fx.layers(), lang="vi", swim_radius_m=3000, rescue_radius_m=2000, asset_base_url=vendor
    )


def _set_view(page: Any, fmap: Any, lat: float, lng: float, zoom: int) -> None:
    """Move the map at once and wait for the cluster to redraw for the new view."""
    page.evaluate(
        "([map, lat, lng, zoom]) => { window[map].setView([lat, lng], zoom, {animate: false}); }",
        [fmap.get_name(), lat, lng, zoom],
    )
    # markercluster moves its markers from the clusters' places to their own in an animation of its own.
    settled = """([name, zoom]) => {
        const group = window[name].getLayers()[0], map = group._map;
        return group._zoom === zoom && !group._inZoomAnimation && !map._animatingZoom
            && !map._mapPane.classList.contains("leaflet-cluster-anim");
    }"""
    cluster = _only(fmap, RiskPointCluster).get_name()
    page.wait_for_function(settled, arg=[cluster, zoom])
    page.wait_for_timeout(300)
    page.wait_for_function(settled, arg=[cluster, zoom])


def test_every_reviewed_point_is_in_the_cluster_and_the_cluster_counts_add_up(
    browser, table, vendor, tmp_path
):
    fmap = _main_map(table, vendor)
    cluster = _only(fmap, RiskPointCluster)
    assert cluster.count == CLUSTERED
    reviewed = table[(table["risk_level"] != "black_spot") & (table["status"] != "pending")]
    expected = Counter(reviewed["coverage_status"])
    with _opened(browser, fmap, tmp_path / "map.html") as (page, errors):
        state = page.evaluate(CLUSTER_JS, [cluster.get_name()])
        assert state["inCluster"] == CLUSTERED
        # Each point keeps its coverage colour code: 0 both, 1 swimming only, 2 rescue only, 3 neither.
        assert state["byCoverage"] == [expected[status] for status in COVERAGE_STATUSES]
        clusters = [item for item in state["drawn"] if item["cluster"]]
        # The whole province is in view: clusters and single points together hold every point once.
        assert sum(item["count"] for item in state["drawn"]) == CLUSTERED, state["zoom"]
        assert clusters, "nothing was clustered at the opening zoom"
        for item in clusters:
            assert item["label"] == str(item["count"])
            assert sum(item["counts"]) == item["count"]
            assert _pie(item["html"]) == pytest.approx(
                [360 * c / item["count"] for c in item["counts"]], abs=1e-6
            ), item["html"]
        # Closer in, fewer points are clustered, and the counts still add up to what is in view.
        lat, lng = table.geometry.y.mean(), table.geometry.x.mean()
        _set_view(page, fmap, lat, lng, 13)
        closer = page.evaluate(CLUSTER_JS, [cluster.get_name()])
        in_view = page.evaluate(
            "([map, name]) => window[name].getLayers()[0].getLayers().filter("
            "(m) => window[map].getBounds().pad(0.5).contains(m.getLatLng())).length",
            [fmap.get_name(), cluster.get_name()],
        )
        assert sum(item["count"] for item in closer["drawn"]) >= in_view
        assert sum(1 for item in closer["drawn"] if not item["cluster"]) > sum(
            1 for item in state["drawn"] if not item["cluster"]
        )
        assert errors == []


def test_black_spots_and_pending_reports_are_markers_of_their_own_never_clustered(
    browser, table, vendor, tmp_path
):
    fmap = _main_map(table, vendor)
    names = [_only(fmap, kind).get_name() for kind in (RiskPointCluster, BlackSpotLayer, PendingPointLayer)]
    black = table[(table["risk_level"] == "black_spot") & (table["status"] != "pending")]
    with _opened(browser, fmap, tmp_path / "map.html") as (page, errors):
        for zoom in (None, 12):
            if zoom is not None:
                spot = black.geometry.iloc[0]
                _set_view(page, fmap, spot.y, spot.x, zoom)
            state = page.evaluate(SEPARATE_JS, names)
            assert len(state["black"]) == len(black) == BLACK_SPOTS
            assert state["blackIcons"] == BLACK_SPOTS
            for marker in state["black"]:
                assert marker["onMap"] and not marker["inCluster"], marker
                assert "hs-black-wrap" in marker["icon"]
            # Never under a cluster icon: those in view are the topmost element where they are drawn
            # (unless a map control, such as the legend, sits over them).
            over = Counter(marker["over"] for marker in state["black"] if marker["over"] is not None)
            assert over["itself"] >= 1
            assert set(over) <= {"itself", "control"}, over
            assert len(state["pending"]) == PENDING
            for marker in state["pending"]:
                assert marker["onMap"] and not marker["inCluster"] and marker["dash"] == "3 3", marker
        assert errors == []


def test_a_click_opens_the_popup_of_a_black_spot_and_of_a_point_drawn_on_the_canvas(
    browser, table, vendor, tmp_path
):
    fmap = _main_map(table, vendor)
    black = table[(table["risk_level"] == "black_spot") & (table["status"] != "pending")].iloc[0]
    point = table[(table["risk_level"] != "black_spot") & (table["status"] != "pending")].iloc[0]
    with _opened(browser, fmap, tmp_path / "map.html") as (page, errors):
        # Beyond the zoom where clustering stops, every point is drawn on its own.
        _set_view(page, fmap, point.geometry.y, point.geometry.x, 17)
        _click_at(page, fmap, point.geometry.y, point.geometry.x)
        popup = page.wait_for_selector(".leaflet-popup-content", timeout=10_000)
        assert point["name"] in popup.inner_text()
        assert point["point_id"] in popup.inner_text()
        page.evaluate("([map]) => { window[map].closePopup(); }", [fmap.get_name()])

        _set_view(page, fmap, black.geometry.y, black.geometry.x, 12)
        _click_at(page, fmap, black.geometry.y, black.geometry.x)
        popup = page.wait_for_selector(".leaflet-popup-content", timeout=10_000)
        assert black["name"] in popup.inner_text()
        assert errors == []


def test_on_the_report_map_a_tap_on_a_cluster_neither_zooms_nor_opens_anything(
    browser, table, vendor, tmp_path
):
    fmap = build_report_map(table, fx.layers(), lang="vi", asset_base_url=vendor)
    cluster = _only(fmap, RiskPointCluster).get_name()
    with _opened(browser, fmap, tmp_path / "report.html") as (page, errors):
        icons = page.evaluate(
            """([name]) => {
                const icons = [];
                window[name].getLayers()[0]._featureGroup.eachLayer((item) => {
                    if (item instanceof L.MarkerCluster && item._icon) {
                        const at = window[name].getLayers()[0]._map.latLngToContainerPoint(item.getLatLng());
                        icons.push({pane: item._icon.parentElement.className,
                            events: getComputedStyle(item._icon).pointerEvents, x: at.x, y: at.y});
                    }
                });
                return {icons: icons, zoom: window[name].getLayers()[0]._map.getZoom()};
            }""",
            [cluster],
        )
        assert icons["icons"]
        assert {icon["pane"] for icon in icons["icons"]} == {"leaflet-pane leaflet-hsPassive-pane"}
        assert {icon["events"] for icon in icons["icons"]} == {"none"}
        first = icons["icons"][0]
        box = page.locator(f"#{fmap.get_name()}").bounding_box()
        page.mouse.click(box["x"] + first["x"], box["y"] + first["y"])
        page.wait_for_timeout(500)
        assert page.evaluate("([map]) => window[map].getZoom()", [fmap.get_name()]) == icons["zoom"]
        assert page.locator(".leaflet-popup").count() == 0
        assert errors == []


def _click_at(page: Any, fmap: Any, lat: float, lng: float) -> None:
    at = page.evaluate(
        "([map, lat, lng]) => { const at = window[map].latLngToContainerPoint([lat, lng]);"
        " return [at.x, at.y]; }",
        [fmap.get_name(), lat, lng],
    )
    box = page.locator(f"#{fmap.get_name()}").bounding_box()
    page.mouse.click(box["x"] + at[0], box["y"] + at[1])


def _pie(icon_html: str) -> list[float]:
    """The angle of each coverage colour in a cluster icon's conic gradient, in degrees."""
    stops = re.findall(r"#[0-9A-Fa-f]{6} ([0-9.e+-]+)deg ([0-9.e+-]+)deg", icon_html)
    return [float(end) - float(start) for start, end in stops]


def test_packed_areas_and_lines_are_drawn_exactly_where_the_plain_geojson_puts_them(
    browser, table, vendor, tmp_path
):
    fmap = _main_map(table, vendor)
    packed = [child for child in fmap._children.values() if isinstance(child, PackedGeoJson)]
    assert packed
    with _opened(browser, fmap, tmp_path / "packed.html") as (page, errors):
        for layer in packed:
            drawn = page.evaluate(
                """([name]) => window[name].getLayers().map((shape) => {
                    const flat = (item) => Array.isArray(item) ? item.map(flat) : [item.lng, item.lat];
                    return flat(shape.getLatLngs());
                })""",
                [layer.get_name()],
            )
            expected = [feature["geometry"] for feature in layer.plain_data["features"]]
            assert len(drawn) == len(expected)
            for latlngs, geometry in zip(drawn, expected, strict=True):
                # Leaflet drops a ring's closing position.
                plain = _positions(geometry["coordinates"], closed=True)
                assert _positions(latlngs) == plain, geometry["type"]
        assert errors == []


def _positions(nested: Any, *, closed: bool = False) -> list[tuple[float, float]]:
    """Every position of nested coordinates, in order; rings without their closing position."""
    if nested and isinstance(nested[0], (int, float)):
        return [(round(nested[0], 5), round(nested[1], 5))]
    if nested and isinstance(nested[0], list) and nested[0] and isinstance(nested[0][0], (int, float)):
        ring = [(round(p[0], 5), round(p[1], 5)) for p in nested]
        return ring[:-1] if closed and len(ring) > 2 and ring[0] == ring[-1] else ring
    return [position for part in nested for position in _positions(part, closed=closed)]


# In the page's head, before its script: at the first animation frame in which the cluster holds
# every point, note what else is on the map (that frame paints the points).
FIRST_POINTS_FRAME = """<script>
(function () {
    function tick() {
        var map = window.L && window[%(map)s] instanceof L.Map ? window[%(map)s] : null;
        var cluster = window[%(cluster)s];
        if (map && cluster && cluster._map && cluster.getLayers()[0].getLayers().length === %(count)d) {
            var areas = 0;
            map.eachLayer(function (layer) { if (layer instanceof L.GeoJSON) { areas += 1; } });
            window.__firstPointsFrame = {areas: areas, layerControl: !!document.querySelector(
                ".leaflet-control-layers"), legend: !!document.querySelector(".hs-legend"),
                background: window.hsBackgroundDrawn === true,
                // The controls' plugins are fetched after this frame (AfterPointsBlock.defer_files).
                plugins: [L.Control.MiniMap, L.Control.Measure, L.control.locate, L.control.fullscreen]
                    .filter(Boolean).length};
            return;
        }
        requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
})();
</script>"""


def test_the_points_are_drawn_first_and_the_areas_and_controls_right_after_beneath_them(
    browser, table, vendor, tmp_path
):
    fmap = _main_map(table, vendor)
    cluster = _only(fmap, RiskPointCluster)
    probe = FIRST_POINTS_FRAME % {
        "map": f'"{fmap.get_name()}"',
        "cluster": f'"{cluster.get_name()}"',
        "count": cluster.count,
    }
    with _offline(browser, fmap, tmp_path / "order.html", head=probe) as (page, errors):
        page.wait_for_function("() => window.__firstPointsFrame && window.hsBackgroundDrawn === true")
        first = page.evaluate("() => window.__firstPointsFrame")
        assert first == {
            "areas": 0,
            "layerControl": False,
            "legend": False,
            "background": False,
            "plugins": 0,
        }
        # Then everything: the province, communes and water, the layer control (listing them) and the legend.
        after = page.evaluate(
            """() => ({
                overlays: [...document.querySelectorAll(".leaflet-control-layers-overlays label")]
                    .map((label) => label.textContent.trim()),
                legend: !!document.querySelector(".hs-legend"),
                controls: [".leaflet-control-minimap", ".leaflet-control-zoom-fullscreen",
                    ".leaflet-control-locate", ".leaflet-control-measure"]
                    .filter((selector) => document.querySelector(selector)),
                // Each canvas's pane and its stacking order: the points' pane must be above the areas'.
                panes: [...document.querySelectorAll(".leaflet-pane canvas")].map((canvas) => [
                    canvas.parentElement.className, Number(getComputedStyle(canvas.parentElement).zIndex)])
            })"""
        )
        assert after["legend"]
        assert len(after["controls"]) == 4, after["controls"]
        assert len(after["overlays"]) >= 5
        panes = dict((name.split()[-1], z) for name, z in after["panes"])
        assert panes["leaflet-hsPoints-pane"] > panes["leaflet-overlay-pane"]
        assert errors == []
