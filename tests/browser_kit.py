"""Headless Chromium against a fresh ``streamlit run app.py``: the fixtures and helpers of the browser tests.

Registered as a plugin by ``tests/conftest.py`` so that every ``test_browser*.py`` module
shares one set of fixtures:

- ``chromium``: the path of Debian's ``chromium`` (the test skips without it, and fails
  instead under ``HOTSPOTS_REQUIRE_ALL=1``, see :mod:`tests.strict_skips`);
- ``browser``: one Playwright Chromium per module;
- ``server``: one ``streamlit run`` per module, with a store of its own, as ``(url, env)``;
- ``open_page``: a page of that server in a fresh context where every request that does
  not go to the server is aborted (no internet), as ``(page, blocked URLs, errors)``.

:func:`log_in` logs a page in when it is reserved to a role (report, review).

:func:`streamlit_server` starts a server of one's own (a "first visit after a restart").
Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely

# The app's modules (hotspots, Streamlit, folium) are imported where used: this plugin is loaded
# by every test run, which neither needs them nor should break when one of them does not import.

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
#: Said by the skip of every browser test when Chromium is missing (see tests/strict_skips.py).
NO_CHROMIUM = "Debian's chromium is not installed (apt-get install chromium)"

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
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip(NO_CHROMIUM)
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    with streamlit_server(tmp_path_factory) as running:
        yield running


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def open_page(browser: Any, server: tuple[str, dict[str, str]]) -> Iterator[Any]:
    """Open a page of the app offline; returns (page, blocked URLs, console errors)."""
    url, _env = server
    contexts = []

    def _open(path: str = "/", *, width: int = 1400, height: int = 900, **options: Any):
        context, page, blocked, errors = offline_page(browser, url, width=width, height=height, **options)
        contexts.append(context)
        page.goto(url + path)
        return page, blocked, errors

    yield _open
    for context in contexts:
        context.close()


def offline_page(browser: Any, url: str, *, width: int, height: int, **options: Any):
    """A new context and page that may only reach ``url``; returns (context, page, blocked, errors).

    ``options`` go to ``browser.new_context`` (``has_touch=True`` for a phone's taps).
    """
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    blocked: list[str] = []
    errors: list[Any] = []

    def route(route):
        if route.request.url.startswith(url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("console", lambda message: errors.append(message) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(error))
    return context, page, blocked, errors


@contextlib.contextmanager
def streamlit_server(
    tmp_path_factory: pytest.TempPathFactory, *, store_dir: Path | str | None = None
) -> Iterator[tuple[str, dict[str, str]]]:
    """A fresh ``streamlit run app.py`` with a store of its own; yields (url, environment).

    ``store_dir``: the store folder of an earlier server (a restart), instead of a new one.
    """
    from hotspots.config import GEODATA_DIR
    from hotspots.maps.assets import missing_files
    from hotspots.store import DATABASE_URL_ENV
    from pages._common import DATA_DIR_VARIABLE, STORE_DIR_VARIABLE
    from tests import map_fixtures as fx

    absent = missing_files()
    assert not absent, f"static/vendor is incomplete ({absent[0]}): run scripts/fetch_static.sh"
    env = {key: value for key, value in os.environ.items() if key != DATABASE_URL_ENV}
    # A store of its own: the tests add points, which must not land in the real data/ store.
    env[STORE_DIR_VARIABLE] = str(store_dir or tmp_path_factory.mktemp("store"))
    if not (GEODATA_DIR / "risk_points.geojson").exists():
        env[DATA_DIR_VARIABLE] = str(fx.write_geodata(tmp_path_factory.mktemp("geodata")))
    port = free_port()
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
                # The code as it was when the server started: no rerun on a file saved meanwhile.
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, log)
        yield url, env
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def map_frame(page: Any, selector: str = MAP_IFRAME):
    """The map component's iframe and frame, once Leaflet has drawn in it."""
    try:
        iframe = page.wait_for_selector(selector, state="attached", timeout=TIMEOUT_MS)
    except Exception as error:  # no map at all: say what the page shows instead
        shown = page.locator("[data-testid='stMain']").inner_text()[:1500]
        path = screenshot(page, "failure-no-map")
        pytest.fail(f"no map on the page ({error.__class__.__name__}); it shows ({path.name}):\n{shown}")
    frame = iframe.content_frame()
    try:
        # The main map draws its background and controls after the points (hsMap.afterPoints).
        frame.wait_for_function(
            "() => window.map && window.hsMap && window.L && window.hsBackgroundDrawn !== false",
            timeout=TIMEOUT_MS,
        )
    except Exception as error:  # the map never drew: say so rather than time out cryptically
        pytest.fail(f"Leaflet did not draw the map inside the component iframe: {error}")
    return iframe, frame


def next_map_frame(page: Any, old_iframe: Any):
    """The map drawn after a rerun: the component replaces its iframe when the map changes."""
    old_iframe.evaluate("(element) => { element.dataset.hsOld = '1'; }")
    return map_frame(page, f"{MAP_IFRAME}:not([data-hs-old])")


def shown_points(page: Any) -> int:
    """The first headline metric of the map page (risk points shown), as a number."""
    metric = page.locator("[data-testid='stMetricValue']").first
    return int(metric.inner_text().replace(".", "").replace(",", ""))


def metric_value(page: Any, heading: str) -> int:
    """The value of the metric whose label is exactly ``heading``, once it is drawn."""
    page.get_by_test_id("stMetricLabel").get_by_text(heading, exact=True).first.wait_for(timeout=TIMEOUT_MS)
    text = page.evaluate(
        """(heading) => {
            for (const metric of document.querySelectorAll("[data-testid='stMetric']")) {
                const label = metric.querySelector("[data-testid='stMetricLabel']");
                if (label && label.innerText.trim() === heading) {
                    return metric.querySelector("[data-testid='stMetricValue']").innerText;
                }
            }
            return null;
        }""",
        heading,
    )
    assert text is not None, f"no metric labelled {heading!r}"
    return int(text.strip().replace(".", "").replace(",", ""))


def settled_counts(frame: Any, expected: int) -> dict[str, Any]:
    """Counts once chunked loading has put every point in the cluster."""
    # On a timeout the caller's assertion reports the counts, which says more than the timeout.
    with contextlib.suppress(Exception):
        frame.wait_for_function(
            f"() => ({COUNT_JS})().inCluster + ({COUNT_JS})().blackSpots === {expected}", timeout=TIMEOUT_MS
        )
    return frame.evaluate(COUNT_JS)


def real_errors(errors: list[Any], blocked: list[str]) -> list[str]:
    """The console errors that are not a refused tile or font, nor Streamlit's base-path probe."""

    def harmless(message: Any) -> bool:
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


def log_in(page: Any, env: dict[str, str], *roles: str, shown: str = MAP_IFRAME) -> None:
    """When the open page asks for a login, log in with a new account of the server's store having ``roles``.

    A page reserved to a role shows its title and a login form instead of itself; the
    account is added to the server's store directly (``tests/auth_kit.py``), then typed
    into that form, as a user would. A page open to everybody is left as it is: ``shown``
    is a selector of the page itself (by default its map), which tells one from the other.
    """
    from playwright.sync_api import expect

    from hotspots.i18n import t
    from hotspots.store import open_store

    password = page.locator("[data-testid='stMain'] input[type='password']")
    # Either the page itself or, in its place, the login form; not what a rerun is replacing.
    fresh = "[data-testid='stElementContainer'][data-stale='false']"
    page.locator(f"{fresh} {shown}, {fresh} input[type='password']").first.wait_for(
        state="attached", timeout=TIMEOUT_MS
    )
    if password.count() == 0:
        return
    from tests.auth_kit import PASSWORD, add_account

    name = f"thu-{'-'.join(roles)}-{secrets.token_hex(3)}"
    with open_store(store_url(env), seed=False) as store:
        add_account(store, name, *roles)
    main = page.get_by_test_id("stMain")
    main.get_by_role("textbox", name=t("login.name", "vi"), exact=True).fill(name)
    password.fill(PASSWORD)
    main.get_by_role("button", name=t("login.submit", "vi"), exact=True).click()
    expect(password).to_have_count(0, timeout=TIMEOUT_MS)


def choose(page: Any, heading: str, option: str, *, widget: str = "stSelectbox") -> None:
    """Pick an option of a selectbox (or multiselect); a rerun still in flight may close the list: again."""
    for _attempt in range(3):
        page.get_by_test_id(widget).filter(has_text=heading).click()
        with contextlib.suppress(Exception):
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            return
    pytest.fail(f"could not choose {option!r} in {heading!r}")


def store_url(env: dict[str, str]) -> str:
    """The URL of the SQLite store of a server started by :func:`streamlit_server`, once the app made it.

    Opening it earlier would create an empty store, which the app would then not seed.
    """
    from hotspots.store import SQLITE_FILE_NAME
    from pages._common import STORE_DIR_VARIABLE

    path = Path(env[STORE_DIR_VARIABLE]) / SQLITE_FILE_NAME
    if not path.exists():
        pytest.fail("the app has not created its store yet: open one of its pages first")
    return f"sqlite:///{path}"


def point_ids(env: dict[str, str], *, status: str | None = None) -> set[str]:
    """The ids of the server's risk points (of every status), or of those with ``status``."""
    from hotspots.store import open_store

    with open_store(store_url(env), seed=False) as store:
        points = store.read_layer("risk_points", include_retired=True)
    if status is not None:
        points = points[points["status"] == status]
    return set(points["point_id"])


def empty_place(env: dict[str, str], *, taken: tuple[tuple[float, float], ...] = ()) -> tuple[float, float]:
    """A place (lat, lon) inside the province, at least 1.5 km from every risk point and from ``taken``."""
    from hotspots.config import METRIC_CRS, WGS84
    from hotspots.store import open_store

    with open_store(store_url(env), seed=False) as store:
        outline = shapely.union_all(store.read_layer("province").to_crs(METRIC_CRS).geometry.to_numpy())
        points = store.read_layer("risk_points", include_retired=True).to_crs(METRIC_CRS)
    others = gpd.GeoSeries([shapely.Point(lon, lat) for lat, lon in taken], crs=WGS84).to_crs(METRIC_CRS)
    tree = shapely.STRtree([*points.geometry.to_numpy(), *others.to_numpy()])
    inner = outline.buffer(-2_000)
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


def screenshot(page: Any, name: str) -> Path:
    """Save what the viewport shows as ``artifacts/screenshots/<name>.png``, after a moment for icons."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen, log: Path, timeout_s: float = 60) -> None:
    """Wait for ``/_stcore/health``; fail with the end of the server's log when it never answers."""
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
