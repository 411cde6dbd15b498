"""The app in a real headless Chromium with no internet: the map must draw from the local files.

AppTest cannot see a blank map (the component's iframe stays 0 px high when
Leaflet fails to load, and Streamlit reports nothing); only a browser can.
Needs Debian's ``chromium`` and the files of ``scripts/fetch_static.sh``.
Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from hotspots.config import GEODATA_DIR, METRIC_CRS, WGS84
from hotspots.i18n import label, t
from hotspots.maps.assets import missing_files
from hotspots.store import DATABASE_URL_ENV, SQLITE_FILE_NAME, open_store
from pages._common import DATA_DIR_VARIABLE, STORE_DIR_VARIABLE, URL_PATHS
from tests import map_fixtures as fx

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
TIMEOUT_MS = 60_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"
#: Requests that may be refused without harming the map: map tiles and web fonts.
HARMLESS_BLOCKED = ("tile", "arcgisonline", "fonts.g")

# Counts what the map really holds: points in the cluster (as clusters and single
# markers at the current zoom) and black-spot markers drawn in the page.
COUNT_JS = """() => {
    const result = {inCluster: 0, clustered: 0, single: 0, clusterIcons: 0,
        blackSpots: document.querySelectorAll(".hs-black-wrap").length,
        legend: !!document.querySelector(".hs-legend"),
        legendOpen: !!document.querySelector(".hs-legend details[open]"),
        layerControl: !!document.querySelector(".leaflet-control-layers"),
        width: window.map ? window.map.getSize().x : 0};
    window.map.eachLayer((layer) => {
        if (!(layer instanceof L.MarkerClusterGroup)) { return; }
        result.inCluster += layer.getLayers().length;
        layer._featureGroup.eachLayer((item) => {
            if (item instanceof L.MarkerCluster) {
                result.clustered += item.getChildCount();
                result.clusterIcons += 1;
            } else { result.single += 1; }
        });
    });
    return result;
}"""


@pytest.fixture(scope="module")
def chromium():
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with _streamlit_server(tmp_path_factory) as running:
        yield running


@contextlib.contextmanager
def _streamlit_server(tmp_path_factory):
    """A fresh ``streamlit run app.py`` with a store of its own; yields (url, environment)."""
    absent = missing_files()
    assert not absent, f"static/vendor is incomplete ({absent[0]}): run scripts/fetch_static.sh"
    env = {key: value for key, value in os.environ.items() if key != DATABASE_URL_ENV}
    # A store of its own: the test adds a point, which must not land in the real data/ store.
    env[STORE_DIR_VARIABLE] = str(tmp_path_factory.mktemp("store"))
    if not (GEODATA_DIR / "risk_points.geojson").exists():
        env[DATA_DIR_VARIABLE] = str(fx.write_geodata(tmp_path_factory.mktemp("geodata")))
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process, log)
        yield url, env
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def open_page(browser, server):
    """Open a page of the app offline; returns (page, blocked URLs, console errors)."""
    server, _env = server
    contexts = []

    def _open(path="/", *, width=1400, height=900):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        blocked, errors = [], []

        def route(route):
            if route.request.url.startswith(server):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", lambda message: errors.append(message) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(error))
        page.goto(server + path)
        return page, blocked, errors

    yield _open
    for context in contexts:
        context.close()


def _map_frame(page, selector=MAP_IFRAME):
    iframe = page.wait_for_selector(selector, state="attached", timeout=TIMEOUT_MS)
    frame = iframe.content_frame()
    try:
        frame.wait_for_function("() => window.map && window.hsMap && window.L", timeout=TIMEOUT_MS)
    except Exception as error:  # the map never drew: say so rather than time out cryptically
        pytest.fail(f"Leaflet did not draw the map inside the component iframe: {error}")
    return iframe, frame


def _next_map_frame(page, old_iframe):
    """The map drawn after a rerun: the component replaces its iframe when the map changes."""
    old_iframe.evaluate("(element) => { element.dataset.hsOld = '1'; }")
    return _map_frame(page, f"{MAP_IFRAME}:not([data-hs-old])")


def _shown_points(page):
    metric = page.locator("[data-testid='stMetricValue']").first
    return int(metric.inner_text().replace(".", "").replace(",", ""))


def _settled_counts(frame, expected):
    """Counts once chunked loading has put every point in the cluster."""
    # On a timeout the caller's assertion reports the counts, which says more than the timeout.
    with contextlib.suppress(Exception):
        frame.wait_for_function(
            f"() => ({COUNT_JS})().inCluster + ({COUNT_JS})().blackSpots === {expected}", timeout=TIMEOUT_MS
        )
    return frame.evaluate(COUNT_JS)


def _real_errors(errors, blocked):
    def harmless(message):
        text = str(getattr(message, "text", message))
        location = getattr(message, "location", None) or {}
        url = location.get("url", "")
        # A refused tile or font request is logged as a failed resource; so is Streamlit probing
        # "<page>/_stcore/..." for a base path when a page is opened by its own URL.
        if "404" in text and "/_stcore/" in url:
            return True
        return "ERR_FAILED" in text and (url in blocked or any(h in url for h in HARMLESS_BLOCKED))

    return [
        f"{getattr(m, 'text', m)} ({(getattr(m, 'location', None) or {}).get('url', '')})"
        for m in errors
        if not harmless(m)
    ]


def _check_map(page, blocked, errors, *, name):
    iframe, frame = _map_frame(page)
    box = iframe.bounding_box()
    assert box is not None and box["height"] > 0, "the map iframe has no height: the map did not load"
    shown = _shown_points(page)
    counts = _settled_counts(frame, shown)
    assert counts["clustered"] + counts["single"] == counts["inCluster"], counts
    assert counts["inCluster"] + counts["blackSpots"] == shown, counts
    assert counts["legend"], "the legend is missing"
    assert counts["layerControl"], "the layer control is missing"
    scripts_blocked = [url for url in blocked if not any(h in url for h in HARMLESS_BLOCKED)]
    assert not scripts_blocked, f"the app asked the internet for: {scripts_blocked}"
    assert not _real_errors(errors, blocked)
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
                && layer.options.icon.options.className === "hs-black-wrap") {
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
    iframe, _frame = _map_frame(page)
    page.get_by_text(t("map.heatmap", "vi")).click()
    iframe, frame = _next_map_frame(page, iframe)
    frame.wait_for_selector(".leaflet-heatmap-layer", state="attached", timeout=TIMEOUT_MS)

    page.get_by_test_id("stSelectbox").filter(has_text=t("map.basemap", "vi")).click()
    page.get_by_role("option", name=label("basemap", "osm", "vi")).click()
    _iframe, frame = _next_map_frame(page, iframe)
    frame.wait_for_function("() => document.querySelectorAll('.leaflet-tile').length > 0", timeout=TIMEOUT_MS)
    # The tiles are refused (no internet), yet the vector map and its markers are there.
    assert any("tile.openstreetmap.org" in url for url in blocked)
    assert frame.evaluate(COUNT_JS)["legend"]
    assert not _real_errors(errors, blocked)


def test_communes_page_draws_its_map(open_page):
    page, blocked, errors = open_page(f"/{URL_PATHS['communes']}", width=1400, height=900)
    iframe, _frame = _map_frame(page)
    assert iframe.bounding_box()["height"] > 0
    assert page.locator("[data-testid='stDataFrame']").count() >= 1
    assert not _real_errors(errors, blocked)
    page.screenshot(path=str(SCREENSHOTS / "communes-desktop.png"))


def test_a_click_on_the_report_map_places_a_new_point(open_page, server):
    from playwright.sync_api import expect

    page, blocked, errors = open_page("/", width=1400, height=900)
    _map_frame(page)
    before = _shown_points(page)

    page, blocked, errors = open_page(f"/{URL_PATHS['report']}", width=1400, height=900)
    iframe, frame = _map_frame(page)
    lat, lon = _empty_place(server[1])
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
        field.fill(text)
        field.press("Enter")
    for key, field, value in (
        ("report.water_type", "water_type", "pond"),
        ("report.risk_level", "risk_level", "high"),
    ):
        _choose(page, t(key, "vi"), label(field, value, "vi"))
    page.get_by_role("button", name=t("report.submit", "vi")).click()
    added = page.get_by_text(re.compile(r"^Đã ghi điểm \S+ ở trạng thái chờ duyệt"))
    added.wait_for(timeout=TIMEOUT_MS)
    expect(latitude).to_have_value("", timeout=TIMEOUT_MS)  # the form is ready for the next report
    _map_frame(page)
    added.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "report-desktop.png"))
    assert not _real_errors(errors, blocked)

    page, blocked, errors = open_page("/", width=1400, height=900)
    _map_frame(page)
    assert _shown_points(page) == before + 1

    page, blocked, errors = open_page(f"/{URL_PATHS['review']}", width=1400, height=900)
    page.get_by_text("Ao mới đào (thử)").first.wait_for(state="attached", timeout=TIMEOUT_MS)
    page.screenshot(path=str(SCREENSHOTS / "review-desktop.png"))
    assert not _real_errors(errors, blocked)


def _choose(page, heading, option):
    """Pick an option of a selectbox; a rerun still in flight may close the list, so try again."""
    for _attempt in range(3):
        page.get_by_test_id("stSelectbox").filter(has_text=heading).click()
        with contextlib.suppress(Exception):
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            return
    pytest.fail(f"could not choose {option!r} in {heading!r}")


def _empty_place(env):
    """A place inside the province, at least 1.5 km from every risk point, to click on."""
    database = Path(env[STORE_DIR_VARIABLE]) / SQLITE_FILE_NAME
    with open_store(f"sqlite:///{database}", seed=False) as store:
        outline = shapely.union_all(store.read_layer("province").to_crs(METRIC_CRS).geometry.to_numpy())
        points = store.read_layer("risk_points").to_crs(METRIC_CRS).geometry.to_numpy()
    inner = outline.buffer(-2_000)
    tree = shapely.STRtree(points)
    minx, miny, maxx, maxy = inner.bounds
    for share_x in (0.5, 0.4, 0.6, 0.3, 0.7):
        for share_y in (0.5, 0.4, 0.6, 0.3, 0.7):
            candidate = shapely.Point(minx + share_x * (maxx - minx), miny + share_y * (maxy - miny))
            if (
                inner.contains(candidate)
                and tree.query_nearest(candidate, return_distance=True)[1][0] > 1_500
            ):
                lon, lat = gpd.GeoSeries([candidate], crs=METRIC_CRS).to_crs(WGS84).iloc[0].coords[0]
                return lat, lon
    pytest.fail("no empty place in the province to click on")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_healthy(url, process, log, timeout_s=60):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"streamlit did not answer within {timeout_s} s:\n{log.read_text()[-2000:]}")


def test_a_bookmarked_page_opened_first_after_a_restart_gets_the_app_shell(browser, tmp_path_factory):
    # Until app.py has run once, Streamlit still serves pages/*.py by file name (its legacy
    # multipage mode): a bookmark matching a file name would run that page bare, without
    # navigation, language switch or page setup.
    with _streamlit_server(tmp_path_factory) as (url, _env):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.route(
            "**/*", lambda route: route.continue_() if route.request.url.startswith(url) else route.abort()
        )
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{url}/{URL_PATHS['review']}")
        page.get_by_text(t("review.title", "vi"), exact=True).first.wait_for(timeout=TIMEOUT_MS)
        page.get_by_text(t("app.language", "vi"), exact=True).first.wait_for(timeout=TIMEOUT_MS)
        navigation = page.get_by_test_id("stSidebarNav").inner_text()
        assert t("nav.review", "vi") in navigation
        assert "common" not in navigation
        context.close()
