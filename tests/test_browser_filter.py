"""The map page's filters in a real Chromium: applied inside the map already drawn, never a new map.

A filter change sends only which points to show (``hotspots.maps.filter_script``); the map's
iframe stays, and what it then holds must be exactly what the page counts: every point of the
chosen commune, inside that commune, and nothing else; all of them again when the filter is
cleared. Fixtures are in ``tests/browser_kit.py``; screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import contextlib

import geopandas as gpd
import pytest
import shapely

from hotspots.analysis import filter_defaults
from hotspots.config import GEODATA_DIR, METRIC_CRS, WGS84
from hotspots.i18n import label, t
from hotspots.store import open_store
from tests.auth_kit import sign_in
from tests.browser_kit import (
    MAP_IFRAME,
    SCREENSHOTS,
    TIMEOUT_MS,
    choose,
    empty_place,
    map_frame,
    next_map_frame,
    real_errors,
    shown_points,
    store_url,
)

pytestmark = pytest.mark.browser

# What the map holds: every point in the shown cluster group and black-spot and pending markers on the
# map, with their places; how many filters it applied; its zoom.
HELD_JS = """() => {
    const held = {cluster: [], black: [], pending: [], filters: window.hsFilters || 0,
        zoom: window.map.getZoom()};
    window.map.eachLayer((layer) => {
        if (layer instanceof L.MarkerClusterGroup) {
            layer.getLayers().forEach((m) => held.cluster.push([m.getLatLng().lat, m.getLatLng().lng]));
        } else if (layer.options && layer.options.icon
                && (layer.options.icon.options.className || "").includes("hs-black-wrap")) {
            held.black.push([layer.getLatLng().lat, layer.getLatLng().lng]);
        } else if (layer instanceof L.CircleMarker && layer.options.dashArray && !layer.options.row) {
            held.pending.push([layer.getLatLng().lat, layer.getLatLng().lng]);
        }
    });
    return held;
}"""


def _sample_points() -> gpd.GeoDataFrame:
    return gpd.read_file(GEODATA_DIR / "risk_points.geojson")


def _busiest_commune() -> tuple[str, str, int, shapely.Geometry]:
    """The sample's commune with the most reviewed points: id, name, count, outline (UTM 48N)."""
    points = _sample_points()
    shown = points[points["status"].isin(filter_defaults("status"))]
    commune_id = shown["commune_id"].value_counts().index[0]
    communes = gpd.read_file(GEODATA_DIR / "communes.geojson")
    commune = communes[communes["commune_id"] == commune_id]
    outline = commune.to_crs(METRIC_CRS).geometry.iloc[0]
    return commune_id, str(commune["name"].iloc[0]), int((shown["commune_id"] == commune_id).sum()), outline


def _held(frame, *, expected: int, filters: int) -> dict:
    """What the map holds once it has applied ``filters`` filters and shows ``expected`` points."""
    frame.wait_for_function(
        f"""() => {{ const held = ({HELD_JS})();
            return held.filters >= {filters} && held.cluster.length + held.black.length === {expected}; }}""",
        timeout=TIMEOUT_MS,
    )
    return frame.evaluate(HELD_JS)


def _outside(places: list[list[float]], outline: shapely.Geometry) -> list[list[float]]:
    """The places farther than 2 m (the map's rounding) from ``outline``."""
    if not places:
        return []
    points = gpd.GeoSeries(
        gpd.points_from_xy([p[1] for p in places], [p[0] for p in places]), crs=WGS84
    ).to_crs(METRIC_CRS)
    far = points.distance(outline).to_numpy() > 2.0
    return [place for place, out in zip(places, far, strict=True) if out]


def _sidebar(page, *, phone: bool, open_it: bool) -> None:
    """On a phone the filters are in the sidebar, which starts collapsed and then covers the page."""
    if not phone:
        return
    if open_it:
        page.get_by_test_id("stExpandSidebarButton").click()
        page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").first.wait_for(timeout=TIMEOUT_MS)
    else:
        page.get_by_test_id("stSidebar").get_by_test_id("stSidebarCollapseButton").click()


def _wait_for_metric(page, value: int) -> None:
    page.wait_for_function(
        """(value) => { const m = document.querySelector("[data-testid='stMetricValue']");
            return m && parseInt(m.innerText.replace(/[^0-9]/g, ""), 10) === value; }""",
        arg=value,
        timeout=TIMEOUT_MS,
    )


