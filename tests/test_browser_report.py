"""Field reports in a real browser: what a phone user sees, and what a report does to the map's figures.

The defects these tests were written for: the confirmation of a saved report was drawn
out of sight at the top of a phone's screen; a tap on a drawn risk point or cluster of
the report map opened a popup or zoomed instead of placing the new point; a report or
an imported file counted on the map's headline figures before anybody reviewed it.
Every test here uses the module's one server (``server`` in ``tests/browser_kit.py``),
seeded from the shipped Quảng Ninh sample: 891 active risk points, 14 black spots.
Screenshots: ``artifacts/screenshots/report-*.png`` and ``map-after-*.png``.
"""

from __future__ import annotations

import contextlib
import json
import re
import time

import pytest

from hotspots.i18n import label, t
from hotspots.store import open_store
from pages._common import URL_PATHS
from tests.browser_kit import (
    TIMEOUT_MS,
    choose,
    empty_place,
    log_in,
    map_frame,
    metric_value,
    point_ids,
    real_errors,
    screenshot,
    store_url,
)

pytestmark = pytest.mark.browser

#: The reviewed (active) figures of the shipped sample (README, geodata/README.md).
SAMPLE_POINTS = 891
SAMPLE_BLACK_SPOTS = 14
PHONE = {"width": 390, "height": 844}
REPORTER = "Nguyễn Văn An"
#: The place name of the pending status, as the app writes it (any case).
PENDING = label("status", "pending", "vi").casefold()

# Where each drawn layer of the report map sits in the iframe, and what it is.
DRAWN_JS = """() => {
    const drawn = [];
    window.map.eachLayer((layer) => {
        const element = layer._icon || layer._path;
        if (!element || !layer.getLatLng) { return; }
        // What is drawn may be a child of a zero-sized wrapper (a DivIcon): take every part of it.
        const boxes = [element, ...element.querySelectorAll("*")].map((part) => part.getBoundingClientRect())
            .filter((box) => box.width > 0 && box.height > 0);
        if (!boxes.length) { return; }
        const left = Math.min(...boxes.map((box) => box.left));
        const top = Math.min(...boxes.map((box) => box.top));
        const right = Math.max(...boxes.map((box) => box.right));
        const bottom = Math.max(...boxes.map((box) => box.bottom));
        drawn.push({cluster: layer instanceof L.MarkerCluster, lat: layer.getLatLng().lat,
            lng: layer.getLatLng().lng, x: (left + right) / 2, y: (top + bottom) / 2,
            left: left, top: top, right: right, bottom: bottom});
    });
    const size = window.map.getSize();
    return {drawn: drawn, width: size.x, height: size.y, zoom: window.map.getZoom()};
}"""

# The elements (deepest first) whose text holds the new point's id, and whether each is in sight.
IN_SIGHT_JS = """(pointId) => {
    const found = [];
    for (const element of document.body.querySelectorAll("*")) {
        if (!element.innerText || !element.innerText.includes(pointId)) { continue; }
        if ([...element.children].some((child) => child.innerText && child.innerText.includes(pointId))) {
            continue;
        }
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) { continue; }
        found.push({text: element.innerText.slice(0, 120), top: Math.round(box.top),
            bottom: Math.round(box.bottom), inSight: box.top >= 0 && box.left >= 0
                && box.bottom <= window.innerHeight && box.right <= window.innerWidth});
    }
    return found;
}"""


def test_the_headline_counts_reviewed_points_only(open_page, server):
    page, blocked, errors = open_page("/")
    map_frame(page)
    assert _headline(page) == (SAMPLE_POINTS, SAMPLE_BLACK_SPOTS)

    page, blocked, errors = open_page(f"/{URL_PATHS['report']}")
    added = _report(page, server[1], name="Ao chờ duyệt (thử)")
    assert _statuses(server[1], added) == {added: "pending"}

    page, blocked, errors = open_page("/")
    map_frame(page)
    screenshot(page, "map-after-report")
    assert _headline(page) == (SAMPLE_POINTS, SAMPLE_BLACK_SPOTS)
    assert not real_errors(errors, blocked)


def test_on_a_phone_the_confirmation_of_a_report_is_in_sight(open_page, server):
    page, blocked, errors = open_page(f"/{URL_PATHS['report']}", **PHONE)
    added = _report(page, server[1], name="Bến tắm tự phát (thử)")
    # No scrolling: the user has just pressed the button at the bottom of the form.
    try:
        page.wait_for_function(
            f"(pointId) => ({IN_SIGHT_JS})(pointId).some((found) => found.inSight)",
            arg=added,
            timeout=TIMEOUT_MS,
        )
    except Exception:
        where = page.evaluate(IN_SIGHT_JS, added)
        screenshot(page, "report-phone-confirmation")
        pytest.fail(f"{added} saved, but no confirmation naming it is within the 844 px screen: {where}")
    screenshot(page, "report-phone-confirmation")
    assert not real_errors(errors, blocked)


