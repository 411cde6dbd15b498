"""Benchmark: how long the app makes an officer wait, measured in a real headless Chromium.

Run on demand (not a test)::

    .venv/bin/python benchmarks/app_speed.py [--app-dir DIR] [--repeats 5] [--points 100000]

It starts ``streamlit run app.py`` in ``--app-dir`` (default: this project; any checkout of
it, e.g. a ``git worktree`` of an older commit, with ``static/vendor`` fetched), headless,
with a fresh temporary store seeded from that checkout's ``geodata/`` sample and, with
``--points N`` above the sample's 891, synthetic points up to N in all (spread over the
province's land, ~1.6 % black spots, at least 10 m apart), imported through the library as an
admin's approved files (see ``_app_server.seed_store``). Then, in ``--repeats`` fresh browser
sessions (no internet: every request elsewhere is aborted), it times from the user's action
until the page shows its result, the map redrawn holding exactly the points the store says
the filter shows (the headline metric and the map's layers agree with that count):

* **open**: opening the home page until the map is drawn with every point of the headline
  metric in its layers (cluster and black spots);
* **radius**: one step of the swimming-class reach slider until the map is redrawn;
* **commune**: choosing the first commune of the filter (by name) until the map is redrawn for it;
* **all communes**: removing that commune from the filter (back to every commune) until the map
  is redrawn with every point;
* **language**: then switching to English until the title is English and the map is redrawn.

Goals of a filter change (the commune and all-communes steps, median of the sessions), printed
pass/fail: under 1 s at the sample's 891 points, under 3 s at 100,000 (at sizes in between, 3 s).

Each step is one script run; the same steps, run in this process under AppTest with a
timer around every function that ``app.py`` and ``pages/map.py`` import, say which of
them the script run spends its time in (``--no-breakdown`` skips this).

Where the time goes, per step: until the server finished the script run(s) ("script
done", with Streamlit's own page profile: the script's run time and its slowest
commands; the server is started with ``browser.gatherUsageStats`` on for this), the
bytes sent over the websocket, and the size of the map's HTML. The first session meets
cold caches (store read, coverage): it is shown apart from the median, min and max.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from _app_server import PROJECT, app_server, seed_store

MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"
TIMEOUT_MS = 180_000
STEPS = ("open", "radius", "commune", "all communes", "language")
#: The steps that change a filter, and their goals (seconds, median): up to 891 points, and above.
FILTER_STEPS = ("commune", "all communes")
SAMPLE_POINTS = 891
FILTER_GOALS_S = ((SAMPLE_POINTS, 1.0), (100_000, 3.0))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

# A map is "seen" once MARK_MAPS_JS marked it with the number of filters it had applied
# (hsMap.applyFilter counts them in window.hsFilters): a filter change redraws the same map.
SEEN = "('__benchFilters' in w.map && w.map.__benchFilters === (w.hsFilters || 0))"
# True once a map iframe not seen before (a new map, or a new filter in one seen) holds every point
# of the headline metric: points in marker clusters plus the black-spot markers; with a
# count, once the headline metric also says that count.
MAP_READY_JS = """([selector, title, count]) => {
    const heading = document.querySelector("[data-testid='stMain'] h1");
    if (title !== null && (!heading || heading.innerText.trim() !== title)) { return false; }
    const metric = document.querySelector("[data-testid='stMetricValue']");
    if (!metric) { return false; }
    const expected = parseInt(metric.innerText.replace(/[^0-9]/g, ""), 10);
    if (count !== null && expected !== count) { return false; }
    for (const iframe of document.querySelectorAll(selector)) {
        const w = iframe.contentWindow;
        if (!w || !w.map || !w.L || !w.L.MarkerClusterGroup || SEEN) { continue; }
        let points = w.document.querySelectorAll(".hs-black-wrap").length;
        w.map.eachLayer((layer) => {
            if (layer instanceof w.L.MarkerClusterGroup) { points += layer.getLayers().length; }
        });
        if (points === expected) { return true; }
    }
    return false;
}""".replace("SEEN", SEEN)
# What the page shows, when it never gets ready: the headline, the title and each map's counts.
MAPS_SEEN_JS = """(selector) => {
    const heading = document.querySelector("[data-testid='stMain'] h1");
    const metric = document.querySelector("[data-testid='stMetricValue']");
    const maps = [...document.querySelectorAll(selector)].map((iframe) => {
        const w = iframe.contentWindow;
        if (!w || !w.map || !w.L || !w.L.MarkerClusterGroup) { return "no map"; }
        let clustered = 0;
        w.map.eachLayer((layer) => {
            if (layer instanceof w.L.MarkerClusterGroup) { clustered += layer.getLayers().length; }
        });
        const black = w.document.querySelectorAll(".hs-black-wrap").length;
        return {clustered: clustered, blackSpots: black, old: SEEN};
    });
    return {title: heading && heading.innerText, metric: metric && metric.innerText, maps: maps};
}""".replace("SEEN", SEEN)
# The HTML size of the map drawn (or filtered) since the last MARK_MAPS_JS.
NEW_MAP_HTML_JS = """(selector) => {
    let size = 0;
    for (const iframe of document.querySelectorAll(selector)) {
        const w = iframe.contentWindow;
        if (w && w.map && !SEEN) { size = w.document.documentElement.outerHTML.length; }
    }
    return size;
}""".replace("SEEN", SEEN)
# Marks the maps drawn so far, so that MAP_READY_JS waits for the next one; returns its HTML size.
MARK_MAPS_JS = """(selector) => {
    let size = 0;
    for (const iframe of document.querySelectorAll(selector)) {
        const w = iframe.contentWindow;
        if (w && w.map) {
            w.map.__benchFilters = w.hsFilters || 0; size = w.document.documentElement.outerHTML.length;
        }
    }
    return size;
}"""


@dataclass
class Step:
    """What one timed step took."""

    seconds: float
    script_done_s: float | None
    script_runs: int
    script_s: float
    sent_bytes: int
    map_html_bytes: int = 0
    commands: dict[str, float] = field(default_factory=dict)


class Wire:
    """Streamlit's messages to the browser as they arrive: sizes and page profiles, with times."""

    def __init__(self) -> None:
        self.events: list[tuple[float, int, float | None, dict[str, float]]] = []

    def attach(self, page) -> None:
        page.on("websocket", lambda socket_: socket_.on("framereceived", self._received))

    def _received(self, payload) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        arrived = time.perf_counter()
        if isinstance(payload, str):
            self.events.append((arrived, len(payload), None, {}))
            return
        message = ForwardMsg.FromString(payload)
        if message.WhichOneof("type") != "page_profile":
            self.events.append((arrived, len(payload), None, {}))
            return
        commands: dict[str, float] = defaultdict(float)
        for command in message.page_profile.commands:
            commands[command.name] += command.time / 1e6
        self.events.append((arrived, len(payload), message.page_profile.exec_time / 1e6, dict(commands)))

    def since(self, start: float, end: float, seconds: float, map_html: int) -> Step:
        window = [event for event in self.events if start <= event[0] <= end]
        profiles = [event for event in window if event[2] is not None]
        commands: dict[str, float] = defaultdict(float)
        for *_, timings in profiles:
            for name, spent in timings.items():
                commands[name] += spent
        return Step(
            seconds=seconds,
            script_done_s=profiles[-1][0] - start if profiles else None,
            script_runs=len(profiles),
            script_s=sum(event[2] for event in profiles),
            sent_bytes=sum(event[1] for event in window),
            map_html_bytes=map_html,
            commands=dict(commands),
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-dir", type=Path, default=PROJECT, help="checkout to run (default: this one)")
    parser.add_argument("--repeats", type=int, default=5, help="fresh browser sessions (default 5)")
    parser.add_argument("--chromium", default=shutil.which("chromium"), help="Chromium binary")
    parser.add_argument(
        "--points",
        type=int,
        default=SAMPLE_POINTS,
        help=f"risk points in the store: the sample, topped up with synthetic ones (default {SAMPLE_POINTS})",
    )
    parser.add_argument(
        "--no-breakdown",
        dest="breakdown",
        action="store_false",
        help="skip the in-process breakdown of the map page's script run (AppTest)",
    )
    args = parser.parse_args(argv)
    if args.chromium is None:
        parser.error("no chromium on PATH: apt-get install chromium, or pass --chromium")
    app_dir = args.app_dir.resolve()
    # The app's own texts (titles, labels) from the checkout being measured.
    sys.path.insert(0, str(app_dir))
    from hotspots.i18n import LANGUAGE_NAMES, t

    texts = {
        "filter_commune": t("map.filter_commune", "vi"),
        "swim_radius": t("app.swim_radius", "vi"),
        "english": LANGUAGE_NAMES["en"],
        "commune": _first_commune(app_dir),
    }
    with tempfile.TemporaryDirectory(prefix="hotspots-speed-") as folder:
        store_dir = Path(folder)
        print(f"seeding the store with {args.points:,} risk points...", flush=True)
        seeded = seed_store(_sqlite_url(store_dir), args.points, app_dir / "geodata")
        if seeded["added"]:
            print(
                f"  {seeded['added']:,.0f} synthetic points imported in {seeded['seconds']:.0f} s "
                f"({seeded['added'] / seeded['seconds']:,.0f} points/s, {seeded['rejected']:,.0f} rejected)"
            )
        counts = _shown_counts(store_dir, texts["commune"])
        print(
            f"  {seeded['stored']:,.0f} points stored; the map shows {counts['all']:,}, "
            f"{counts['commune']:,} of them in {texts['commune']}"
        )
        with app_server(app_dir, store_dir, usage_stats=True) as (url, _log):
            print(f"app: {app_dir} (git {_git_head(app_dir)}), server {url}, {args.repeats} sessions")
            runs = [_session(url, args.chromium, texts, t, counts) for _ in range(args.repeats)]
        _print_table(runs)
        _print_goals(runs, counts["all"])
        _print_where(runs)
        if args.breakdown:
            _print_breakdown(_breakdown(app_dir, store_dir, texts))
    return 0


def _sqlite_url(store_dir: Path) -> str:
    from hotspots.store import SQLITE_FILE_NAME

    return f"sqlite:///{store_dir / SQLITE_FILE_NAME}"


def _shown_counts(store_dir: Path, commune: str) -> dict[str, int]:
    """How many points the map shows by default (reviewed statuses): in all, and in ``commune``."""
    from hotspots.analysis import filter_defaults
    from hotspots.store import open_store

    with open_store(_sqlite_url(store_dir), seed=False) as store:
        points = store.read_layer("risk_points")
        communes = store.read_layer("communes")
    shown = points[points["status"].isin(filter_defaults("status"))]
    (commune_id,) = communes.loc[communes["name"] == commune, "commune_id"]
    return {"all": len(shown), "commune": int((shown["commune_id"] == commune_id).sum())}


def _session(url: str, chromium: str, texts: dict[str, str], t, counts: dict[str, int]) -> dict[str, Step]:
    """One fresh browser session through the steps; each waits for the map with its expected count."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    steps: dict[str, Step] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.route(
            "**/*", lambda route: route.continue_() if route.request.url.startswith(url) else route.abort()
        )
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        wire = Wire()
        wire.attach(page)

        def timed(name: str, action, title: str | None = None, count: int = counts["all"]) -> None:
            page.evaluate(MARK_MAPS_JS, MAP_IFRAME)
            start = time.perf_counter()
            action()
            try:
                page.wait_for_function(
                    MAP_READY_JS, arg=[MAP_IFRAME, title, count], timeout=TIMEOUT_MS, polling=20
                )
            except Exception as error:
                seen = page.evaluate(MAPS_SEEN_JS, MAP_IFRAME)
                text = page.locator("[data-testid='stMain']").inner_text()[:800]
                shot = PROJECT / "artifacts" / f"app-speed-{name}-failure.png"
                shot.parent.mkdir(exist_ok=True)
                page.screenshot(path=str(shot))
                message = f"{name}: the page never showed {count:,} points; it shows {seen} ({shot}):\n{text}"
                raise RuntimeError(message) from error
            end = time.perf_counter()
            html = page.evaluate(NEW_MAP_HTML_JS, MAP_IFRAME)
            steps[name] = wire.since(start, end, end - start, html)

        timed("open", lambda: page.goto(url + "/"))
        slider = page.get_by_test_id("stSlider").filter(has_text=texts["swim_radius"]).get_by_role("slider")
        slider.focus()
        timed("radius", lambda: slider.press("ArrowRight"))
        option = page.get_by_role("option", name=texts["commune"], exact=True)
        for _attempt in range(3):  # a rerun still in flight may close the list: open it again
            page.get_by_test_id("stMultiSelect").filter(has_text=texts["filter_commune"]).click()
            with contextlib.suppress(PlaywrightError):
                option.wait_for(timeout=5_000)
                break
        timed("commune", option.click, count=counts["commune"])
        page.keyboard.press("Escape")  # close the list
        chosen = page.get_by_test_id("stMultiSelect").filter(has_text=texts["filter_commune"])
        timed("all communes", chosen.get_by_label(f"Remove {texts['commune']}", exact=True).click)
        province = page.locator("[data-testid='stMain'] h1").inner_text().split("–")[-1].strip()
        english = page.get_by_role("radio", name=texts["english"], exact=True)
        timed("language", english.click, title=t("map.title", "en", province=province))
        context.close()
        browser.close()
    return steps


def _print_table(runs: list[dict[str, Step]]) -> None:
    print()
    print("seconds from the action to the page showing its result (first session: cold caches)")
    columns = f"{'first':>8}{'median':>8}{'min':>8}{'max':>8}   {'script done':>11}{'script':>8}{'runs':>6}"
    print(f"{'step':<13}{columns}")
    for step in STEPS:
        values = [run[step].seconds for run in runs]
        done = [run[step].script_done_s for run in runs if run[step].script_done_s is not None]
        script = [run[step].script_s for run in runs]
        print(
            f"{step:<13}{values[0]:>8.2f}{statistics.median(values):>8.2f}{min(values):>8.2f}{max(values):>8.2f}"
            f"   {_median(done):>11}{statistics.median(script):>8.2f}"
            f"{statistics.median(run[step].script_runs for run in runs):>6.0f}"
        )
    print(
        "  script done: median seconds until the server's last page profile arrived (the script run ended);"
    )
    print(
        "  script: median seconds the script(s) ran on the server (Streamlit's exec_time); runs: script runs"
    )


def _print_goals(runs: list[dict[str, Step]], points: int) -> None:
    """Each filter change's median against its goal at this many points shown."""
    goal = next((seconds for size, seconds in FILTER_GOALS_S if points <= size), None)
    print()
    if goal is None:
        print(f"goals: none set above {FILTER_GOALS_S[-1][0]:,} points")
        return
    for step in FILTER_STEPS:
        median = statistics.median(run[step].seconds for run in runs)
        verdict = "pass" if median < goal else "FAIL"
        print(
            f"goal {step}: filter change to redrawn map < {goal:g} s at {points:,} points: "
            f"median {median:.2f} s, {verdict}"
        )


def _print_where(runs: list[dict[str, Step]]) -> None:
    print()
    print("where the time goes (medians; commands: Streamlit's page profile, seconds per run summed)")
    for step in STEPS:
        steps = [run[step] for run in runs]
        totals: dict[str, list[float]] = defaultdict(list)
        for item in steps:
            for name, spent in item.commands.items():
                totals[name].append(spent)
        slowest = sorted(totals.items(), key=lambda item: -statistics.median(item[1]))[:5]
        commands = ", ".join(f"{name} {statistics.median(spent):.2f}" for name, spent in slowest)
        sent = statistics.median(item.sent_bytes for item in steps) / 1e6
        html = statistics.median(item.map_html_bytes for item in steps) / 1e6
        print(f"{step:<13}websocket {sent:.2f} MB, map HTML {html:.2f} MB; {commands}")


def _breakdown(app_dir: Path, store_dir: Path, texts: dict[str, str]) -> dict[str, dict[str, float]]:
    """Seconds spent in each function the map page imports, for one script run per step (AppTest).

    Every function that ``app.py`` and ``pages/map.py`` import from ``hotspots``, ``pages`` or
    ``streamlit_folium`` is wrapped with a timer (inclusive times: a cached loader
    includes what it calls). Runs in this process, on the store the server used (in ``store_dir``).
    """
    import ast
    import importlib
    import inspect

    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    set_log_level("error")  # no "missing ScriptRunContext" warning per cached function

    spent: dict[str, float] = defaultdict(float)

    def timer(name: str, function):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start

        return timed

    sources = [(app_dir / name).read_text(encoding="utf-8") for name in ("app.py", "pages/map.py")]
    for node in (node for source in sources for node in ast.walk(ast.parse(source))):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        if node.module.split(".")[0] not in ("hotspots", "pages", "streamlit_folium"):
            continue
        module = importlib.import_module(node.module)
        for alias in node.names:
            target = getattr(module, alias.name, None)
            if inspect.isfunction(target) or type(target).__name__ == "CachedFunc":
                setattr(module, alias.name, timer(alias.name, target))
    steps: dict[str, dict[str, float]] = {}
    os.environ["HOTSPOTS_DATA_DIR"] = str(store_dir)
    os.environ.pop("HOTSPOTS_DATABASE_URL", None)
    os.environ.pop("HOTSPOTS_GEODATA_DIR", None)
    os.chdir(app_dir)
    communes = json.loads((app_dir / "geodata" / "communes.geojson").read_text(encoding="utf-8"))
    commune_id = next(
        feature["properties"]["commune_id"]
        for feature in communes["features"]
        if feature["properties"]["name"] == texts["commune"]
    )
    app = AppTest.from_file(str(app_dir / "app.py"), default_timeout=300)
    actions = {
        "open (cold)": app.run,
        "open": lambda: AppTest.from_file(str(app_dir / "app.py"), default_timeout=300).run(),
        "radius": lambda: app.sidebar.slider(key="swim_radius_m").set_value(3_250).run(),
        "commune": lambda: app.sidebar.multiselect(key="filter_communes").set_value([commune_id]).run(),
        "all communes": lambda: app.sidebar.multiselect(key="filter_communes").set_value([]).run(),
        "language": lambda: app.sidebar.segmented_control(key="lang").set_value("en").run(),
    }
    for step, action in actions.items():
        spent.clear()
        start = time.perf_counter()
        action()
        steps[step] = {"script run": time.perf_counter() - start, **spent}
    return steps


def _print_breakdown(steps: dict[str, dict[str, float]]) -> None:
    print()
    print("the map page's script run, in this process (AppTest), seconds in what it calls (inclusive)")
    for step, spent in steps.items():
        parts = sorted(
            ((name, seconds) for name, seconds in spent.items() if name != "script run"), key=lambda x: -x[1]
        )
        shown = ", ".join(f"{name} {seconds:.2f}" for name, seconds in parts if seconds >= 0.01)
        print(f"{step:<12}{spent['script run']:>6.2f}  {shown}")


def _first_commune(app_dir: Path) -> str:
    """The name of the first commune of the filter (sorted by name) of the checkout's sample."""
    communes = json.loads((app_dir / "geodata" / "communes.geojson").read_text(encoding="utf-8"))
    return min(str(feature["properties"]["name"]) for feature in communes["features"])


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}" if values else "-"


def _git_head(app_dir: Path) -> str:
    result = subprocess.run(
        ["git", "-C", str(app_dir), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "-C", str(app_dir), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() + (" + uncommitted changes" if dirty.stdout.strip() else "")


if __name__ == "__main__":
    raise SystemExit(main())