@pytest.mark.parametrize(("width", "height"), [(1400, 900), (390, 844)])
def test_a_commune_filter_redraws_the_same_map_with_exactly_its_points(open_page, width, height):
    _commune_id, commune_name, in_commune, outline = _busiest_commune()
    page, blocked, errors = open_page("/", width=width, height=height)
    iframe, frame = map_frame(page)
    everything = shown_points(page)
    first = _held(frame, expected=everything, filters=1)
    assert len(first["cluster"]) + len(first["black"]) == everything
    assert first["pending"] == []  # pending reports are not shown by default
    iframe.evaluate("(element) => { element.dataset.hsFirst = '1'; }")

    phone = width < 800
    _sidebar(page, phone=phone, open_it=True)
    communes = page.get_by_test_id("stMultiSelect").filter(has_text=t("map.filter_commune", "vi"))
    communes.click()
    page.keyboard.type(commune_name)  # the list shows a few dozen names at a time: narrow it
    page.get_by_role("option", name=commune_name, exact=True).click()
    page.keyboard.press("Escape")
    _sidebar(page, phone=phone, open_it=False)
    _wait_for_metric(page, in_commune)
    held = _held(frame, expected=in_commune, filters=first["filters"] + 1)
    # The same iframe, drawn once: the filter ran inside it.
    assert page.locator(MAP_IFRAME).count() == 1
    assert page.locator(f"{MAP_IFRAME}[data-hs-first]").count() == 1
    assert _outside(held["cluster"] + held["black"], outline) == []
    assert held["zoom"] > first["zoom"], "the map did not zoom to the chosen commune"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    iframe.screenshot(path=str(SCREENSHOTS / f"filter-commune-{width}-map.png"))

    _sidebar(page, phone=phone, open_it=True)
    communes.get_by_label(f"Remove {commune_name}", exact=True).click()
    _sidebar(page, phone=phone, open_it=False)
    _wait_for_metric(page, everything)
    again = _held(frame, expected=everything, filters=held["filters"] + 1)
    assert sorted(again["cluster"]) == sorted(first["cluster"])
    assert sorted(again["black"]) == sorted(first["black"])
    assert again["zoom"] == first["zoom"]
    assert page.locator(f"{MAP_IFRAME}[data-hs-first]").count() == 1
    assert not real_errors(errors, blocked)


def test_status_and_risk_filters_reach_the_pending_and_black_spot_layers(open_page, server):
    from playwright.sync_api import expect

    page, blocked, errors = open_page("/", width=1400, height=900)
    map_frame(page)  # the app has made and seeded its store
    env = server[1]
    # Two reports awaiting review, one of them a black spot, straight into the store.
    with open_store(store_url(env), seed=False) as store:
        reporter = sign_in(store, "loc-thu", "field", display_name="Nguyễn Văn An")
    taken: list[tuple[float, float]] = []
    for number, risk_level in enumerate(("black_spot", "high"), start=1):
        lat, lon = empty_place(env, taken=tuple(taken))
        taken.append((lat, lon))
        properties = {"name": f"Ao chờ duyệt {number}", "water_type": "pond", "risk_level": risk_level}
        with open_store(store_url(env), seed=False) as store:
            store.add_risk_point({**properties, "hazards": [], "notes": ""}, lon=lon, lat=lat, user=reporter)
    with open_store(store_url(env), seed=False) as store:
        points = store.read_layer("risk_points")

    page, blocked, errors = open_page("/", width=1400, height=900)
    iframe, frame = map_frame(page)
    first = _held(frame, expected=shown_points(page), filters=1)
    assert first["pending"] == []

    # Only black spots: the cluster empties, every reviewed black spot stays a marker of its own.
    black_spot = label("risk_level", "black_spot", "vi")
    choose(page, t("map.filter_risk_level", "vi"), black_spot, widget="stMultiSelect")
    page.keyboard.press("Escape")
    reviewed = points["status"].isin(filter_defaults("status"))
    black_spots = int((reviewed & (points["risk_level"] == "black_spot")).sum())
    _wait_for_metric(page, black_spots)
    held = _held(frame, expected=black_spots, filters=first["filters"] + 1)
    assert held["cluster"] == []
    assert held["pending"] == []

    # Reports awaiting review added to the statuses: the pending black spot's ring appears (the
    # other report is no black spot), and it is never drawn as a black spot.
    choose(page, t("map.filter_status", "vi"), label("status", "pending", "vi"), widget="stMultiSelect")
    page.keyboard.press("Escape")
    frame.wait_for_function(
        f"() => {{ const held = ({HELD_JS})(); return held.filters >= {held['filters'] + 1}"
        " && held.pending.length === 1; }",
        timeout=TIMEOUT_MS,
    )
    final = frame.evaluate(HELD_JS)
    assert final["pending"] == [[pytest.approx(taken[0][0], abs=1e-5), pytest.approx(taken[0][1], abs=1e-5)]]
    assert sorted(final["black"]) == sorted(held["black"])

    # A new reach draws a new map: the filters still chosen reach it too.
    slider = page.get_by_test_id("stSlider").filter(has_text=t("app.swim_radius", "vi")).get_by_role("slider")
    before = slider.get_attribute("aria-valuenow")
    for _attempt in range(3):  # a key pressed while a rerun redraws the sidebar may be lost: again
        slider.focus()
        slider.press("ArrowRight")
        with contextlib.suppress(AssertionError):
            expect(slider).not_to_have_attribute("aria-valuenow", before, timeout=5_000)
            break
    _iframe, frame = next_map_frame(page, iframe)
    redrawn = _held(frame, expected=black_spots, filters=1)
    assert sorted(redrawn["black"]) == sorted(held["black"])
    frame.wait_for_function(f"() => ({HELD_JS})().pending.length === 1", timeout=TIMEOUT_MS)

    # The heat map draws a new map of the same points: the filters reach it as well.
    old_iframe = page.locator(f"{MAP_IFRAME}:not([data-hs-old])").element_handle()
    page.get_by_text(t("map.heatmap", "vi")).click()
    _iframe, frame = next_map_frame(page, old_iframe)
    heated = _held(frame, expected=black_spots, filters=1)
    assert sorted(heated["black"]) == sorted(held["black"])
    frame.wait_for_function(f"() => ({HELD_JS})().pending.length === 1", timeout=TIMEOUT_MS)
    assert not real_errors(errors, blocked)
