"""Command-line commands of the store of record: import, history, db upgrade, db backup.

:func:`register` adds them to the main parser of :mod:`hotspots.cli.commands`::

    python -m hotspots import points.geojson --skip-invalid --as "Nguyễn Thị Lan"
    python -m hotspots import checked-points.geojson --approved --as "Trưởng phòng"
    python -m hotspots history QN-0042
    python -m hotspots db upgrade
    python -m hotspots db backup backups/

The database is ``HOTSPOTS_DATABASE_URL`` when set, else the default SQLite
file. The commands never seed the sample data: a store filled from the command
line holds exactly what was imported. Imported risk points wait for review as
``pending`` unless ``--approved`` says an officer has checked them. Exit codes:
0 done, 1 invalid data (nothing written unless ``--skip-invalid``), 2 unreadable
file or any other error.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Final, TextIO

import pandas as pd

from hotspots.errors import HotspotsError, Problem, ValidationError
from hotspots.schema import LAYERS
from hotspots.store import ImportResult, open_store
from hotspots.store.migrations import latest_version

EXIT_OK: Final = 0
EXIT_INVALID: Final = 1
EXIT_ERROR: Final = 2
#: Problems printed before "... and N more" (the rejected-rows file has them all).
MAX_PROBLEMS_SHOWN: Final = 20


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the store's commands to the main command line.

    Each command sets ``func``: a function of the parsed arguments returning the exit code.

    Parameters
    ----------
    subparsers
        What ``ArgumentParser.add_subparsers()`` returned in :mod:`hotspots.cli.commands`.
    """
    imp = subparsers.add_parser(
        "import",
        help="check a file and add its features to the store",
        description="Check a file, print what was found, then add its new features to the store "
        "(all or nothing unless --skip-invalid). Importing the same file twice adds nothing.",
    )
    imp.add_argument("file", type=Path, help="file to import: GeoJSON, CSV, KML, GPX, GeoPackage or Excel")
    imp.add_argument("--layer", default="risk_points", choices=list(LAYERS), help="layer the file holds")
    imp.add_argument(
        "--skip-invalid", action="store_true", help="import the valid features, list the others in a CSV file"
    )
    imp.add_argument("--rejected-out", type=Path, help="where to write the rejected features (CSV)")
    imp.add_argument(
        "--approved",
        action="store_true",
        help="risk points: store them with the file's statuses, skipping review "
        "(without it every imported point waits for review as 'pending')",
    )
    imp.add_argument("--as", dest="user", default=_default_user(), help="your name, kept in the history")
    imp.set_defaults(func=_guarded(_import))

    hist = subparsers.add_parser("history", help="list every change of a risk point")
    hist.add_argument("point_id", help="id of the risk point, e.g. QN-0042")
    hist.add_argument("--layer", default="risk_points", choices=list(LAYERS), help="layer of the feature")
    hist.set_defaults(func=_guarded(_history))

    db = subparsers.add_parser("db", help="database maintenance: upgrade, backup")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="{upgrade,backup}")
    upgrade = db_commands.add_parser(
        "upgrade", help="bring the tables to the newest version (safe to repeat)"
    )
    upgrade.set_defaults(func=_guarded(_upgrade))
    backup = db_commands.add_parser("backup", help="write a consistent copy while the app runs")
    backup.add_argument("out", help="backup file to create, or a directory (ending in /) to create it in")
    backup.set_defaults(func=_guarded(_backup))


def _import(args: argparse.Namespace, out: TextIO) -> int:
    with open_store(seed=False) as store:
        print(f"Checking {args.file} (layer {args.layer}) for {store.url}", file=out)
        report = store.preview_import(args.file, layer=args.layer)
        print(
            f"  {len(report.valid)} valid, {len(report.rejected)} rejected, "
            f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)",
            file=out,
        )
        _print_problems(report.problems, out)
        if report.errors and not args.skip_invalid:
            print(
                "Nothing was imported: correct the errors above, or use --skip-invalid to import "
                "the valid features and list the others in a CSV file.",
                file=sys.stderr,
            )
            return EXIT_INVALID
        result = store.import_file(
            args.file,
            layer=args.layer,
            user=args.user,
            skip_invalid=args.skip_invalid,
            rejected_out=args.rejected_out,
            approved=args.approved,
        )
    print(_summary(result), file=out)
    if result.pending_review:
        print(
            f"{result.pending_review} risk point(s) wait for review as 'pending' "
            "(approve them in the app, or import with --approved).",
            file=out,
        )
    return EXIT_OK


def _history(args: argparse.Namespace, out: TextIO) -> int:
    with open_store(seed=False) as store:
        frame = store.history(args.point_id, layer=args.layer)
    print(f"History of {args.point_id} ({len(frame)} change(s), times in UTC)", file=out)
    for row in frame.itertuples(index=False):
        when = row.at[:19].replace("T", " ")
        print(f"{when}  {row.user:<20}  {row.action:<10}  {_describe(row)}", file=out)
    return EXIT_OK


def _upgrade(args: argparse.Namespace, out: TextIO) -> int:
    with open_store(seed=False, upgrade=False) as store:
        applied = store.upgrade()
    done = f"applied {', '.join(map(str, applied))}" if applied else "nothing to do"
    print(f"{store.url}: schema version {latest_version()} ({done})", file=out)
    return EXIT_OK


def _backup(args: argparse.Namespace, out: TextIO) -> int:
    with open_store(seed=False) as store:
        path = store.backup(args.out)
    print(f"Backup written to {path} ({path.stat().st_size:,} bytes)", file=out)
    return EXIT_OK


def _guarded(command: Callable[[argparse.Namespace, TextIO], int]) -> Callable[[argparse.Namespace], int]:
    """Wrap a command: print errors for people, not tracebacks (unless ``--debug``), and map exit codes."""

    def run(args: argparse.Namespace) -> int:
        try:
            return command(args, sys.stdout)
        except ValidationError as exc:
            if getattr(args, "debug", False):
                raise
            print(" ".join(str(exc).splitlines()[0].split()), file=sys.stderr)
            _print_problems(exc.problems, sys.stderr)
            return EXIT_INVALID
        except (HotspotsError, OSError) as exc:
            if getattr(args, "debug", False):
                raise
            print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
            return EXIT_ERROR

    return run


def _print_problems(problems: list[Problem], out: TextIO) -> None:
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        print(f"  - {problem}", file=out)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        print(f"  ... and {len(problems) - MAX_PROBLEMS_SHOWN} more", file=out)


def _summary(result: ImportResult) -> str:
    text = f"Imported: {result.added} added, {result.skipped_existing} already in the store"
    if result.rejected:
        text += f", {result.rejected} rejected (listed in {result.rejected_path})"
    return text + "."


def _describe(row: object) -> str:
    """One line saying what a history row changed."""
    old, new = row.old, row.new
    if row.action == "inspection":
        found = new["inspection"]["findings"]
        return f"{row.what}: {found}"
    if old is None or not isinstance(new, dict):
        return str(row.what)
    changes = "; ".join(f"{key}: {_short(old.get(key))} → {_short(new.get(key))}" for key in new)
    reason = f" ({row.reason})" if row.reason else ""
    return changes + reason


def _short(value: object) -> str:
    text = "—" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "command line"
