"""Command-line planning: choose sites for new classes (``plan``) and schedule their courses (``schedule``).

:func:`register` adds them to the main parser of :mod:`hotspots.cli.commands`::

    python -m hotspots plan --k 5 --radius 2000 --kind rescue --out plan.geojson
    python -m hotspots plan --k 8 --candidates commune_centre,play_space --out plan.geojson
    python -m hotspots schedule plan.geojson --out june.ics --csv june.csv
    python -m hotspots schedule plan.geojson --out summer.ics --start 01/06/2026 --end 15/08/2026

``plan`` reads the layers from the store of record (``HOTSPOTS_DATABASE_URL``, else the default
SQLite file), or from a folder of GeoJSON files with ``--geodata``, and writes the chosen sites
as GeoJSON with what each newly covers (:func:`hotspots.analysis.plan_feature_collection`); it
stores nothing (the app's planning page adds sites to the plan, as a planner). ``schedule`` reads
such a file and the communes, and writes the season's courses as an iCalendar file, and as CSV
or Excel when asked. Exit codes as for every command: 0 done, 1 refused input, 2 unreadable file.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Final

import geopandas as gpd

from hotspots.analysis import (
    CHOOSABLE_CANDIDATES,
    DEFAULT_BLACK_SPOT_FACTOR,
    DEFAULT_CLASS_CAPACITY,
    DEFAULT_GRID_SPACING_M,
    DEFAULT_LESSONS,
    DEFAULT_LESSONS_PER_WEEK,
    DEFAULT_TEAMS,
    PLAN_KINDS,
    PLAN_RADII,
    SITING_METHODS,
    choose_sites,
    commune_summary,
    coverage_table,
    default_season,
    plan_feature_collection,
    plan_problem,
    schedule_from_geodataframe,
    schedule_table,
    venues_from_plan_file,
)
from hotspots.cli.layers import read_layers
from hotspots.errors import UnreadableFileError
from hotspots.i18n import LANGUAGES
from hotspots.reports import schedule_calendar, write_table
from hotspots.validation import parse_day

EXIT_OK: Final = 0
EXIT_ERROR: Final = 2
#: Share of the children newly within reach expected to enrol, unless told (as on the planning page).
DEFAULT_UPTAKE: Final = 0.05


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``plan`` and ``schedule`` to the main command line.

    Parameters
    ----------
    subparsers
        What ``ArgumentParser.add_subparsers()`` returned in :mod:`hotspots.cli.commands`.
    """
    plan = subparsers.add_parser(
        "plan",
        help="choose where new swimming classes (or rescue trainings) cover the most risk points",
        description="Choose k new sites that cover the most risk weight (black spots weigh more) within "
        "the radius, given the venues open or planned; write them as GeoJSON with what each newly covers.",
    )
    plan.add_argument("--k", type=int, default=5, help="number of new sites (default 5)")
    plan.add_argument(
        "--radius", type=float, default=None, help="reach in metres (default 3000 swim, 2000 rescue)"
    )
    plan.add_argument("--kind", choices=PLAN_KINDS, default="swim", help="what to plan (default swim)")
    plan.add_argument("--out", type=Path, required=True, help="GeoJSON file to write (replaced if it exists)")
    plan.add_argument(
        "--black-spot-factor",
        type=float,
        default=DEFAULT_BLACK_SPOT_FACTOR,
        help=f"weight of a black spot; other risk points weigh 1 (default {DEFAULT_BLACK_SPOT_FACTOR:g})",
    )
    plan.add_argument("--children", action="store_true", help="weigh risk points by their commune's children")
    plan.add_argument(
        "--candidates",
        default=",".join(CHOOSABLE_CANDIDATES),
        help=f"comma-separated candidate kinds (default all: {','.join(CHOOSABLE_CANDIDATES)})",
    )
    plan.add_argument(
        "--grid-spacing",
        type=float,
        default=DEFAULT_GRID_SPACING_M,
        help="grid spacing in metres (default 1000)",
    )
    plan.add_argument("--method", choices=SITING_METHODS, default="auto", help="solver (default auto)")
    plan.add_argument(
        "--geodata", type=Path, default=None, help="read the layers from this folder, not the store"
    )
    plan.set_defaults(func=_run_plan)

    schedule = subparsers.add_parser(
        "schedule",
        help="schedule the season's courses at the sites of a plan and write them as iCalendar",
        description="Read a plan written by 'plan', plan the courses of the season at its sites "
        "(children newly within reach × uptake ÷ capacity) and write them as an .ics calendar.",
    )
    schedule.add_argument("plan", type=Path, help="GeoJSON file written by 'python -m hotspots plan'")
    schedule.add_argument("--out", type=Path, required=True, help="iCalendar file to write (.ics)")
    schedule.add_argument("--csv", type=Path, default=None, help="also write the courses as CSV")
    schedule.add_argument("--xlsx", type=Path, default=None, help="also write the courses as Excel")
    schedule.add_argument(
        "--start", default=None, help="first day of the season, DD/MM/YYYY (default 1 June)"
    )
    schedule.add_argument(
        "--end", default=None, help="last day of the season, DD/MM/YYYY (default 15 August)"
    )
    schedule.add_argument(
        "--uptake", type=float, default=DEFAULT_UPTAKE, help="share enrolling (default 0.05)"
    )
    schedule.add_argument("--capacity", type=int, default=DEFAULT_CLASS_CAPACITY, help="children a course")
    schedule.add_argument("--lessons", type=int, default=DEFAULT_LESSONS, help="lessons in a course")
    schedule.add_argument("--per-week", type=int, default=DEFAULT_LESSONS_PER_WEEK, help="lessons a week")
    schedule.add_argument("--teams", type=int, default=DEFAULT_TEAMS, help="instructor teams")
    schedule.add_argument(
        "--lang", choices=LANGUAGES, default="vi", help="language of the files (default vi)"
    )
    schedule.add_argument("--geodata", type=Path, default=None, help="read the communes from this folder")
    schedule.set_defaults(func=_run_schedule)


