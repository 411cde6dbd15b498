"""The field and office loop of issue #10 in a real browser: report on a phone, approve in bulk, restart.

Journeys: a field user at 390 px taps the report map, attaches a photo, sends the report and
sees it waiting for review; an officer ticks two reports in the review queue (a canvas
table: rows are ticked by their checkbox at the left) and approves both with one click;
the map then shows them, and still does after the server restarts on the same store; an
anonymous visitor of the review page's address sees the login prompt only; a place named
like an HTML tag is shown as text on the report, review and map pages and runs nothing.
Screenshots: ``artifacts/screenshots/field-*.png``.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest

from hotspots.i18n import label, t
from hotspots.store import open_store
from pages._common import STORE_DIR_VARIABLE, URL_PATHS
from tests.auth_kit import sign_in
from tests.browser_kit import (
    COUNT_JS,
    MAP_IFRAME,
    TIMEOUT_MS,
    choose,
    empty_place,
    log_in,
    map_frame,
    metric_value,
    offline_page,
    point_ids,
    real_errors,
    screenshot,
    store_url,
    streamlit_server,
)
from tests.test_browser_report import IN_SIGHT_JS, PHONE, _fill, _report, _statuses, _wait_for
from tests.test_photos import jpeg

pytestmark = pytest.mark.browser

#: The reviewed (active) risk points of the shipped sample, and its black spots.
SAMPLE_POINTS = 891
#: A place name that is an HTML tag with a script: it must stay text.
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
PHOTO_NAME = "ben-tam-tu-phat.jpg"
PHOTO_SIZE = (640, 480)
#: The width of a photo's thumbnail on the report page (``THUMBNAIL_PX`` of pages/report.py).
THUMBNAIL_PX = 160
#: The review queue's table (glide-data-grid): its header and rows are this high, in CSS pixels.
GRID_ROW_PX = 35
#: The x of the row-marker checkbox column, from the left edge of the table.
GRID_MARKER_X = 18
#: Where the review page shows the selected point (a selectbox of every point).
OFFICER_SHOWN = "[data-testid='stMain'] [data-testid='stSelectbox']"
#: The text of a message box (without the icon's name).
ALERT_TEXT = "[data-testid='stAlert'] [data-testid='stMarkdownContainer']"
#: The review page's own widgets, none of which an anonymous visitor may see.
REVIEW_ONLY = (
    "[data-testid='stDataFrame']",
    "[data-testid='stSelectbox']",
    "[data-testid='stMultiSelect']",
    "[data-testid='stTabs']",
    "iframe",
    "canvas",
    ".st-key-review_queue",
)

# Which of the places [[lat, lng], ...] have a marker in the map's cluster layer (the map's data has
# five decimals, about a metre).
IN_CLUSTER_JS = """(places) => {
    const drawn = [];
    window.map.eachLayer((layer) => {
        if (!(layer instanceof L.MarkerClusterGroup)) { return; }
        drawn.push(...layer.getLayers().map((marker) => marker.getLatLng()));
    });
    const near = (lat, lng) => (at) => Math.abs(at.lat - lat) + Math.abs(at.lng - lng) < 2e-5;
    return places.map(([lat, lng]) => drawn.some(near(lat, lng)));
}"""

# Zoom the map onto the cluster's point at [lat, lng]: where it is drawn on its own, in the map's pixels.
SHOW_CLUSTER_POINT_JS = """([lat, lng]) => {
    let best = null, group = null, distance = Infinity;
    window.map.eachLayer((layer) => {
        if (!(layer instanceof L.MarkerClusterGroup)) { return; }
        for (const marker of layer.getLayers()) {
            const at = marker.getLatLng(), d = Math.abs(at.lat - lat) + Math.abs(at.lng - lng);
            if (d < distance) { best = marker; group = layer; distance = d; }
        }
    });
    if (!best || distance > 1e-4) { return null; }
    // Circle markers have no icon for getVisibleParent: zoom to where the cluster stops clustering.
    const alone = group.options.disableClusteringAtZoom || window.map.getMaxZoom();
    if (window.map.getZoom() < alone || !best._map) {
        window.map.setView(best.getLatLng(), alone, {animate: false});
        return null;
    }
    const at = window.map.latLngToContainerPoint(best.getLatLng());
    return {x: at.x, y: at.y};
}"""

# Open the popup of the review map's marker nearest [lat, lng] (its own bound popup).
OPEN_MARKER_POPUP_JS = """([lat, lng]) => {
    let best = null, distance = Infinity;
    window.map.eachLayer((layer) => {
        if (!(layer instanceof L.CircleMarker) || !layer.getPopup()) { return; }
        const at = layer.getLatLng(), d = Math.abs(at.lat - lat) + Math.abs(at.lng - lng);
        if (d < distance) { best = layer; distance = d; }
    });
    if (!best || distance > 1e-4) { return null; }
    best.openPopup();
    return distance;
}"""

# Elements that the hostile name would create if it were read as HTML.
INJECTED_JS = """() => document.querySelectorAll("img[src='x'], img[onerror]").length"""


def test_a_field_user_on_a_phone_taps_the_map_attaches_a_photo_and_sees_the_report_pending(browser, server):
    from playwright.sync_api import expect

    url, env = server
    context, page, blocked, errors = offline_page(browser, url, has_touch=True, is_mobile=True, **PHONE)
    try:
        page.goto(f"{url}/{URL_PATHS['report']}")
        log_in(page, env, "field")
        place = empty_place(env)
        latitude = page.get_by_role("textbox", name=t("report.latitude", "vi"), exact=True)
        longitude = page.get_by_role("textbox", name=t("report.longitude", "vi"), exact=True)
        tapped = _tap_map_at(page, place)
        assert abs(float(latitude.input_value()) - tapped["lat"]) < 1e-5
        assert abs(float(longitude.input_value()) - tapped["lng"]) < 1e-5
        assert abs(tapped["lat"] - place[0]) < 0.002 and abs(tapped["lng"] - place[1]) < 0.002, tapped

        _fill(page, "report.name", "Bến tắm tự phát ven sông (thử)")
        choose(page, t("report.water_type", "vi"), label("water_type", "river", "vi"))
        choose(page, t("report.risk_level", "vi"), label("risk_level", "high", "vi"))
        # The photo uploader speaks Vietnamese: its button, and no English size line ("50MB per file").
        dropzone = page.locator(".st-key-report_photos_0 [data-testid='stFileUploaderDropzone']")
        # The only text left is the icon's ligature (drawn as an arrow): no "Upload", no "50MB per file".
        assert dropzone.inner_text().split() == ["upload"]
        button_text = dropzone.locator("button [data-testid='stMarkdownContainer']").evaluate(
            "(element) => getComputedStyle(element, '::after').content"
        )
        assert button_text == json.dumps(t("app.upload_button", "vi"), ensure_ascii=False)
        screenshot(page, "field-phone-report-uploader")
        # Nor does the page ever show Streamlit's English "Stop" beside its running indicator.
        hidden = page.evaluate(
            """() => [...document.styleSheets].flatMap((sheet) => [...sheet.cssRules])
                .some((rule) => rule.selectorText === '[data-testid="stStatusWidget"] button'
                    && rule.style.display === "none")"""
        )
        assert hidden
        page.locator(".st-key-report_photos_0 input[type='file']").set_input_files(
            files=[{"name": PHOTO_NAME, "mimeType": "image/jpeg", "buffer": jpeg(PHOTO_SIZE)}]
        )
        caption = t("report.photo_caption", "vi", name=PHOTO_NAME, width=PHOTO_SIZE[0], height=PHOTO_SIZE[1])
        page.get_by_text(caption, exact=True).wait_for(timeout=TIMEOUT_MS)
        thumbnail = page.locator("[data-testid='stMain'] [data-testid='stImage'] img")
        expect(thumbnail).to_have_count(1, timeout=TIMEOUT_MS)
        # Loaded, and scaled down by Streamlit to the thumbnail's width.
        expect(thumbnail).to_have_js_property("naturalWidth", THUMBNAIL_PX)
        thumbnail.scroll_into_view_if_needed()
        screenshot(page, "field-phone-report-filled")

        before = point_ids(env)
        page.get_by_role("button", name=t("report.submit", "vi")).click()
        _wait_for(lambda: len(point_ids(env) - before) == 1, "the phone report in the store")
        (added,) = point_ids(env) - before
        # The confirmation under the button, in sight without scrolling, says it waits for review.
        confirmation = page.locator(
            ".st-key-report_outcome [data-testid='stAlertContentSuccess'] [data-testid='stMarkdownContainer']"
        )
        confirmation.wait_for(timeout=TIMEOUT_MS)
        assert confirmation.inner_text().strip() == t("report.added", "vi", point_id=added)
        page.wait_for_function(
            f"(pointId) => ({IN_SIGHT_JS})(pointId).some((found) => found.inSight)", arg=added
        )
        screenshot(page, "field-phone-report-sent")
        assert _statuses(env, added) == {added: "pending"}
        with open_store(store_url(env), seed=False) as store:
            photos = store.photos(added)
        assert list(photos["filename"]) == [PHOTO_NAME]
        assert (int(photos["width"].iloc[0]), int(photos["height"].iloc[0])) == PHOTO_SIZE
        # The form is ready for the next report, with a fresh photo uploader.
        assert latitude.input_value() == ""
        page.locator(".st-key-report_photos_1").wait_for(timeout=TIMEOUT_MS)
        assert not real_errors(errors, blocked)
    finally:
        context.close()


def test_an_officer_approves_two_reports_at_once_and_they_stay_after_a_restart(browser, tmp_path_factory):
    with streamlit_server(tmp_path_factory) as (url, env):
        context, page, blocked, errors = offline_page(browser, url, width=1400, height=900)
        try:
            page.goto(url)
            map_frame(page)  # the app has made and seeded its store
            reported = _pending_reports(env, 3)
            queue = sorted(reported)
            chosen = [queue[0], queue[2]]

            # At 390 px the list and the map stack: ticking rows works there too.
            phone, phone_page, phone_blocked, phone_errors = offline_page(
                browser, url, has_touch=True, is_mobile=True, **PHONE
            )
            try:
                phone_page.goto(f"{url}/{URL_PATHS['review']}")
                log_in(phone_page, env, "officer", shown=OFFICER_SHOWN)
                _tick_rows(phone_page, [0, 2])
                phone_page.get_by_role(
                    "button", name=t("review.approve", "vi", count=2)
                ).scroll_into_view_if_needed()
                screenshot(phone_page, "field-review-phone-two-selected")
                assert not real_errors(phone_errors, phone_blocked)
            finally:
                phone.close()

            page.goto(f"{url}/{URL_PATHS['review']}")
            log_in(page, env, "officer", shown=OFFICER_SHOWN)
            heading = page.get_by_role("heading", name=t("review.queue", "vi", count=3))
            heading.wait_for(timeout=TIMEOUT_MS)
            _tick_rows(page, [0, 2])
            screenshot(page, "field-review-desktop-two-selected")
            page.get_by_role("button", name=t("review.approve", "vi", count=2)).click()
            notice = t("review.approved", "vi", point_id=", ".join(chosen))
            page.get_by_text(notice, exact=True).first.wait_for(timeout=TIMEOUT_MS)
            page.get_by_role("heading", name=t("review.queue", "vi", count=1)).wait_for(timeout=TIMEOUT_MS)
            assert _statuses(env, *reported) == {
                chosen[0]: "active",
                queue[1]: "pending",
                chosen[1]: "active",
            }
            _map_shows(page, url, env, reported, chosen)
            assert not real_errors(errors, blocked)
        finally:
            context.close()
        store_dir = env[STORE_DIR_VARIABLE]

    # The first server is gone: a new one on the same store folder.
    with streamlit_server(tmp_path_factory, store_dir=store_dir) as (url, env):
        context, page, blocked, errors = offline_page(browser, url, width=1400, height=900)
        try:
            assert _statuses(env, *reported) == {
                chosen[0]: "active",
                queue[1]: "pending",
                chosen[1]: "active",
            }
            _map_shows(page, url, env, reported, chosen)
            page.goto(f"{url}/{URL_PATHS['review']}")
            log_in(page, env, "officer", shown=OFFICER_SHOWN)
            page.get_by_role("heading", name=t("review.queue", "vi", count=1)).wait_for(timeout=TIMEOUT_MS)
            shown = _pick_point(page, chosen[0], reported[chosen[0]], "active")
            assert shown == f"{chosen[0]} – {reported[chosen[0]]} ({label('status', 'active', 'vi')})"
            page.get_by_role("tab", name=t("review.history", "vi")).click()
            history = page.locator(".st-key-history_list")
            history.get_by_text(t("timeline.approve", "vi"), exact=False).first.wait_for(timeout=TIMEOUT_MS)
            lines = history.inner_text().splitlines()
            assert sum(t("timeline.approve", "vi") in line for line in lines) == 1, lines
            assert sum(t("timeline.add", "vi") in line for line in lines) == 1, lines
            screenshot(page, "field-review-after-restart")
            assert not real_errors(errors, blocked)
        finally:
            context.close()


def test_an_anonymous_visitor_of_the_review_address_sees_only_the_login_prompt(browser, server):
    url, _env = server
    context, page, blocked, errors = offline_page(browser, url, width=1400, height=900)
    try:
        page.goto(f"{url}/{URL_PATHS['review']}")
        main = page.get_by_test_id("stMain")
        password = main.locator("input[type='password']")
        password.wait_for(timeout=TIMEOUT_MS)
        page.wait_for_timeout(2_000)  # a page drawn late would show by now
        screenshot(page, "field-review-anonymous")
        assert [h.inner_text().strip() for h in main.locator("h1").all()] == [t("review.title", "vi")]
        needed = t("login.needed", "vi", role=label("role", "officer", "vi"))
        assert [a.inner_text().strip() for a in main.locator(ALERT_TEXT).all()] == [needed]
        assert main.locator("input").count() == 2
        assert main.get_by_role("textbox", name=t("login.name", "vi"), exact=True).count() == 1
        # Its one button (the password field's show/hide eye aside).
        buttons = main.locator("button").evaluate_all(
            "(all) => all.filter((b) => !b.closest(\"[data-testid='stTextInput']\"))"
            ".map((b) => b.innerText.trim())"
        )
        assert buttons == [t("login.submit", "vi")]
        for selector in REVIEW_ONLY:
            assert main.locator(selector).count() == 0, f"an anonymous visitor sees {selector}"
        assert t("review.queue", "vi", count=0).split("(")[0] not in main.inner_text()
        assert not real_errors(errors, blocked)
    finally:
        context.close()


def test_a_name_written_as_html_is_shown_as_text_everywhere_and_runs_nothing(browser, server):
    url, env = server
    dialogs: list[str] = []
    context, page, blocked, errors = offline_page(browser, url, width=1400, height=900)
    context.on("page", lambda opened: opened.on("dialog", lambda dialog: _refuse(dialog, dialogs)))
    page.on("dialog", lambda dialog: _refuse(dialog, dialogs))
    try:
        page.goto(f"{url}/{URL_PATHS['report']}")
        added = _report(page, env, name=HOSTILE_NAME)
        assert _statuses(env, added) == {added: "pending"}
        with open_store(store_url(env), seed=False) as store:
            stored = store.read_layer("risk_points", include_retired=True).set_index("point_id").loc[added]
        assert stored["name"] == HOSTILE_NAME
        where = (stored.geometry.y, stored.geometry.x)
        assert page.evaluate(INJECTED_JS) == 0

        # The review page: in the point picker, and in the review map's popup, as text.
        page.goto(f"{url}/{URL_PATHS['review']}")
        log_in(page, env, "officer", shown=OFFICER_SHOWN)
        shown = _pick_point(page, added, HOSTILE_NAME, "pending")
        assert shown == f"{added} – {HOSTILE_NAME} ({label('status', 'pending', 'vi')})"
        iframe, frame = map_frame(page)
        iframe.scroll_into_view_if_needed()
        assert frame.evaluate(OPEN_MARKER_POPUP_JS, list(where)) is not None, "no marker of the report"
        title = frame.locator(".leaflet-popup .hs-title")
        title.wait_for(timeout=TIMEOUT_MS)
        assert title.inner_text().strip() == f"{added} – {HOSTILE_NAME}"
        screenshot(page, "field-review-hostile-name")
        assert (page.evaluate(INJECTED_JS), frame.evaluate(INJECTED_JS)) == (0, 0)

        # Approved, it shows on the map page: its popup says the name as text.
        queue = sorted(point_ids(env, status="pending"))
        _tick_rows(page, [queue.index(added)])
        page.get_by_role("button", name=t("review.approve", "vi", count=1)).click()
        _wait_for(lambda: _statuses(env, added) == {added: "active"}, "the approval of the hostile name")
        page.goto(url)
        iframe, frame = map_frame(page)
        frame.wait_for_function(
            f"(places) => ({IN_CLUSTER_JS})(places)[0]", arg=[list(where)], timeout=TIMEOUT_MS
        )
        _click_cluster_point(page, iframe, frame, where)
        title = frame.locator(".leaflet-popup .hs-title")
        title.wait_for(timeout=TIMEOUT_MS)
        assert title.inner_text().strip() == HOSTILE_NAME
        screenshot(page, "field-map-hostile-name")
        assert (page.evaluate(INJECTED_JS), frame.evaluate(INJECTED_JS)) == (0, 0)
        page.wait_for_timeout(1_000)  # an onerror of a broken image fires once its load fails
        assert dialogs == []
        assert not real_errors(errors, blocked)
    finally:
        context.close()


def _refuse(dialog: Any, dialogs: list[str]) -> None:
    dialogs.append(dialog.message)
    with contextlib.suppress(Exception):
        dialog.dismiss()


def _click_cluster_point(page: Any, iframe: Any, frame: Any, where: tuple[float, float]) -> None:
    """Zoom in until the map's point at ``where`` is drawn on its own, then click it as a user would."""
    frame.wait_for_function(
        f"(where) => ({SHOW_CLUSTER_POINT_JS})(where)", arg=list(where), timeout=TIMEOUT_MS
    )
    iframe.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # the markers of the new zoom are drawn, the page has scrolled
    spot = frame.evaluate(SHOW_CLUSTER_POINT_JS, list(where))
    box = iframe.bounding_box()
    page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])