@pytest.mark.parametrize("target", ["cluster", "black spot"])
def test_a_tap_on_a_drawn_point_of_the_report_map_places_the_new_point(open_page, server, target):
    from playwright.sync_api import expect

    page, blocked, errors = open_page(f"/{URL_PATHS['report']}", has_touch=True, **PHONE)
    log_in(page, server[1], "field")
    iframe, frame = map_frame(page)
    iframe.scroll_into_view_if_needed()
    # The known points drawn, and settled: the map a user sees after a moment.
    frame.wait_for_function(f"() => ({DRAWN_JS})().drawn.length > 0", timeout=TIMEOUT_MS)
    page.wait_for_timeout(1_000)
    latitude = page.get_by_role("textbox", name=t("report.latitude", "vi"), exact=True)
    longitude = page.get_by_role("textbox", name=t("report.longitude", "vi"), exact=True)
    view = frame.evaluate(DRAWN_JS)
    spot = _target(view, target, _black_spots(server[1]))
    place = frame.evaluate(f"() => window.map.containerPointToLatLng([{spot['x']}, {spot['y']}])")
    # The component listens for taps a moment after Leaflet draws: tap again while nothing happens.
    for _attempt in range(3):
        box = iframe.bounding_box()
        page.touchscreen.tap(box["x"] + spot["x"], box["y"] + spot["y"])
        page.wait_for_timeout(1_000)
        popups = frame.evaluate("() => document.querySelectorAll('.leaflet-popup').length")
        zoom = frame.evaluate("() => window.map.getZoom()")
        if popups or zoom != view["zoom"]:
            screenshot(page, f"report-tap-{target.replace(' ', '-')}")
            pytest.fail(
                f"a tap on a drawn {target} opened {popups} popup(s) and zoomed from {view['zoom']} to {zoom}"
                " instead of placing the new point"
            )
        # A tap that counted reruns the page, which takes seconds on a busy machine.
        with contextlib.suppress(AssertionError):
            expect(latitude).not_to_have_value("", timeout=10_000)
            break
    expect(latitude).not_to_have_value("", timeout=1_000)
    screenshot(page, f"report-tap-{target.replace(' ', '-')}")
    assert abs(float(latitude.input_value()) - place["lat"]) < 0.005
    assert abs(float(longitude.input_value()) - place["lng"]) < 0.005
    assert frame.evaluate("() => document.querySelectorAll('.leaflet-popup').length") == 0
    assert not real_errors(errors, blocked)


def test_an_imported_black_spot_waits_for_review(open_page, server, tmp_path):
    env = server[1]
    page, blocked, errors = open_page("/")
    map_frame(page)
    before = _headline(page)

    lat, lon = empty_place(env)
    upload = tmp_path / "diem_den_moi.geojson"
    upload.write_text(json.dumps(_black_spot_file(lat, lon), ensure_ascii=False), encoding="utf-8")
    page, blocked, errors = open_page(f"/{URL_PATHS['report']}")
    log_in(page, env, "field")
    map_frame(page)
    _fill_reporter(page)
    # The import's own uploader (the photos have another one).
    page.locator(".st-key-import_file input[type='file']").set_input_files(str(upload))
    page.get_by_text(t("report.preview", "vi", valid=1, rejected=0)).wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("button", name=t("report.import", "vi")).click()
    _wait_for(lambda: "QN-9901" in point_ids(env), "the imported point in the store")
    screenshot(page, "report-imported")
    assert _statuses(env, "QN-9901") == {"QN-9901": "pending"}

    page, blocked, errors = open_page("/")
    map_frame(page)
    screenshot(page, "map-after-import")
    assert _headline(page) == before
    pending = len(point_ids(env, status="pending"))
    shown = _pending_counts(page)
    assert pending in shown, f"{pending} points wait for review; the map page shows pending counts {shown}"
    assert not real_errors(errors, blocked)


def _headline(page) -> tuple[int, int]:
    """The map page's headline figures: risk points shown, black spots."""
    points = metric_value(page, t("metric.points_shown", "vi"))
    return points, metric_value(page, t("metric.black_spots", "vi"))


