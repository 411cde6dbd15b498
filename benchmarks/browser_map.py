"""Benchmark: the map in a real browser at national scale, ours against a bare folium FastMarkerCluster.

Run on demand (not a test)::

    .venv/bin/python benchmarks/browser_map.py [--sizes 891 10000 30000 100000] [--repeats 5]
    .venv/bin/python benchmarks/browser_map.py --profile 100000     # where the time goes, at 100,000

What is timed: **page open → all points drawn**, in headless Debian Chromium with no network
(every request that does not go to the local server is aborted). The clock starts when the
browser starts navigating to the page (``performance.timeOrigin``) and stops once the browser
has drawn the first animation frame in which

* every point meant for the cluster layer is in its clustering index (for Leaflet.markercluster:
  nothing left in ``_needsClustering`` and ``_topClusterLevel.getChildCount()`` equals the number
  of clustered points, which a group reaches once all its markers are clustered and its clusters
  are on the map, in the same task), and
* every black spot and pending report is a marker on the map (ours only).

A probe in the page's head checks this in every animation frame from the first, and stamps the
time in a task queued from the frame where it first holds: that task runs once the frame is
drawn, so the time includes painting the points. (An earlier probe, appended after the page's
script, stamped the next frame after its own check: once ours drew its background in a task of
its own after the points' frame, that next frame waited for the background, ~0.3 s at 891
points, although the points were already on screen.) Ours is also timed to **everything drawn**:
the background layers and controls too (``window.hsBackgroundDrawn``, see ``hsMap.afterPoints``).

Both pages are folium HTML written to temporary files and served by a local ``http.server``
together with ``static/vendor`` (run ``bash scripts/fetch_static.sh`` first), so both load the
same Leaflet files the same way.

* **ours**: :func:`hotspots.maps.build_map` as the map page builds it: the sample's real province,
  communes, water, play spaces, classes and trainings, coverage colours, popups, black spots.
* **bare**: ``folium.Map`` with one ``FastMarkerCluster`` of the same points (no colours, no popups,
  no other layers), fitted to the same view.
* **points only**: ours without the background layers (province, communes, water, facilities, play
  spaces): what the point layers cost by themselves.

Points are spread uniformly over the sample province's land, ~1.6 % of them black spots (as
at national scale), named after the sample's points, with hazards, communes by location and
coverage from the sample's classes and trainings. Medians of ``--repeats`` fresh browser
contexts (the three pages alternate, in one browser). Goals, printed pass/fail:

* page open within 1.5 × the bare cluster's at every size;
* no black spot hidden inside, or under, a cluster at zoom 12 (a commune fills the screen):
  for the communes with the most black spots, every black spot in view is its own marker and is
  the topmost element where it is drawn (map controls such as the legend excepted).

JavaScript errors thrown while a page loads are listed under the table. ``--profile N`` loads
ours and bare once each at N points under Chromium's CPU profiler (CDP ``Profiler``) and prints
the navigation milestones, the time spent inside each phase of drawing (inclusive) and the
functions with the most self time. ``--keep DIR`` also writes the pages to DIR.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import shutil
import statistics
import sys
import tempfile
import threading
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import shapely

# Run as a script from anywhere: the package lives one folder up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _app_server import risk_points, sample_background

from hotspots.analysis import coverage_table
from hotspots.config import DEFAULT_RESCUE_RADIUS_M, DEFAULT_SWIM_RADIUS_M, GEODATA_DIR, WGS84
from hotspots.maps import VENDOR_DIR, build_map, missing_files
from hotspots.maps.assets import use_assets

SIZES = (891, 10_000, 30_000, 100_000)
#: Pages timed at each size: ours, the bare cluster, and ours without the background layers.
VARIANTS = ("ours", "bare", "points")
#: Also timed on ours: page open → everything drawn (the background layers and controls too).
EVERYTHING = "ours, everything"
GOAL_RATIO = 1.5
CHECK_ZOOM = 12
CHECK_COMMUNES = 4
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 180_000
SETTLE_TIMEOUT_MS = 15_000
#: JavaScript errors thrown by each page (its first line), reported under the table.
PAGE_ERRORS: dict[str, list[str]] = defaultdict(list)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Put in each page's head, before the page's own script: from the first animation frame, checks in
# every frame whether the cluster layer holds every point and the separate markers are on the map.
# The frame in which that first holds is the one that paints them: window.__drawn (ms since
# navigation start) is stamped in a task queued from that frame's callback, which runs once the frame
# is drawn, and before any task the page queues in the same frame (the map's background, see
# hsMap.afterPoints: the probe's callback was registered a frame earlier, so it runs first).
# window.__allDrawn is stamped the same way once the page says its background is on the map too
# (window.hsBackgroundDrawn; a page without hsMap has none to wait for).
PROBE = """
<script>
(function () {
    var mapName = %(map)s, clustered = %(clustered)d, groups = [%(groups)s], separate = %(separate)d;
    function inClusters(map) {
        var n = 0, waiting = 0;
        map.eachLayer(function (layer) {
            if (layer instanceof L.MarkerClusterGroup) {
                n += layer._topClusterLevel ? layer._topClusterLevel.getChildCount() : 0;
                waiting += layer._needsClustering.length;
            }
        });
        return waiting ? -1 : n;
    }
    function separateMarkers(map) {
        var n = 0;
        groups.forEach(function (name) {
            var group = window[name];
            if (group && map.hasLayer(group)) { n += group.getLayers().length; }
        });
        return n;
    }
    function afterThisFrame(stamp) { setTimeout(function () { window[stamp] = performance.now(); }, 0); }
    function everything() {
        if (window.hsMap && !window.hsBackgroundDrawn) { requestAnimationFrame(everything); return; }
        afterThisFrame("__allDrawn");
    }
    function tick() {
        // Until the page's script makes the map, window[mapName] is the map's <div> (its id).
        var map = window.L && window[mapName] instanceof L.Map ? window[mapName] : null;
        if (map && inClusters(map) === clustered && separateMarkers(map) === separate) {
            window.__countedAt = performance.now();
            window.__benchMap = map;
            window.__benchBlack = %(black)s ? window[%(black)s] : null;
            afterThisFrame("__drawn");
            requestAnimationFrame(everything);
            return;
        }
        requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
})();
</script>
"""

# The map has finished moving and markercluster has finished animating its clusters.
SETTLED_JS = """() => {
    const map = window.__benchMap;
    return !map._animatingZoom && !map._mapPane.classList.contains("leaflet-cluster-anim");
}"""

# For every black spot in view at the current zoom: is it a marker of its own on the map, drawn at
# its place, and the topmost element there (not inside, nor under, a cluster icon)?
BLACK_SPOTS_IN_VIEW_JS = """(spots) => {
    const map = window.__benchMap, bounds = map.getBounds(), size = map.getSize();
    const box = map.getContainer().getBoundingClientRect();
    const markers = new Map();
    window.__benchBlack.eachLayer((layer) => {
        if (map.hasLayer(layer) && layer._icon) {
            const at = layer.getLatLng();
            markers.set(at.lat.toFixed(5) + "," + at.lng.toFixed(5), layer);
        }
    });
    const result = {zoom: map.getZoom(), inView: 0, ownMarker: 0, offPlace: 0, onTop: 0, underCluster: 0,
        underControl: 0, underOther: 0, other: []};
    for (const [lat, lng] of spots) {
        if (!bounds.contains([lat, lng])) { continue; }
        const point = map.latLngToContainerPoint([lat, lng]);
        if (point.x < 12 || point.y < 12 || point.x > size.x - 12 || point.y > size.y - 12) { continue; }
        result.inView += 1;
        const marker = markers.get(lat.toFixed(5) + "," + lng.toFixed(5));
        if (!marker) { continue; }
        result.ownMarker += 1;
        // Where the browser draws the icon (its centre), against where the point is.
        const icon = marker._icon.getBoundingClientRect();
        const x = (icon.left + icon.right) / 2, y = (icon.top + icon.bottom) / 2;
        if (Math.hypot(x - box.left - point.x, y - box.top - point.y) > 3) { result.offPlace += 1; }
        const top = document.elementFromPoint(x, y);
        if (top && top.closest(".hs-black-wrap")) { result.onTop += 1; }
        else if (top && top.closest(".marker-cluster")) { result.underCluster += 1; }
        else if (top && top.closest(".leaflet-control")) { result.underControl += 1; }
        else {
            result.underOther += 1;
            result.other.push(top ? top.tagName + "." + top.className + " in " + top.parentElement.className
                : "nothing");
        }
    }
    return result;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", type=int, metavar="N", help="profile ours once at N points instead")
    parser.add_argument(
        "--keep", type=Path, help="also write the pages (and a vendor/ link) into this folder"
    )
    args = parser.parse_args()

    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("Debian's chromium is needed: apt-get install chromium")
    absent = missing_files()
    if absent:
        sys.exit(f"static/vendor is incomplete ({absent[0]}): run bash scripts/fetch_static.sh")
    if not (GEODATA_DIR / "province.geojson").exists():
        sys.exit(f"the sample is needed in {GEODATA_DIR}")

    from playwright.sync_api import sync_playwright

    background = sample_background()
    with tempfile.TemporaryDirectory(prefix="browser-map-") as tmp, _serve(Path(tmp)) as url:
        folder = Path(tmp)
        (folder / "vendor").symlink_to(VENDOR_DIR, target_is_directory=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                if args.profile:
                    pages = _write_pages(folder, args.profile, background, keep=args.keep)
                    _profile(browser, url, pages)
                    return
                rows = []
                for n in args.sizes:
                    pages = _write_pages(folder, n, background, keep=args.keep)
                    times: dict[str, list[float]] = {variant: [] for variant in (*VARIANTS, EVERYTHING)}
                    for repeat in range(args.repeats):
                        order = VARIANTS if repeat % 2 == 0 else VARIANTS[::-1]
                        for variant in order:
                            points_s, everything_s = _page_open_s(browser, url, pages[variant])
                            times[variant].append(points_s)
                            if variant == "ours":
                                times[EVERYTHING].append(everything_s)
                    check = _black_spot_check(browser, url, pages["ours"], background["communes"])
                    rows.append((n, pages["ours"], times, check))
                    ours, bare = statistics.median(times["ours"]), statistics.median(times["bare"])
                    print(f"done {n:,} points: ours {ours:.2f} s, bare {bare:.2f} s", flush=True)
            finally:
                browser.close()
    _print_table(rows, args.repeats)


# --- the pages -------------------------------------------------------------------------------


def _write_pages(folder: Path, n: int, background: dict, *, keep: Path | None) -> dict[str, dict]:
    """Write ours and the bare cluster at ``n`` points; return each page's file name and counts.

    Both load Leaflet from ``vendor/`` next to them (a link to ``static/vendor``), wherever served.
    """
    rng = np.random.default_rng(n)
    points = risk_points(rng, n, background)
    table = coverage_table(points, background["swim_classes"], background["rescue_trainings"])
    layers = {k: v for k, v in background.items() if k != "names"}
    base = "vendor"
    fmap = build_map(
        table,
        layers,
        lang="vi",
        swim_radius_m=DEFAULT_SWIM_RADIUS_M,
        rescue_radius_m=DEFAULT_RESCUE_RADIUS_M,
        asset_base_url=base,
    )
    black = (table["risk_level"] == "black_spot").to_numpy()
    pending = (table["status"] == "pending").to_numpy()
    clustered = int((~black & ~pending).sum())
    separate = int((black | pending).sum())
    black_spots = [[round(p.y, 5), round(p.x, 5)] for p in table.geometry[black & ~pending]]
    ours = _finish(fmap, clustered=clustered, separate=separate)

    bare_map = folium.Map(location=fmap.location, zoom_start=9, tiles=None, maxZoom=18)
    latlng = np.column_stack([table.geometry.y, table.geometry.x]).round(5).tolist()
    folium.plugins.FastMarkerCluster(latlng).add_to(bare_map)
    view = [[float(v) for v in corner] for corner in _fit_bounds(fmap)]
    bare_map.fit_bounds(view)
    use_assets(bare_map, base_url=base)
    bare = _finish(bare_map, clustered=n, separate=0)
    # The same points without the background layers: what the point layers cost by themselves.
    points_map = build_map(
        table,
        {},
        lang="vi",
        swim_radius_m=DEFAULT_SWIM_RADIUS_M,
        rescue_radius_m=DEFAULT_RESCUE_RADIUS_M,
        asset_base_url=base,
    )
    points_only = _finish(points_map, clustered=clustered, separate=separate)

    pages = {}
    for variant, html in (("ours", ours), ("bare", bare), ("points", points_only)):
        name = f"{variant}-{n}.html"
        (folder / name).write_text(html, encoding="utf-8")
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / name).write_text(html, encoding="utf-8")
            if not (keep / "vendor").exists():
                (keep / "vendor").symlink_to(VENDOR_DIR, target_is_directory=True)
        pages[variant] = {
            "name": name,
            "n": n,
            "bytes": len(html.encode("utf-8")),
            "black_spots": black_spots,
        }
    return pages


def _finish(fmap: folium.Map, *, clustered: int, separate: int) -> str:
    """Render the page with the probe in its head.

    ``separate`` markers live in the black-spot and pending layers.
    """
    html = fmap.get_root().render()
    groups = [
        c for c in fmap._children.values() if type(c).__name__ in ("BlackSpotLayer", "PendingPointLayer")
    ]
    black = [g.get_name() for g in groups if type(g).__name__ == "BlackSpotLayer"]
    probe = PROBE % {
        "map": json.dumps(fmap.get_name()),
        "clustered": clustered,
        "groups": ", ".join(json.dumps(g.get_name()) for g in groups),
        "separate": separate,
        "black": json.dumps(black[0] if black else None),
    }
    return html.replace("</head>", probe + "</head>", 1)


def _fit_bounds(fmap: folium.Map) -> list[list[float]]:
    (fit,) = [c for c in fmap._children.values() if type(c).__name__ == "FitBounds"]
    return fit.bounds


# --- the browser -----------------------------------------------------------------------------


@contextlib.contextmanager
def _serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free local port (quietly, from a thread) and yield its URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a page closed while a file was still being sent: nothing to report

    handler = functools.partial(Quiet, directory=str(folder))
    server = Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def _offline_page(browser, url: str) -> Iterator:
    """A fresh context (empty cache) whose page may only reach ``url``."""
    context = browser.new_context(viewport=VIEWPORT)
    errors: list[str] = []

    def route(route):
        if route.request.url.startswith(url):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: errors.append(f"{error}\n{error.stack}"))
    try:
        yield page, errors
    finally:
        context.close()


def _page_open_s(browser, url: str, page_info: dict) -> tuple[float, float]:
    """Seconds from page open to the points drawn, and to everything drawn (background included)."""
    with _offline_page(browser, url) as (page, errors):
        page.goto(f"{url}/{page_info['name']}", wait_until="commit")
        try:
            page.wait_for_function("() => window.__allDrawn !== undefined", polling=50)
        except Exception as error:
            raise RuntimeError(f"{page_info['name']} never drew its points: {errors or error}") from error
        PAGE_ERRORS[page_info["name"]].extend(error.splitlines()[0] for error in errors)
        points_ms, everything_ms = page.evaluate("() => [window.__drawn, window.__allDrawn]")
        return points_ms / 1000, everything_ms / 1000


def _black_spot_check(browser, url: str, page_info: dict, communes: gpd.GeoDataFrame) -> dict:
    """Zoom to the communes with the most black spots; count black spots in view, and where each is."""
    spots = page_info["black_spots"]
    frame = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy([s[1] for s in spots], [s[0] for s in spots]), crs=WGS84
    )
    joined = gpd.sjoin(frame, communes.to_crs(WGS84)[["commune_id", "geometry"]], predicate="within")
    busiest = joined["commune_id"].value_counts().index[:CHECK_COMMUNES]
    totals: dict[str, int] = defaultdict(int)
    others: list[str] = []
    with _offline_page(browser, url) as (page, _errors):
        page.goto(f"{url}/{page_info['name']}", wait_until="commit")
        page.wait_for_function("() => window.__allDrawn !== undefined", polling=50)
        for commune_id in busiest:
            centre = communes.to_crs(WGS84)[communes["commune_id"] == commune_id].geometry.iloc[0]
            at = shapely.point_on_surface(centre)
            page.evaluate(
                f"() => {{ window.__benchMap.setView([{at.y}, {at.x}], {CHECK_ZOOM}, {{animate: false}}); }}"
            )
            # markercluster redraws on moveend and animates its icons (and every other marker icon,
            # black spots included: CSS transitions of 0.3 s) while the map pane has leaflet-cluster-anim.
            # A page whose cluster threw while animating never settles: check it as it stands.
            try:
                page.wait_for_function(SETTLED_JS, polling=50, timeout=SETTLE_TIMEOUT_MS)
                page.wait_for_timeout(600)
                page.wait_for_function(SETTLED_JS, polling=50, timeout=SETTLE_TIMEOUT_MS)
            except Exception:
                totals["unsettled"] += 1
            for key, value in page.evaluate(BLACK_SPOTS_IN_VIEW_JS, spots).items():
                if key == "other":
                    others.extend(value)
                elif key != "zoom":
                    totals[key] += value
    totals["zoom"] = CHECK_ZOOM
    totals["ok"] = (
        totals["inView"] > 0
        and totals["ownMarker"] == totals["inView"]
        and totals["underCluster"] == 0
        and totals["underOther"] == 0
    )
    return {**totals, "other": others}


