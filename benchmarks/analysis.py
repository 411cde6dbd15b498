"""Benchmark: how long the analyses take (hot spots now; the sheets' timings have their own section).

Run on demand: ``.venv/bin/python benchmarks/analysis.py [--repeats 5] [--only NAME ...] [--list]``

Each case is timed ``--repeats`` times after one warm-up run (the warm-up pays the one-off
imports of esda/libpysal, reported apart as "first run"); the table shows the median, min and
max wall-clock seconds, the goal when the case has one and PASS/FAIL against it. Times are on
whatever else the machine is doing.

Hot spots (:mod:`hotspots.analysis.cluster_layers`)
    * ``gi-sample``: :func:`hexagon_hotspots` on the shipped sample (891 active risk points,
      2,938 hexagons of 1 km edge over the province, 999 permutations, exact p-values, coverage
      by swimming classes and rescue training). Goal: under 2 s.
    * ``gi-sample-permutation``: the same with ``inference="permutation"``.
    * ``gi-core-sample``: :func:`gi_star` alone on the sample's cell counts (esda + exact p + FDR).
    * ``gi-communes-sample``: :func:`commune_hotspots` on the sample (45 communes, queen contiguity).
    * ``density-sample``: :func:`risk_density` and its heat-layer points on the sample.
    * ``gi-100k``: 100,000 risk points (the sample's points repeated with 2 km Gaussian jitter, one
      in 64 a black spot) over the province: about 3,000 hexagons of 1 km edge.
    * ``density-100k``: the density surface of those 100,000 points.

Sheets (:mod:`hotspots.reports.sheets`, :data:`SHEET_CASES`), on the sample, inspections judged on
01/11/2025. The setup prepares the figures once (:func:`prepare_sheets`: coverage, inspections, the
hexagon test, the ranking and the actions) and imports WeasyPrint; the cases time the printing.
    * ``sheet-prepare``: :func:`prepare_sheets` itself, the hot-spot test included (what a click on a
      download button pays before printing).
    * ``sheet-one``: one commune's action sheet, HTML and map to PDF. Goal: under 2 s.
    * ``sheets-all-45``: every commune's sheet in one PDF, 45 pages. Goal: under 60 s.
    * ``sheet-province``: the province summary.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

# Run as a script from anywhere: the package lives one folder up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hotspots.analysis import commune_hotspots, gi_star, hexagon_grid, hexagon_hotspots, risk_density
from hotspots.config import METRIC_CRS
from hotspots.formats import load_geodata_layer, load_province
from hotspots.reports import SheetInputs, commune_sheets_pdf, prepare_sheets, province_summary_pdf
from hotspots.schema import LAYERS

GOAL_GI_SAMPLE_S = 2.0
BIG_POINTS = 100_000


@dataclass(frozen=True)
class Case:
    """One timed operation: ``setup()`` builds its inputs once, ``run(inputs)`` is timed."""

    name: str
    section: str
    setup: Callable[[], Any]
    run: Callable[[Any], Any]
    goal_s: float | None = None
    describe: Callable[[Any], str] = lambda result: ""


@dataclass(frozen=True)
class Timing:
    case: Case
    first_s: float
    times: tuple[float, ...]
    detail: str

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def verdict(self) -> str:
        if self.case.goal_s is None:
            return ""
        return "PASS" if self.median < self.case.goal_s else "FAIL"


# ---------------------------------------------------------------- inputs


@cache
def sample_layers() -> dict[str, Any]:
    layers = {
        name: load_geodata_layer(name)
        for name in ("risk_points", "communes", "swim_classes", "rescue_trainings")
    }
    layers["land"] = load_province()
    return layers


@cache
def big_points() -> gpd.GeoDataFrame:
    points = sample_layers()["risk_points"].to_crs(METRIC_CRS)
    rng = np.random.default_rng(100)
    xy = shapely.get_coordinates(points.geometry.to_numpy())
    picked = rng.integers(0, len(xy), BIG_POINTS)
    jittered = xy[picked] + rng.normal(0, 2_000, size=(BIG_POINTS, 2))
    level = np.where(rng.integers(0, 64, BIG_POINTS) == 0, "black_spot", "high")
    return gpd.GeoDataFrame(
        {"risk_level": level, "status": "active"},
        geometry=gpd.points_from_xy(jittered[:, 0], jittered[:, 1]),
        crs=METRIC_CRS,
    )


def sample_counts() -> tuple[np.ndarray, Any]:
    layers = sample_layers()
    points = layers["risk_points"].to_crs(METRIC_CRS)
    land = gpd.GeoSeries([layers["land"]], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    xy = shapely.get_coordinates(points.geometry.to_numpy())
    grid = hexagon_grid(land, points=xy)
    weights = np.where(points["risk_level"] == "black_spot", 5.0, 1.0)
    counts = np.bincount(grid.locate(xy), weights=weights, minlength=len(grid.cells))
    return counts, grid.adjacency


def _hexagons(layers: dict[str, Any], **options: Any) -> Any:
    return hexagon_hotspots(
        layers["risk_points"],
        layers["communes"],
        land=layers["land"],
        swim_classes=layers["swim_classes"],
        rescue_trainings=layers["rescue_trainings"],
        **options,
    )


def _found(result: Any) -> str:
    s = result.summary
    return (
        f"{s.units:,} units, {s.tested:,} tested, {len(s.clusters)} cluster(s), {s.hot} hot, "
        f"FDR cut-off {s.fdr_cutoff:.2g}"
    )


# ---------------------------------------------------------------- hot-spot cases

HOTSPOT_CASES: list[Case] = [
    Case("gi-sample", "hot spots", sample_layers, _hexagons, GOAL_GI_SAMPLE_S, _found),
    Case(
        "gi-sample-permutation",
        "hot spots",
        sample_layers,
        lambda layers: _hexagons(layers, inference="permutation"),
        describe=_found,
    ),
    Case(
        "gi-core-sample",
        "hot spots",
        sample_counts,
        lambda inputs: gi_star(*inputs),
        describe=lambda r: f"{r.n_tested:,} units, {int(r.significant.sum())} significant",
    ),
    Case(
        "gi-communes-sample",
        "hot spots",
        sample_layers,
        lambda layers: commune_hotspots(layers["risk_points"], layers["communes"]),
        describe=_found,
    ),
    Case(
        "density-sample",
        "hot spots",
        sample_layers,
        lambda layers: risk_density(layers["risk_points"]).heat_points(),
        describe=lambda heat: f"{len(heat):,} heat points",
    ),
    Case(
        "gi-100k",
        "hot spots",
        lambda: {**sample_layers(), "risk_points": big_points()},
        lambda layers: hexagon_hotspots(layers["risk_points"], layers["communes"], land=layers["land"]),
        describe=_found,
    ),
    Case(
        "density-100k",
        "hot spots",
        big_points,
        lambda points: risk_density(points).heat_points(),
        describe=lambda heat: f"{len(heat):,} heat points",
    ),
]

# ---------------------------------------------------------------- sheet cases

GOAL_ONE_SHEET_S = 2.0
GOAL_ALL_SHEETS_S = 60.0
SHEET_DAY = date(2025, 11, 1)


@cache
def sheet_layers() -> dict[str, gpd.GeoDataFrame]:
    return {name: load_geodata_layer(name) for name in LAYERS}


@cache
def sheet_inputs() -> SheetInputs:
    inputs = prepare_sheets(sheet_layers(), today=SHEET_DAY)
    # Pay WeasyPrint's import (about a second) here, not in the first timed sheet.
    import weasyprint  # noqa: F401

    return inputs


def _pages(data: bytes) -> str:
    """Pages (read by poppler's pdfinfo, when installed) and size of a PDF."""
    pages = "?"
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=False).stdout.decode()
        pages = next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")
    return f"{pages} page(s), {len(data) / 1e6:.1f} MB"