def _fill(page, key: str, text: str) -> None:
    field = page.get_by_role("textbox", name=t(key, "vi"), exact=True)
    field.fill(text)
    field.press("Enter")


def _fill_reporter(page) -> None:
    """Type who reports, where the page asks for it (a logged-in user may be taken as the reporter)."""
    if page.get_by_role("textbox", name=t("report.reporter", "vi"), exact=True).count():
        _fill(page, "report.reporter", REPORTER)


def _report(page, env: dict[str, str], *, name: str) -> str:
    """Log in if asked, type a whole report of a new place and send it; returns the point's id."""
    from playwright.sync_api import expect

    log_in(page, env, "field")
    map_frame(page)
    place = empty_place(env)
    before = point_ids(env)
    _fill_reporter(page)
    _fill(page, "report.latitude", f"{place[0]:.6f}")
    _fill(page, "report.longitude", f"{place[1]:.6f}")
    _fill(page, "report.name", name)
    choose(page, t("report.water_type", "vi"), label("water_type", "pond", "vi"))
    choose(page, t("report.risk_level", "vi"), label("risk_level", "high", "vi"))
    expect(page.get_by_role("textbox", name=t("report.latitude", "vi"), exact=True)).to_have_value(
        f"{place[0]:.6f}"
    )
    page.get_by_role("button", name=t("report.submit", "vi")).click()
    _wait_for(lambda: len(point_ids(env) - before) == 1, f"the report {name!r} in the store")
    (added,) = point_ids(env) - before
    return added


def _wait_for(condition, what: str, timeout_s: float = TIMEOUT_MS / 1000) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout_s:.0f} s for {what}")
        time.sleep(0.5)


def _statuses(env: dict[str, str], *point_ids_: str) -> dict[str, str]:
    with open_store(store_url(env), seed=False) as store:
        points = store.read_layer("risk_points", include_retired=True)
    chosen = points[points["point_id"].isin(point_ids_)]
    return dict(zip(chosen["point_id"], chosen["status"], strict=True))


def _black_spots(env: dict[str, str]) -> list[tuple[float, float]]:
    with open_store(store_url(env), seed=False) as store:
        points = store.read_layer("risk_points")
    black = points[points["risk_level"] == "black_spot"]
    return [(geometry.y, geometry.x) for geometry in black.geometry]


def _target(view: dict, target: str, black_spots: list[tuple[float, float]]) -> dict:
    """The drawn cluster or black spot nearest the map's centre, with nothing else drawn over its centre."""

    def is_black_spot(item: dict) -> bool:
        # The map's data carries five decimals (about a metre).
        return any(abs(item["lat"] - lat) + abs(item["lng"] - lng) < 2e-5 for lat, lng in black_spots)

    def alone(item: dict) -> bool:  # no other marker drawn over its centre
        return not any(
            other is not item
            and other["left"] <= item["x"] <= other["right"]
            and other["top"] <= item["y"] <= other["bottom"]
            for other in view["drawn"]
        )

    margin = 60  # clear of the zoom, layer and legend controls in the corners
    candidates = [
        item
        for item in view["drawn"]
        if alone(item)
        and margin < item["x"] < view["width"] - margin
        and margin < item["y"] < view["height"] - margin
        and (item["cluster"] if target == "cluster" else not item["cluster"] and is_black_spot(item))
    ]
    if not candidates:
        pytest.fail(f"no {target} is drawn, in reach of a tap, on the report map at its default zoom: {view}")
    return min(
        candidates, key=lambda i: (i["x"] - view["width"] / 2) ** 2 + (i["y"] - view["height"] / 2) ** 2
    )


def _black_spot_file(lat: float, lon: float) -> dict:
    """A GeoJSON file of one black spot, as a commune officer would send it (no status)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "point_id": "QN-9901",
                    "name": "Hố khai thác cát bỏ hoang (thử)",
                    "water_type": "river",
                    "risk_level": "black_spot",
                },
            }
        ],
    }


def _pending_counts(page) -> list[int]:
    """The numbers the page shows next to the word "pending": in a metric, or on one line of text."""
    counts = []
    for metric in page.get_by_test_id("stMetric").all():
        heading = metric.get_by_test_id("stMetricLabel").inner_text()
        if PENDING in heading.casefold():
            counts.append(int(re.sub(r"\D", "", metric.get_by_test_id("stMetricValue").inner_text())))
    for line in page.locator("body").inner_text().splitlines():
        if PENDING in line.casefold():
            counts.extend(int(number.replace(".", "")) for number in re.findall(r"\d[\d.]*", line))
    return counts