def _tap_map_at(page: Any, place: tuple[float, float]) -> dict[str, float]:
    """Centre the report map on ``place``, tap its centre; returns the place tapped, once the page took it."""
    from playwright.sync_api import expect

    iframe, frame = map_frame(page)
    iframe.scroll_into_view_if_needed()
    frame.evaluate(f"() => {{ window.map.setView([{place[0]}, {place[1]}], 13, {{animate: false}}); }}")
    latitude = page.get_by_role("textbox", name=t("report.latitude", "vi"), exact=True)
    # The component listens for taps a moment after Leaflet draws: tap again while nothing happens.
    for _attempt in range(3):
        size = frame.evaluate("() => window.map.getSize()")
        x, y = size["x"] / 2, size["y"] / 2
        tapped = frame.evaluate(f"() => window.map.containerPointToLatLng([{x}, {y}])")
        box = iframe.bounding_box()
        page.touchscreen.tap(box["x"] + x, box["y"] + y)
        with contextlib.suppress(AssertionError):
            expect(latitude).not_to_have_value("", timeout=10_000)
            return tapped
    pytest.fail("three taps on the report map placed no point")


def _pending_reports(env: dict[str, str], count: int) -> dict[str, str]:
    """Report ``count`` new places as a field user, straight into the store; returns {id: name}."""
    taken: list[tuple[float, float]] = []
    reported = {}
    with open_store(store_url(env), seed=False) as store:
        reporter = sign_in(store, "bao-diem-thu", "field", display_name="Nguyễn Văn An")
    for number in range(1, count + 1):
        lat, lon = empty_place(env, taken=tuple(taken))
        taken.append((lat, lon))
        name = f"Ao chờ duyệt số {number} (thử)"
        properties = {"name": name, "water_type": "pond", "risk_level": "high", "hazards": [], "notes": ""}
        with open_store(store_url(env), seed=False) as store:
            reported[store.add_risk_point(properties, lon=lon, lat=lat, user=reporter)] = name
    assert _statuses(env, *reported) == dict.fromkeys(reported, "pending")
    return reported


