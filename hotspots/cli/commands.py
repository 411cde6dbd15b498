"""Command line: check files, export layers, print statistics, build the sample data.

Usage::

    python -m hotspots validate points.csv --layer risk_points
    python -m hotspots export --layer risk_points --format xlsx risk_points.xlsx
    python -m hotspots stats
    python -m hotspots build-sample

Exit codes: 0 done (or the file is valid), 1 invalid data, 2 unreadable file, unknown format
or an unexpected error. Messages are for people; a traceback is shown only with ``--debug``.

Adding commands: a module with ``register(subparsers)`` that adds its parsers and sets
``func`` (a function of the parsed arguments returning the exit code) on each, listed in
:data:`COMMAND_MODULES`. The built-in commands below follow the same pattern.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

import geopandas as gpd

from hotspots.config import GEODATA_DIR
from hotspots.errors import HotspotsError, UnreadableFileError, ValidationError
from hotspots.formats import EXPORT_FORMATS, load_geodata_layer, load_province, write_layer
from hotspots.schema import LAYERS, get_layer_schema
from hotspots.store import open_store
from hotspots.validation import ReferenceData, read_layer_file

EXIT_OK: Final = 0
EXIT_INVALID: Final = 1
EXIT_ERROR: Final = 2
#: Modules that add more commands through ``register(subparsers)``, imported when the parser is built.
COMMAND_MODULES: Final = (
    "hotspots.cli.store_commands",
    "hotspots.cli.report_commands",
    "hotspots.cli.plan_commands",
)

Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit code.

    Parameters
    ----------
    argv
        Arguments without the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    int
        0 done, 1 invalid data, 2 unreadable input or unexpected error (130 when interrupted).
    """
    _use_utf8_output()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        return _report_exception(exc)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every built-in and plug-in command."""
    parser = argparse.ArgumentParser(
        prog="python -m hotspots",
        description="Drowning-risk hotspot mapper: check, export and summarise map layers.",
    )
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in (_register_validate, _register_export, _register_stats, _register_build_sample):
        register(subparsers)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(subparsers)
    return parser


# --------------------------------------------------------------------------------------
# Private helpers: one registration and one run function per command


def _register_validate(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        parents=[_common_options()],
        help="check a file and list every problem in it",
        description="Check a GeoJSON, CSV, KML, GPX, GeoPackage or Excel file against a layer's rules "
        "and the province map. Prints one line per problem. Exit code 0 valid, 1 invalid, 2 unreadable.",
    )
    parser.add_argument("file", type=Path, help="file to check")
    parser.add_argument("--layer", default="risk_points", choices=list(LAYERS), help="layer the file holds")
    parser.set_defaults(func=_run_validate)


def _register_export(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        parents=[_common_options()],
        help="write a layer to GeoJSON, CSV, KML, GeoPackage or Excel",
        description="Write a layer to a file. The format comes from --format or the file's extension.",
    )
    parser.add_argument("out", type=Path, help="file to write (replaced if it exists)")
    parser.add_argument("--layer", default="risk_points", choices=list(LAYERS), help="layer to export")
    parser.add_argument("--format", dest="fmt", choices=list(EXPORT_FORMATS), help="file format")
    parser.set_defaults(func=_run_export)


def _register_stats(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "stats",
        parents=[_common_options()],
        help="count features per layer, black spots and communes without a play space",
    )
    parser.set_defaults(func=_run_stats)


def _register_build_sample(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build-sample",
        parents=[_common_options(geodata=False)],
        help="rebuild the shipped sample data in geodata/ (needs requirements-build.txt)",
    )
    parser.add_argument("--out", type=Path, default=None, help=f"folder to write (default {GEODATA_DIR})")
    parser.set_defaults(func=_run_build_sample)


def _run_validate(args: argparse.Namespace) -> int:
    schema = get_layer_schema(args.layer)
    reference = _reference_layers(args.geodata or GEODATA_DIR, layer=args.layer)
    report = read_layer_file(args.file, layer=schema.name, reference=reference)
    total = len(report.valid) + len(report.rejected)
    if report.ok:
        print(f"OK: {len(report.valid)} features valid")
        for problem in report.warnings:
            print(_one_line(problem))
        return EXIT_OK
    for problem in report.problems:
        print(_one_line(problem))
    print(
        f"INVALID: {len(report.errors)} error(s), {len(report.warnings)} warning(s); "
        f"{len(report.rejected)} of {total} feature(s) rejected",
        file=sys.stderr,
    )
    return EXIT_INVALID


def _run_export(args: argparse.Namespace) -> int:
    gdf = _load_layer_for_export(args.layer, args.geodata)
    path = write_layer(gdf, args.out, layer=args.layer, fmt=args.fmt)
    print(f"Wrote {len(gdf)} feature(s) of layer '{args.layer}' to {path}")
    return EXIT_OK


def _run_stats(args: argparse.Namespace) -> int:
    layers: dict[str, gpd.GeoDataFrame] = {}
    print("Features per layer:")
    for name in LAYERS:
        try:
            layers[name] = _load_layer_for_export(name, args.geodata)
        except UnreadableFileError:
            print(f"  {name:<18} not available")
            continue
        print(f"  {name:<18} {len(layers[name]):>6}")
    if not layers:
        source = args.geodata or "the store"
        print(f"No data in {source}: build the sample data with: python -m hotspots build-sample")
        return EXIT_ERROR
    points = layers.get("risk_points")
    if points is not None:
        levels = points["risk_level"].value_counts()
        by_level = ", ".join(f"{level} {count}" for level, count in levels.items())
        print(f"Black spots: {int(levels.get('black_spot', 0))} of {len(points)} risk points ({by_level})")
    communes = layers.get("communes")
    if communes is not None:
        without = communes[~communes["has_play_space"].astype(bool)]
        print(f"Communes without a children's play space: {len(without)} of {len(communes)}")
        for name in sorted(without["name"], key=_vietnamese_order):
            print(f"  - {name}")
    return EXIT_OK


def _run_build_sample(args: argparse.Namespace) -> int:
    # Build-only code (the sample_build package, which needs requirements-build.txt), so it is
    # imported only when asked for: `import hotspots` never imports it.
    try:
        from sample_build import build_sample
    except ImportError as exc:
        print(
            f"error: the sample builder cannot be imported ({_one_line(exc)}); install the build "
            "dependencies with: pip install -r requirements-build.txt",
            file=sys.stderr,
        )
        return EXIT_ERROR

    written = build_sample(args.out) if args.out is not None else build_sample()
    print(f"Sample data written ({len(written)} file(s)):")
    for name, path in written.items():
        print(f"  {name:<18} {path}")
    return EXIT_OK


def _load_layer_for_export(name: str, directory: Path | None) -> gpd.GeoDataFrame:
    """Read the layer the export and stats commands work on.

    The one place where these commands read data: the store of record (the same database as
    the app, ``HOTSPOTS_DATABASE_URL`` or the default SQLite file), or the files in
    ``directory`` when ``--geodata`` names a folder.
    """
    if directory is not None:
        return load_geodata_layer(name, directory)
    with open_store() as store:
        return store.read_layer(name)


def _reference_layers(directory: Path, *, layer: str) -> ReferenceData:
    """Province outline and communes to check a file against (None when not shipped)."""
    province = None
    if layer != "province" and (directory / "province.geojson").is_file():
        province = load_province(directory)
    elif directory != GEODATA_DIR and layer != "province":
        msg = f"There is no province.geojson in {directory}; the --geodata folder needs the province outline."
        raise UnreadableFileError(msg)
    communes = None
    if "commune_id" in get_layer_schema(layer).field_names and (directory / "communes.geojson").is_file():
        communes = load_geodata_layer("communes", directory)
    return ReferenceData(province=province, communes=communes)


def _common_options(*, geodata: bool = True) -> argparse.ArgumentParser:
    """Options every command accepts after its name (``--debug`` may also come first)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show full tracebacks"
    )
    if geodata:
        parser.add_argument(
            "--geodata",
            type=Path,
            default=None,
            help=(
                "read the layers from this folder of GeoJSON files instead of the store "
                f"(validate checks against the province outline in it; default {GEODATA_DIR})"
            ),
        )
    return parser


def _report_exception(exc: Exception) -> int:
    """Print an error for people and return its exit code."""
    if isinstance(exc, ValidationError):
        print(_one_line(str(exc).splitlines()[0]), file=sys.stderr)
        for problem in exc.problems:
            print(_one_line(problem), file=sys.stderr)
        return EXIT_INVALID
    if isinstance(exc, UnreadableFileError):
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    if isinstance(exc, HotspotsError):
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_INVALID
    if isinstance(exc, OSError):
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_ERROR
    print(
        f"unexpected error ({type(exc).__name__}: {_one_line(exc)}); rerun with --debug to see the details",
        file=sys.stderr,
    )
    return EXIT_ERROR


def _vietnamese_order(name: str) -> tuple[str, str]:
    """Sort key in Vietnamese alphabetical order: accents ignored first, đ right after d."""
    folded = unicodedata.normalize("NFD", name.casefold().replace("đ", "d{"))
    return "".join(c for c in folded if not unicodedata.combining(c)), name


def _one_line(value: object) -> str:
    return " ".join(str(value).split())


def _use_utf8_output() -> None:
    """Write UTF-8 whatever the console's locale, so Vietnamese names print."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            reconfigure(encoding="utf-8")
        except (ValueError, OSError):
            continue
