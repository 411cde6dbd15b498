"""Load test: concurrent browser sessions on one ``streamlit run`` while field users add reports.

Run on demand (not a test), on this machine only (the server listens on 127.0.0.1)::

    .venv/bin/python benchmarks/load.py                        # SQLite
    .venv/bin/python benchmarks/load.py --postgres "$(bash scripts/start_test_postgres.sh)"

It seeds a fresh store with the sample (a temporary SQLite file, or with ``--postgres URL`` a
database created for the run on that server and dropped afterwards; the URL's role must be
allowed to create databases, as the script's is) and starts ``streamlit run app.py`` on it. Then,
at once:

* ``--sessions`` (10) browser sessions, each a context of its own in one headless Chromium
  (Playwright's async API; no internet: every request elsewhere is aborted), open the map page,
  wait until the map holds every point the store says it shows, choose a commune in the commune
  filter (a different commune with a black spot for each session), wait until the map is redrawn
  with that commune's points, click the commune's black-spot marker and read its popup (it must
  name the point);
* ``--writers`` (2) processes, each logged in as a field user of its own, add ``--writes`` (20)
  reports through the library (``Store.add_risk_point``) on the same store, ``--pause`` seconds
  apart, at random places on the province's land at least 10 m from every point and from each other.

At the end it prints the p50/p95 of the page-open and filter-change times, which sessions drew
their map and read their popup, the writes stored (read back from the store) out of those
attempted, and every line of the server log that mentions a traceback, an error or an exception.
Exit status 1 when a session failed, a write is missing or the log has such a line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import re
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from _app_server import (
    MIN_SPACING_M,
    PROJECT,
    app_server,
    far_apart,
    fresh_postgres_database,
    risk_points,
    sample_background,
    seed_store,
)
from app_speed import CHROMIUM_ARGS, MAP_IFRAME, MAP_READY_JS, MARK_MAPS_JS, SEEN

from hotspots.analysis import filter_defaults
from hotspots.i18n import t
from hotspots.store import open_store

SAMPLE_POINTS = 891
TIMEOUT_MS = 300_000
#: What the server log may not say (case aside).
LOG_PROBLEM = re.compile(r"traceback|error|exception", re.IGNORECASE)
# The window of the map drawn (or filtered) last, not marked by MARK_MAPS_JS: clicks its black spot.
NEW_MAP_JS = f"() => {{ const w = window; return !!(w.map && !{SEEN}); }}"
PERCENTILES = (("p50", 50), ("p95", 95), ("max", 100))


@dataclass
class Session:
    """What one browser session saw."""

    index: int
    commune: str
    open_s: float | None = None
    filter_s: float | None = None
    popup: str = ""
    error: str = ""


@dataclass
class Writes:
    """What one writer did: the ids it was given back, its failures and its time window."""

    ids: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10, help="concurrent browser sessions (default 10)")
    parser.add_argument("--writers", type=int, default=2, help="concurrent writers (default 2)")
    parser.add_argument("--writes", type=int, default=20, help="reports each writer adds (default 20)")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between a writer's reports")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server to use instead of SQLite")
    parser.add_argument("--chromium", default=shutil.which("chromium"), help="Chromium binary")
    args = parser.parse_args(argv)
    if args.chromium is None:
        parser.error("no chromium on PATH: apt-get install chromium, or pass --chromium")
    backend = "PostgreSQL" if args.postgres else "SQLite"
    with contextlib.ExitStack() as stack:
        store_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hotspots-load-")))
        if args.postgres:
            database_url = stack.enter_context(fresh_postgres_database(args.postgres, "hotspots_load"))
        else:
            database_url = None
        store_url = database_url or f"sqlite:///{store_dir / 'hotspots.sqlite'}"
        seed_store(store_url, SAMPLE_POINTS, PROJECT / "geodata")
        plan = _plan(store_url, args.sessions)
        places = _places(store_url, args.writers * args.writes)
        url, log = stack.enter_context(app_server(PROJECT, store_dir, database_url=database_url))
        print(f"{backend} store, server {url}: {args.sessions} sessions, {args.writers} writers", flush=True)
        sessions, writes, window = _run(url, args, store_url, plan, places)
        stored = _stored(store_url, [point_id for done in writes for point_id in done.ids])
        problems = [line for line in log.read_text(errors="replace").splitlines() if LOG_PROBLEM.search(line)]
    return _report(backend, args, sessions, writes, window, stored, problems)


def _plan(store_url: str, sessions: int) -> dict:
    """What the sessions expect: every point the map shows, and per commune with a black spot its points."""
    with open_store(store_url, seed=False) as store:
        points = store.read_layer("risk_points")
        communes = store.read_layer("communes").set_index("commune_id")["name"]
    shown = points[points["status"].isin(filter_defaults("status"))]
    black = shown[shown["risk_level"] == "black_spot"]
    with_black = sorted(set(black["commune_id"]) & set(communes.index), key=lambda c: str(communes[c]))
    choices = []
    for index in range(sessions):
        commune_id = with_black[index % len(with_black)]
        choices.append(
            {
                "commune": str(communes[commune_id]),
                "count": int((shown["commune_id"] == commune_id).sum()),
                "names": sorted(black.loc[black["commune_id"] == commune_id, "name"]),
            }
        )
    return {"all": len(shown), "sessions": choices}


def _places(store_url: str, count: int) -> list[tuple[float, float]]:
    """``count`` places (lon, lat) on the province's land, at least 10 m from every point and each other."""
    with open_store(store_url, seed=False) as store:
        stored = store.read_layer("risk_points", include_retired=True)
    rng = np.random.default_rng(secrets.randbits(32))
    drawn = risk_points(rng, 2 * count + 10, sample_background())
    drawn = drawn[drawn["commune_id"].notna()]  # inside a commune, not only inside the province outline
    drawn = drawn[far_apart(drawn.geometry, stored.geometry, MIN_SPACING_M)].iloc[:count]
    if len(drawn) < count:
        sys.exit(f"only {len(drawn)} free places drawn for {count} reports")
    return [(point.x, point.y) for point in drawn.geometry]