# --- where the time goes ---------------------------------------------------------------------

#: Phases of drawing, by the function whose inclusive time measures each (ours and bare).
PHASES = (
    ("point markers built (hsMap.point / FastMarkerCluster callback)", ("point", "callback")),
    ("black spot markers built (hsMap.blackSpot)", ("blackSpot",)),
    ("markercluster hasLayer (scans of markers added off the map)", ("hasLayer",)),
    ("markercluster _addLayer (grid clustering)", ("_addLayer",)),
    ("cluster icons (iconCreateFunction)", ("clusterIcon", "_defaultIconCreateFunction")),
    ("clusters and markers put on the map (_recursivelyAddChildrenToMap)", ("_recursivelyAddChildrenToMap",)),
    ("canvas drawing (Canvas _redraw / _draw)", ("_redraw",)),
    ("GeoJSON layers (L.GeoJSON addData)", ("addData",)),
)
#: Navigation timing milestones printed by --profile.
NAVIGATION_JS = """() => {
    const nav = performance.getEntriesByType("navigation")[0];
    return {html: nav.responseEnd, scriptsRun: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
        counted: window.__countedAt, drawn: window.__drawn, all: window.__allDrawn};
}"""


def _profile(browser, url: str, pages: dict[str, dict]) -> None:
    for variant in ("ours", "bare"):
        page_info = pages[variant]
        with _offline_page(browser, url) as (page, _errors):
            cdp = page.context.new_cdp_session(page)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": 200})
            cdp.send("Profiler.start")
            page.goto(f"{url}/{page_info['name']}", wait_until="commit")
            page.wait_for_function("() => window.__allDrawn !== undefined", polling=50)
            page.wait_for_load_state("load")
            marks = page.evaluate(NAVIGATION_JS)
            profile = cdp.send("Profiler.stop")["profile"]
        total_s, inclusive, self_time = _summarise(profile)
        print(f"\n== {variant} at {page_info['n']:,} points ({page_info['bytes'] / 1e6:.1f} MB of HTML)")
        print(
            f"page open → HTML received {marks['html'] / 1000:.2f} s → page scripts run (DOMContentLoaded) "
            f"{marks['scriptsRun'] / 1000:.2f} s → load {marks['load'] / 1000:.2f} s → all points counted "
            f"{marks['counted'] / 1000:.2f} s → drawn (that frame painted) {marks['drawn'] / 1000:.2f} s"
            f" → everything drawn {marks['all'] / 1000:.2f} s"
        )
        print(f"CPU profile: {total_s:.2f} s busy on the page's main thread\n")
        print(f"{'phase (inclusive time)':<72} {'s':>6}")
        for title, keys in PHASES:
            print(f"{title:<72} {sum(inclusive.get(key, 0.0) for key in keys):>6.2f}")
        print(f"\n{'most self time':<72} {'s':>6}")
        for name, seconds in sorted(self_time.items(), key=lambda item: -item[1])[:15]:
            print(f"{name[:72]:<72} {seconds:>6.2f}")


