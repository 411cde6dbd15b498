"""The app in a real headless Chromium with no internet: the map must draw from the local files.

AppTest cannot see a blank map (the component's iframe stays 0 px high when
Leaflet fails to load, and Streamlit reports nothing); only a browser can.
Needs Debian's ``chromium`` and the files of ``scripts/fetch_static.sh``; the fixtures
(``open_page``, ``server``, ``browser``) live in ``tests/browser_kit.py``.
Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import contextlib

import pytest

from hotspots.i18n import label, t
from pages._common import URL_PATHS
from tests.browser_kit import (
    COUNT_JS,
    HARMLESS_BLOCKED,
    MAP_IFRAME,
    SCREENSHOTS,
    TIMEOUT_MS,
    choose,
    empty_place,
    log_in,
    map_frame,
    next_map_frame,
    point_ids,
    real_errors,
    settled_counts,
    shown_points,
)

pytestmark = pytest.mark.browser


def _check_map(page, blocked, errors, *, name):
    iframe, frame = map_frame(page)
    box = iframe.bounding_box()
    assert box is not None and box["height"] > 0, "the map iframe has no height: the map did not load"
    shown = shown_points(page)
    counts = settled_counts(frame, shown)
    assert counts["clustered"] + counts["single"] == counts["inCluster"], counts
    assert counts["inCluster"] + counts["blackSpots"] == shown, counts
    assert counts["legend"], "the legend is missing"
    assert counts["layerControl"], "the layer control is missing"
    scripts_blocked = [url for url in blocked if not any(h in url for h in HARMLESS_BLOCKED)]
    assert not scripts_blocked, f"the app asked the internet for: {scripts_blocked}"
    assert not real_errors(errors, blocked)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    frame.wait_for_timeout(500)
    # Streamlit scrolls inside its own container, so a "full page" shot is the viewport:
    # take the top of the page and the map itself.
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    iframe.screenshot(path=str(SCREENSHOTS / f"{name}-map.png"))
    return frame, counts


def test_map_draws_offline_on_desktop(open_page):
    page, blocked, errors = open_page(width=1400, height=900)
    frame, counts = _check_map(page, blocked, errors, name="map-desktop")
    assert counts["legendOpen"], "the legend should be unfolded on a wide screen"
    popup = frame.evaluate(
        """() => { let text = null;
            window.map.eachLayer((layer) => { if (text === null && layer.getPopup && layer.options.icon
                && (layer.options.icon.options.className || "").split(" ").includes("hs-black-wrap")) {
                layer.openPopup(); text = document.querySelector(".leaflet-popup-content").innerText; } });
            return text; }"""
    )
    assert popup is not None, "no black-spot marker with a popup"
    assert "Lớp dạy bơi gần nhất" in popup


def test_map_fits_a_phone(open_page):
    page, blocked, errors = open_page(width=390, height=844)
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    _frame, counts = _check_map(page, blocked, errors, name="map-mobile")
    assert counts["width"] <= 390
    assert not counts["legendOpen"], "the legend should be folded on a phone"


def test_heat_map_and_unreachable_tiles(open_page):
    page, blocked, errors = open_page(width=1400, height=900)
    iframe, _frame = map_frame(page)
    page.get_by_text(t("map.heatmap", "vi")).click()
    iframe, frame = next_map_frame(page, iframe)
    frame.wait_for_selector(".leaflet-heatmap-layer", state="attached", timeout=TIMEOUT_MS)

    page.get_by_test_id("stSelectbox").filter(has_text=t("map.basemap", "vi")).click()
    page.get_by_role("option", name=label("basemap", "osm", "vi")).click()
    _iframe, frame = next_map_frame(page, iframe)
    frame.wait_for_function("() => document.querySelectorAll('.leaflet-tile').length > 0", timeout=TIMEOUT_MS)
    # The tiles are refused (no internet), yet the vector map and its markers are there.
    assert any("tile.openstreetmap.org" in url for url in blocked)
    assert frame.evaluate(COUNT_JS)["legend"]
    assert not real_errors(errors, blocked)


def test_communes_page_draws_its_map(open_page):
    page, blocked, errors = open_page(f"/{URL_PATHS['communes']}", width=1400, height=900)
    iframe, _frame = map_frame(page)
    assert iframe.bounding_box()["height"] > 0
    assert page.locator("[data-testid='stDataFrame']").count() >= 1
    assert not real_errors(errors, blocked)
    page.screenshot(path=str(SCREENSHOTS / "communes-desktop.png"))


def test_a_click_on_the_report_map_places_a_new_point(open_page, server):
    from playwright.sync_api import expect

    page, blocked, errors = open_page("/", width=1400, height=900)
    map_frame(page)
    before = shown_points(page)

    page, blocked, errors = open_page(f"/{URL_PATHS['report']}", width=1400, height=900)
    log_in(page, server[1], "field")
    iframe, frame = map_frame(page)
    lat, lon = empty_place(server[1])
    latitude = page.get_by_role("textbox", name=t("report.latitude", "vi"), exact=True)
    # The component listens for clicks a moment after Leaflet draws: click again until one counts.
    for _attempt in range(5):
        spot = frame.evaluate(f"() => window.map.latLngToContainerPoint([{lat}, {lon}])")
        box = iframe.bounding_box()
        page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
        # Streamlit redraws the input after the rerun: wait on the locator, not on one element.
        with contextlib.suppress(AssertionError):
            expect(latitude).not_to_have_value("", timeout=3_000)
            break
    expect(latitude).not_to_have_value("", timeout=TIMEOUT_MS)
    # A click lands within a few pixels: a few hundred metres at the province's zoom.
    assert abs(float(latitude.input_value()) - lat) < 0.01
    assert (
        abs(
            float(page.get_by_role("textbox", name=t("report.longitude", "vi"), exact=True).input_value())
            - lon
        )
        < 0.01
    )

    for key, text in (("report.reporter", "Nguyễn Văn An"), ("report.name", "Ao mới đào (thử)")):
        field = page.get_by_role("textbox", name=t(key, "vi"), exact=True)
        if key == "report.reporter" and not field.count():
            continue  # the page takes the logged-in user as the reporter
        field.fill(text)
        field.press("Enter")
    for key, field, value in (
        ("report.water_type", "water_type", "pond"),
        ("report.risk_level", "risk_level", "high"),
    ):
        choose(page, t(key, "vi"), label(field, value, "vi"))
    before_ids = point_ids(server[1])
    page.get_by_role("button", name=t("report.submit", "vi")).click()
    expect(latitude).to_have_value("", timeout=TIMEOUT_MS)  # saved: the form is ready for the next report
    added = point_ids(server[1]) - before_ids
    assert len(added) == 1, added
    assert point_ids(server[1], status="pending") >= added
    map_frame(page)
    page.screenshot(path=str(SCREENSHOTS / "report-desktop.png"))
    assert not real_errors(errors, blocked)

    # A report waits for review: the map's headline still counts the reviewed points only.
    page, blocked, errors = open_page("/", width=1400, height=900)
    map_frame(page)
    assert shown_points(page) == before

    page, blocked, errors = open_page(f"/{URL_PATHS['review']}", width=1400, height=900)
    log_in(page, server[1], "officer", shown="[data-testid='stMain'] [data-testid='stSelectbox']")
    page.get_by_text("Ao mới đào (thử)").first.wait_for(state="attached", timeout=TIMEOUT_MS)
    page.screenshot(path=str(SCREENSHOTS / "review-desktop.png"))
    assert not real_errors(errors, blocked)