def _run(
    url: str, args: argparse.Namespace, store_url: str, plan: dict, places: list[tuple[float, float]]
) -> tuple[list[Session], list[Writes], tuple[float, float]]:
    """The sessions (in this process) and the writers (processes of their own), started together."""
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    writers = [
        context.Process(
            target=_writer,
            args=(k, store_url, places[k * args.writes : (k + 1) * args.writes], args.pause, start, results),
        )
        for k in range(args.writers)
    ]
    for process in writers:
        process.start()
    sessions, started = asyncio.run(_sessions(url, args.chromium, plan, start))
    ended = time.perf_counter()
    writes = [Writes(**results.get(timeout=600)) for _ in writers]
    for process in writers:
        process.join(timeout=60)
    return sessions, writes, (started, ended)


def _writer(index: int, store_url: str, places: list, pause: float, start, results) -> None:
    """One field user adding reports through the library, once ``start`` is set."""
    from tests.auth_kit import sign_in

    done = Writes()
    with open_store(store_url, seed=False) as store:
        user = sign_in(store, f"load-writer-{index}-{secrets.token_hex(3)}", "field")
        start.wait()
        done.started = time.perf_counter()
        for k, (lon, lat) in enumerate(places):
            properties = {
                "name": f"Báo cáo tải {index + 1}-{k + 1}",
                "water_type": "pond",
                "risk_level": "high",
            }
            try:
                done.ids.append(store.add_risk_point(properties, lon=lon, lat=lat, user=user))
            except Exception as error:  # a load test reports every failure, whatever its kind
                done.failures.append(f"{type(error).__name__}: {str(error)[:300]}")
            time.sleep(pause)
        done.ended = time.perf_counter()
    results.put(done.__dict__)