def _summarise(profile: dict) -> tuple[float, dict[str, float], dict[str, float]]:
    """Busy time, inclusive time per function name, and self time per function and place, in seconds."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    parent = {child: node["id"] for node in profile["nodes"] for child in node.get("children", ())}
    time_of: dict[int, float] = defaultdict(float)
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        time_of[sample] += delta / 1e6
    keys = {key for _title, names in PHASES for key in names}
    inclusive: dict[str, float] = defaultdict(float)
    self_time: dict[str, float] = defaultdict(float)
    for nid, seconds in time_of.items():
        frame = nodes[nid]["callFrame"]
        name = frame["functionName"] or "(anonymous)"
        where = frame["url"].rsplit("/", 1)[-1]
        self_time[f"{name} {where}:{frame['lineNumber'] + 1}" if where else name] += seconds
        seen = set()
        walk: int | None = nid
        while walk is not None:
            key = nodes[walk]["callFrame"]["functionName"]
            if key in keys and key not in seen:
                inclusive[key] += seconds
                seen.add(key)
            walk = parent.get(walk)
    self_time.pop("(idle)", None)
    return sum(self_time.values()), dict(inclusive), dict(self_time)


# --- the table -------------------------------------------------------------------------------


def _print_table(rows: list, repeats: int) -> None:
    print()
    print(f"Page open → all points drawn, headless Chromium, no network; median of {repeats} (s)")
    header = (
        f"{'points':>8} | {'black spots':>11} | {'ours MB':>7} | {'bare s':>6} | {'ours s':>6} | "
        f"{'ours ÷ bare':>11} | {'goal ≤ 1.5×':>11} | {'points only s':>13} | {'everything s':>14} | "
        f"black spots at zoom {CHECK_ZOOM}"
    )
    print(header)
    print("-" * len(header))
    passed = True
    for n, info, times, check in rows:
        ours, bare = statistics.median(times["ours"]), statistics.median(times["bare"])
        points = statistics.median(times["points"])
        everything = statistics.median(times[EVERYTHING])
        ratio = ours / bare
        ok = ratio <= GOAL_RATIO
        passed &= ok and check["ok"]
        spots = (
            f"{check['onTop']}/{check['inView']} on top, {check['underCluster']} under a cluster, "
            f"{check['inView'] - check['ownMarker']} without a marker, "
            f"{check['underControl']} under a control, {check['offPlace']} off their place "
            f"→ {'pass' if check['ok'] else 'FAIL'}"
        )
        print(
            f"{n:>8,} | {len(info['black_spots']):>11,} | {info['bytes'] / 1e6:>7.2f} | {bare:>6.2f} | "
            f"{ours:>6.2f} | {ratio:>10.2f}× | {'pass' if ok else 'FAIL':>11} | "
            f"{points:>6.2f} ({points / bare:.2f}×) | {everything:>6.2f} ({everything / bare:.2f}×) | {spots}"
        )
    print(
        f"\nGoals: page open within {GOAL_RATIO}× of the bare cluster at every size; no black spot hidden "
        f"in or under a cluster at zoom {CHECK_ZOOM}: {'PASS' if passed else 'FAIL'}"
    )
    print("points only: ours without province, communes, water, facilities and play spaces (÷ bare).")
    print(
        "everything: ours until its background layers and controls, drawn after the points "
        "(hsMap.afterPoints), are drawn too (÷ bare)."
    )
    for n, _info, _times, check in rows:
        if check.get("unsettled"):
            print(f"  {n:,} points: the map never stopped animating after {check['unsettled']} of the moves")
    for name, errors in PAGE_ERRORS.items():
        if errors:
            print(f"  {name}: {len(errors)} JavaScript error(s) while loading, e.g. {errors[0]}")
    for n, _info, _times, check in rows:
        if check["other"]:
            print(f"  {n:,} points: black spots under another element: {check['other'][:5]}")
    print("runs (s):")
    for n, _info, times, _check in rows:
        print(
            f"  {n:>8,}: "
            + "  ".join(f"{v} {json.dumps([round(t, 2) for t in times[v]])}" for v in (*VARIANTS, EVERYTHING))
        )


if __name__ == "__main__":
    main()