def _tick_rows(page: Any, rows: list[int]) -> None:
    """Tick rows of the review queue's table by their checkbox; waits for each tick's rerun."""
    grid = page.locator(".st-key-review_queue [data-testid='stDataFrame']")
    grid.wait_for(timeout=TIMEOUT_MS)
    for ticked, row in enumerate(rows, start=1):
        button = page.get_by_role("button", name=t("review.approve", "vi", count=ticked))
        for _attempt in range(3):
            grid.scroll_into_view_if_needed()
            box = grid.bounding_box()
            page.mouse.click(box["x"] + GRID_MARKER_X, box["y"] + GRID_ROW_PX * (row + 1) + GRID_ROW_PX / 2)
            with contextlib.suppress(Exception):
                button.wait_for(timeout=10_000)
                break
        else:
            screenshot(page, "failure-review-tick")
            pytest.fail(f"ticking row {row} of the review queue did not select it")
        assert button.is_enabled()
    _settled(page)


def _settled(page: Any) -> None:
    """Wait until the rerun is over: nothing on the page is left from the run before."""
    page.wait_for_function(
        "() => !document.querySelector(\"[data-stale='true']\")"
        " && !document.querySelector(\"[data-testid='stStatusWidget'] button\")",
        timeout=TIMEOUT_MS,
    )
    page.wait_for_timeout(500)