def _run_plan(args: argparse.Namespace) -> int:
    layers = read_layers(args.geodata, empty_when_missing=True)
    radius = args.radius if args.radius is not None else PLAN_RADII[args.kind]
    problem = plan_problem(
        layers,
        kind=args.kind,
        radius_m=radius,
        candidate_kinds=[c.strip() for c in args.candidates.split(",") if c.strip()],
        grid_spacing_m=args.grid_spacing,
        black_spot_factor=args.black_spot_factor,
        weight_by_children=args.children,
    )
    plan = choose_sites(problem, k=args.k, method=args.method)
    collection = plan_feature_collection(plan, kind=args.kind, radius_m=radius)
    args.out.write_text(json.dumps(collection, ensure_ascii=False, indent=1), encoding="utf-8")
    result = plan.result
    proof = "proven optimal" if result.optimal else f"within {100 * result.gap:.1f} % of the best possible"
    print(f"Chose {len(plan.sites)} site(s) by the {result.method} method, {proof} ({result.seconds:.1f} s).")
    now, then = result.fixed_weight / result.total_weight, result.objective / result.total_weight
    print(f"Risk weight covered within {radius:g} m: {100 * now:.1f} % now, {100 * then:.1f} % with them.")
    for feature in collection["features"]:
        p = feature["properties"]
        print(
            f"  {p['site_id']:<6} {p['name']}: {p['new_risk_points']} risk point(s), "
            f"{p['new_black_spots']} black spot(s), {p['new_children']:.0f} children newly covered"
        )
    print(f"Wrote {len(collection['features'])} site(s) to {args.out}")
    return EXIT_OK


def _run_schedule(args: argparse.Namespace) -> int:
    try:
        plan = gpd.read_file(args.plan)
    except Exception as exc:  # pyogrio raises several kinds for a file that is not GeoJSON
        msg = f"Cannot read the plan {args.plan}: {exc}"
        raise UnreadableFileError(msg) from exc
    venues = venues_from_plan_file(plan)
    layers = read_layers(args.geodata, empty_when_missing=True)
    summary = commune_summary(
        layers["communes"],
        coverage_table(layers["risk_points"], layers["swim_classes"], layers["rescue_trainings"]),
    )
    radius = (
        float(plan["radius_m"].iloc[0]) if "radius_m" in plan.columns and len(plan) else PLAN_RADII["swim"]
    )
    result = schedule_from_geodataframe(
        venues,
        summary,
        id_field="venue_id",
        children_field="children",
        radius_m=radius,
        season=_season(args.start, args.end),
        capacity=args.capacity,
        uptake_share=args.uptake,
        lessons=args.lessons,
        lessons_per_week=args.per_week,
        teams=args.teams,
    )
    args.out.write_bytes(schedule_calendar(result, lang=args.lang))
    table = schedule_table(result, args.lang)
    for path, fmt in ((args.csv, "csv"), (args.xlsx, "xlsx")):
        if path is not None:
            path.write_bytes(write_table(table, fmt=fmt, lang=args.lang, sheet_name="schedule"))
            print(f"Wrote the courses to {path}")
    print(f"Scheduled {len(result.courses)} course(s) at {len(venues)} site(s); wrote {args.out}")
    if len(result.unscheduled):
        print(
            f"{len(result.unscheduled)} course(s) found no room in the season: add teams (--teams), "
            "lengthen the season (--start, --end) or lower --uptake",
            file=sys.stderr,
        )
    return EXIT_OK


def _season(start: str | None, end: str | None) -> tuple[date, date]:
    """Return the season from ``--start`` and ``--end`` (DD/MM/YYYY or YYYY-MM-DD); this year's by default."""
    periods = default_season(date.today().year)
    first = parse_day(start, field="start") if start else periods[0].start
    last = parse_day(end, field="end") if end else periods[-1].end
    return first, last