async def _sessions(url: str, chromium: str, plan: dict, start) -> tuple[list[Session], float]:
    """Every session at once, in one Chromium; sets ``start`` (the writers') as they begin, and says when."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            jobs = [
                _session(browser, url, index, choice, plan["all"])
                for index, choice in enumerate(plan["sessions"])
            ]
            start.set()
            began = time.perf_counter()
            return list(await asyncio.gather(*jobs)), began
        finally:
            await browser.close()


async def _session(browser, url: str, index: int, choice: dict, total: int) -> Session:
    """Open the map, filter one commune, read its black spot's popup; any failure is recorded, not raised."""
    done = Session(index=index, commune=choice["commune"])
    context = await browser.new_context(viewport={"width": 1400, "height": 900})

    async def local_only(route) -> None:
        await (route.continue_() if route.request.url.startswith(url) else route.abort())

    await context.route("**/*", local_only)
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    ready = {"timeout": TIMEOUT_MS, "polling": 100}
    try:
        began = time.perf_counter()
        await page.goto(url + "/")
        await page.wait_for_function(MAP_READY_JS, arg=[MAP_IFRAME, None, total], **ready)
        done.open_s = time.perf_counter() - began

        await page.evaluate(MARK_MAPS_JS, MAP_IFRAME)
        option = page.get_by_role("option", name=choice["commune"], exact=True)
        communes = page.get_by_test_id("stMultiSelect").filter(has_text=t("map.filter_commune", "vi"))
        for _attempt in range(3):  # a rerun still in flight may close the list: open it again
            await communes.click()
            # Typed, as a user narrows the list: the list draws only the options scrolled into view.
            await communes.locator("input").fill(choice["commune"])
            with contextlib.suppress(Exception):
                await option.wait_for(timeout=10_000)
                break
        began = time.perf_counter()
        await option.click()
        await page.wait_for_function(MAP_READY_JS, arg=[MAP_IFRAME, None, choice["count"]], **ready)
        done.filter_s = time.perf_counter() - began
        await page.keyboard.press("Escape")  # close the list

        iframe, frame = await _new_map_frame(page)
        # The whole map in view first, as a user scrolls to it: else the page scrolls the focused
        # map into view between mouse down and up, and the click lands beside the marker.
        await iframe.scroll_into_view_if_needed()
        await frame.locator(".hs-black-wrap").first.click()
        popup = frame.locator(".leaflet-popup-content")
        await popup.wait_for()
        done.popup = (await popup.inner_text()).strip()
        if not any(name in done.popup for name in choice["names"]):
            done.error = f"the popup names none of {choice['names']}: {done.popup[:200]!r}"
        if await page.get_by_test_id("stException").count():
            done.error = "the page shows an exception"
    except Exception as error:  # a load test reports every failure, whatever its kind
        done.error = f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"
    finally:
        await context.close()
    return done


async def _new_map_frame(page):
    """The iframe and frame of the map drawn after the last MARK_MAPS_JS."""
    for iframe in await page.query_selector_all(MAP_IFRAME):
        frame = await iframe.content_frame()
        if frame is not None and await frame.evaluate(NEW_MAP_JS):
            return iframe, frame
    raise RuntimeError("no new map on the page")


def _stored(store_url: str, point_ids: list[str]) -> int:
    """How many of ``point_ids`` the store holds, as pending reports."""
    with open_store(store_url, seed=False) as store:
        pending = set(store.read_layer("risk_points", statuses=["pending"])["point_id"])
    return len(pending & set(point_ids))


def _report(
    backend: str,
    args: argparse.Namespace,
    sessions: list[Session],
    writes: list[Writes],
    window: tuple[float, float],
    stored: int,
    problems: list[str],
) -> int:
    """Print the figures and checks; 0 when every session, write and log line passed, else 1."""
    print()
    print(f"back-end: {backend}; {len(sessions)} sessions at once, {len(writes)} writers")
    drawn = [s for s in sessions if s.open_s is not None]
    filtered = [s for s in sessions if s.filter_s is not None]
    read = [s for s in sessions if s.popup and not s.error]
    print(f"sessions that drew the map: {len(drawn)}/{len(sessions)}")
    print(f"sessions that redrew it for their commune: {len(filtered)}/{len(sessions)}")
    print(f"sessions that read their black spot's popup: {len(read)}/{len(sessions)}")
    for label, values in (
        ("page open", [s.open_s for s in drawn]),
        ("filter change", [s.filter_s for s in filtered]),
    ):
        shares = "  ".join(f"{name} {_percentile(values, share)}" for name, share in PERCENTILES)
        print(f"{label:<14} {shares}")
    for session in sessions:
        if session.error:
            print(f"  session {session.index + 1} ({session.commune}): {session.error}")
    attempted = args.writers * args.writes
    failures = [failure for done in writes for failure in done.failures]
    print(
        f"writes stored: {stored}/{attempted} (read back from the store); refused or failed: {len(failures)}"
    )
    for failure in failures:
        print(f"  {failure}")
    started, ended = window
    for k, done in enumerate(writes):
        print(
            f"  writer {k + 1}: {len(done.ids)} reports from {done.started - started:+.1f} s to "
            f"{done.ended - started:+.1f} s of the sessions' {ended - started:.1f} s"
        )
    print(f"server log lines with a traceback, error or exception: {len(problems)}")
    for line in problems:
        print(f"  {line}")
    ok = len(read) == len(sessions) and stored == attempted and not problems
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def _percentile(values: list[float], share: int) -> str:
    """The ``share`` percentile in seconds (nearest rank), or a dash without values."""
    if not values:
        return "-"
    ordered = sorted(values)
    rank = max(1, int(np.ceil(share / 100 * len(ordered))))
    return f"{ordered[rank - 1]:.2f} s"


if __name__ == "__main__":
    raise SystemExit(main())