def _pick_point(page: Any, point_id: str, name: str, status: str) -> str:
    """Choose a point in the review page's picker (typing its id: the list is long); returns what it shows."""
    from playwright.sync_api import expect

    expected = f"{point_id} – {name} ({label('status', status, 'vi')})"
    picker = page.get_by_test_id("stSelectbox").filter(has_text=t("review.pick_point", "vi"))
    # The chosen option is the value of the selectbox's text field.
    chosen = picker.get_by_role("combobox")
    for _attempt in range(3):
        chosen.click()
        # A rerun in flight may close the list and leave the typed text: type it afresh each time.
        chosen.press("ControlOrMeta+a")
        page.keyboard.type(point_id)
        with contextlib.suppress(Exception):
            page.get_by_role("option", name=expected, exact=True).click(timeout=5_000)
            expect(chosen).to_have_value(expected, timeout=10_000)
            break
    else:
        screenshot(page, "failure-review-pick")
        options = page.get_by_role("option").all_inner_texts()[:5]
        pytest.fail(
            f"could not pick {expected!r}; the list offers {options}; it shows {chosen.input_value()!r}"
        )
    return chosen.input_value()


def _map_shows(
    page: Any, url: str, env: dict[str, str], reported: dict[str, str], approved: list[str]
) -> None:
    """The map page counts the approved points and draws them in its cluster; not the one still pending."""
    page.goto(url)
    _iframe, frame = map_frame(page)
    assert metric_value(page, t("metric.points_shown", "vi")) == SAMPLE_POINTS + len(approved)
    assert point_ids(env, status="active") >= set(approved)
    with open_store(store_url(env), seed=False) as store:
        points = store.read_layer("risk_points", include_retired=True).set_index("point_id")
    places = [[points.loc[point_id].geometry.y, points.loc[point_id].geometry.x] for point_id in reported]
    wanted = [point_id in approved for point_id in reported]
    with contextlib.suppress(Exception):  # chunked loading: the last points come a moment later
        frame.wait_for_function(
            f"([places, wanted]) => JSON.stringify(({IN_CLUSTER_JS})(places)) === JSON.stringify(wanted)",
            arg=[places, wanted],
            timeout=TIMEOUT_MS,
        )
    assert dict(zip(reported, frame.evaluate(IN_CLUSTER_JS, places), strict=True)) == dict(
        zip(reported, wanted, strict=True)
    )
    counts = frame.evaluate(COUNT_JS)
    assert counts["inCluster"] + counts["blackSpots"] == SAMPLE_POINTS + len(approved), counts
    assert page.locator(MAP_IFRAME).count() == 1