SHEET_CASES: list[Case] = [
    Case(
        "sheet-prepare",
        "sheets",
        sheet_layers,
        lambda layers: prepare_sheets(layers, today=SHEET_DAY),
        describe=lambda inputs: f"{len(inputs.commune_ids)} communes, {len(inputs.points):,} risk points",
    ),
    Case(
        "sheet-one",
        "sheets",
        sheet_inputs,
        lambda inputs: commune_sheets_pdf(inputs, inputs.commune_ids[:1], lang="vi"),
        GOAL_ONE_SHEET_S,
        _pages,
    ),
    Case(
        "sheets-all-45",
        "sheets",
        sheet_inputs,
        lambda inputs: commune_sheets_pdf(inputs, lang="vi"),
        GOAL_ALL_SHEETS_S,
        _pages,
    ),
    Case(
        "sheet-province",
        "sheets",
        sheet_inputs,
        lambda inputs: province_summary_pdf(inputs, lang="vi"),
        describe=_pages,
    ),
]

ALL_CASES: list[Case] = [*HOTSPOT_CASES, *SHEET_CASES]


# ---------------------------------------------------------------- running


def time_case(case: Case, repeats: int) -> Timing:
    inputs = case.setup()
    started = time.perf_counter()
    result = case.run(inputs)
    first = time.perf_counter() - started
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = case.run(inputs)
        times.append(time.perf_counter() - started)
    return Timing(case=case, first_s=first, times=tuple(times), detail=case.describe(result))


def print_table(timings: list[Timing]) -> None:
    header = f"{'case':<24} {'first':>7} {'median':>7} {'min':>7} {'max':>7} {'goal':>6} {'':>5}  result"
    section = None
    for timing in timings:
        if timing.case.section != section:
            section = timing.case.section
            print(f"\n## {section}\n{header}")
        goal = f"<{timing.case.goal_s:g}" if timing.case.goal_s else ""
        print(
            f"{timing.case.name:<24} {timing.first_s:7.2f} {timing.median:7.2f} {min(timing.times):7.2f} "
            f"{max(timing.times):7.2f} {goal:>6} {timing.verdict:>5}  {timing.detail}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per case (after one warm-up)")
    parser.add_argument("--only", nargs="*", default=None, help="names of the cases to run")
    parser.add_argument("--list", action="store_true", help="list the cases and stop")
    args = parser.parse_args(argv)
    cases = [c for c in ALL_CASES if args.only is None or c.name in args.only]
    if args.list:
        for case in ALL_CASES:
            print(f"{case.section:<10} {case.name}")
        return 0
    timings = []
    for case in cases:
        print(f"timing {case.name}...", file=sys.stderr, flush=True)
        timings.append(time_case(case, args.repeats))
    print_table(timings)
    return 1 if any(t.verdict == "FAIL" for t in timings) else 0


if __name__ == "__main__":
    raise SystemExit(main())
