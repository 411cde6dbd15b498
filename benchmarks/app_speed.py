"""Benchmark: how long the app makes an officer wait, measured in a real headless Chromium.

Run on demand (not a test)::

    .venv/bin/python benchmarks/app_speed.py [--app-dir DIR] [--repeats 5]

It starts ``streamlit run app.py`` in ``--app-dir`` (default: this project; any checkout of
it, e.g. a ``git worktree`` of an older commit, with ``static/vendor`` fetched), headless,
with a fresh temporary store seeded from that checkout's ``geodata/`` sample. Then, in
``--repeats`` fresh browser sessions (no internet: every request elsewhere is aborted), it
times from the user's action until the page shows its result:

* **open**: opening the home page until the map is drawn with every point of the headline
  metric in its layers (cluster and black spots);
* **radius**: one step of the swimming-class reach slider until the map is redrawn;
* **commune**: choosing the first commune of the filter (by name) until the map is redrawn for it;
* **language**: then switching to English until the title is English and the map is redrawn.

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
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"
TIMEOUT_MS = 180_000
STEPS = ("open", "radius", "commune", "language")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

# True once a map iframe not seen before (window.map without the mark) holds every point
# of the headline metric: points in marker clusters plus the black-spot markers.
MAP_READY_JS = """([selector, title]) => {
    const heading = document.querySelector("[data-testid='stMain'] h1");
    if (title !== null && (!heading || heading.innerText.trim() !== title)) { return false; }
    const metric = document.querySelector("[data-testid='stMetricValue']");
    if (!metric) { return false; }
    const expected = parseInt(metric.innerText.replace(/[^0-9]/g, ""), 10);
    for (const iframe of document.querySelectorAll(selector)) {
        const w = iframe.contentWindow;
        if (!w || !w.map || !w.L || !w.L.MarkerClusterGroup || w.map.__benchSeen) { continue; }
        let points = w.document.querySelectorAll(".hs-black-wrap").length;
        w.map.eachLayer((layer) => {
            if (layer instanceof w.L.MarkerClusterGroup) { points += layer.getLayers().length; }
        });
        if (points === expected) { return true; }
    }
    return false;
}"""
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
        return {clustered: clustered, blackSpots: black, old: !!w.map.__benchSeen};
    });
    return {title: heading && heading.innerText, metric: metric && metric.innerText, maps: maps};
}"""
# Marks the maps drawn so far, so that MAP_READY_JS waits for the next one; returns its HTML size.
MARK_MAPS_JS = """(selector) => {
    let size = 0;
    for (const iframe of document.querySelectorAll(selector)) {
        const w = iframe.contentWindow;
        if (w && w.map) { w.map.__benchSeen = true; size = w.document.documentElement.outerHTML.length; }
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
    with _server(app_dir) as url:
        print(f"app: {app_dir} (git {_git_head(app_dir)}), server {url}, {args.repeats} sessions")
        runs = [_session(url, args.chromium, texts, t) for _ in range(args.repeats)]
    _print_table(runs)
    _print_where(runs)
    if args.breakdown:
        _print_breakdown(_breakdown(app_dir, texts))
    return 0


def _session(url: str, chromium: str, texts: dict[str, str], t) -> dict[str, Step]:
    """One fresh browser session through the four steps."""
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

        def timed(name: str, action, title: str | None = None) -> None:
            page.evaluate(MARK_MAPS_JS, MAP_IFRAME)
            start = time.perf_counter()
            action()
            try:
                page.wait_for_function(MAP_READY_JS, arg=[MAP_IFRAME, title], timeout=TIMEOUT_MS, polling=20)
            except Exception as error:
                seen = page.evaluate(MAPS_SEEN_JS, MAP_IFRAME)
                text = page.locator("[data-testid='stMain']").inner_text()[:800]
                shot = PROJECT / "artifacts" / f"app-speed-{name}-failure.png"
                shot.parent.mkdir(exist_ok=True)
                page.screenshot(path=str(shot))
                message = f"{name}: the page never showed its result; it shows {seen} ({shot}):\n{text}"
                raise RuntimeError(message) from error
            end = time.perf_counter()
            html = page.evaluate(
                """(selector) => { let size = 0; for (const iframe of document.querySelectorAll(selector)) {
                    const w = iframe.contentWindow; if (w && w.map && !w.map.__benchSeen) {
                    size = w.document.documentElement.outerHTML.length; } } return size; }""",
                MAP_IFRAME,
            )
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
        timed("commune", option.click)
        page.keyboard.press("Escape")  # close the list
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
    print(f"{'step':<10}{columns}")
    for step in STEPS:
        values = [run[step].seconds for run in runs]
        done = [run[step].script_done_s for run in runs if run[step].script_done_s is not None]
        script = [run[step].script_s for run in runs]
        print(
            f"{step:<10}{values[0]:>8.2f}{statistics.median(values):>8.2f}{min(values):>8.2f}{max(values):>8.2f}"
            f"   {_median(done):>11}{statistics.median(script):>8.2f}"
            f"{statistics.median(run[step].script_runs for run in runs):>6.0f}"
        )
    print(
        "  script done: median seconds until the server's last page profile arrived (the script run ended);"
    )
    print(
        "  script: median seconds the script(s) ran on the server (Streamlit's exec_time); runs: script runs"
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
        print(f"{step:<10}websocket {sent:.2f} MB, map HTML {html:.2f} MB; {commands}")


def _breakdown(app_dir: Path, texts: dict[str, str]) -> dict[str, dict[str, float]]:
    """Seconds spent in each function the map page imports, for one script run per step (AppTest).

    Every function that ``app.py`` and ``pages/map.py`` import from ``hotspots``, ``pages`` or
    ``streamlit_folium`` is wrapped with a timer (inclusive times: a cached loader
    includes what it calls). Runs in this process, on a fresh temporary store.
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
    with tempfile.TemporaryDirectory(prefix="hotspots-speed-") as store_dir:
        os.environ["HOTSPOTS_DATA_DIR"] = store_dir
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


@contextlib.contextmanager
def _server(app_dir: Path) -> Iterator[str]:
    """``streamlit run app.py`` in ``app_dir`` on a free port, with a fresh temporary store."""
    with tempfile.TemporaryDirectory(prefix="hotspots-speed-") as store_dir:
        env = {key: value for key, value in os.environ.items() if key != "HOTSPOTS_DATABASE_URL"}
        env.update(HOTSPOTS_DATA_DIR=store_dir, PYTHONPATH=str(app_dir))
        env.pop("HOTSPOTS_GEODATA_DIR", None)
        port = _free_port()
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
        command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
        command += ["--browser.gatherUsageStats", "true", "--server.fileWatcherType", "none"]
        log = Path(store_dir) / "server.log"
        with log.open("w") as out:
            process = subprocess.Popen(command, cwd=app_dir, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(url, process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_healthy(url: str, process: subprocess.Popen, log: Path, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"streamlit exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
            return
        time.sleep(0.5)
    sys.exit(f"streamlit did not answer within {timeout_s} s:\n{log.read_text()[-2000:]}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
