"""Command-line commands of the store of record: import, history, users, db upgrade, db backup.

:func:`register` adds them to the main parser of :mod:`hotspots.cli.commands`::

    python -m hotspots users add quantri --role admin --display-name "Trần Văn Hùng"
    python -m hotspots users add canbo_xa --role field --commune CM-07 --as quantri
    python -m hotspots users list
    python -m hotspots users unlock canbo_xa --as quantri
    python -m hotspots import points.geojson --skip-invalid --as canbo_xa
    python -m hotspots import checked-points.geojson --approved --as truongphong
    python -m hotspots history QN-0042
    python -m hotspots db upgrade
    python -m hotspots db backup backups/
    python -m hotspots db grant-readonly qgis_office

The database is ``HOTSPOTS_DATABASE_URL`` when set, else the default SQLite
file. The commands never seed the sample data: a store filled from the command
line holds exactly what was imported. Imported risk points wait for review as
``pending`` unless ``--approved`` says an officer has checked them.

Every command that writes acts as a user of the store: ``--as NAME`` names the
account, whose password is asked for (without echo), or read from the first
line of standard input with ``--password-stdin``. ``users add`` then asks for
the new account's password twice (with ``--password-stdin``: the next line).
The first admin of a store is added without ``--as``; after that, only an admin
adds users. Exit codes: 0 done, 1 invalid data (nothing written unless
``--skip-invalid``), 2 unreadable file, refused login or permission, or any
other error.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final, TextIO

import pandas as pd

from hotspots.errors import HotspotsError, Problem, ValidationError
from hotspots.schema import LAYERS
from hotspots.store import ROLES, ImportResult, Store, User, open_store
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
    _acting_options(imp, required=True)
    imp.set_defaults(func=_guarded(_import))

    _register_users(subparsers)

    hist = subparsers.add_parser("history", help="list every change of a risk point")
    hist.add_argument("point_id", help="id of the risk point, e.g. QN-0042")
    hist.add_argument("--layer", default="risk_points", choices=list(LAYERS), help="layer of the feature")
    hist.set_defaults(func=_guarded(_history))

    db = subparsers.add_parser("db", help="database maintenance: upgrade, backup, grant-readonly")
    db_commands = db.add_subparsers(
        dest="db_command", required=True, metavar="{upgrade,backup,grant-readonly}"
    )
    upgrade = db_commands.add_parser(
        "upgrade", help="bring the tables to the newest version (safe to repeat)"
    )
    upgrade.set_defaults(func=_guarded(_upgrade))
    backup = db_commands.add_parser("backup", help="write a consistent copy while the app runs")
    backup.add_argument("out", help="backup file to create, or a directory (ending in /) to create it in")
    backup.set_defaults(func=_guarded(_backup))
    readonly = db_commands.add_parser(
        "grant-readonly",
        help="PostgreSQL: let a database role read the layer views (QGIS), and nothing else",
    )
    readonly.add_argument("role", help="an existing PostgreSQL role, e.g. qgis_office")
    readonly.set_defaults(func=_guarded(_grant_readonly))


def _register_users(subparsers: argparse._SubParsersAction) -> None:
    users = subparsers.add_parser("users", help="accounts that may change the store: add, list, unlock")
    commands = users.add_subparsers(dest="users_command", required=True, metavar="{add,list,unlock}")
    add = commands.add_parser(
        "add",
        help="add an account (the first admin of a store without --as)",
        description="Add an account with a bcrypt hash of its password. The first admin of a store "
        "is added without --as; afterwards an admin adds the others (--as).",
    )
    add.add_argument("name", help="login name: lower-case letters, digits, . _ @ -")
    add.add_argument("--role", dest="roles", action="append", required=True, choices=ROLES, help="repeatable")
    add.add_argument(
        "--commune", dest="communes", action="append", help="limit to this commune id (repeatable)"
    )
    add.add_argument("--display-name", help="the name recorded in the history (default: the login name)")
    add.add_argument("--email", help="address for single sign-on (st.login)")
    _acting_options(add, required=False)
    add.set_defaults(func=_guarded(_users_add))
    listing = commands.add_parser("list", help="list the accounts (never a password)")
    listing.set_defaults(func=_guarded(_users_list))
    unlock = commands.add_parser("unlock", help="end an account's lock-out after failed logins")
    unlock.add_argument("name", help="login name of the locked account")
    _acting_options(unlock, required=True)
    unlock.set_defaults(func=_guarded(_users_unlock))


def _acting_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument(
        "--as",
        dest="user",
        required=required,
        metavar="NAME",
        help="act as this account of the store (its password is asked for); recorded in the history",
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password(s) from standard input, one per line, instead of asking",
    )


def _import(args: argparse.Namespace, out: TextIO) -> int:
    with open_store(seed=False) as store:
        user = _log_in(store, args, _passwords(args))
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
            user=user,
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


def _users_add(args: argparse.Namespace, out: TextIO) -> int:
    passwords = _passwords(args)
    details = {"display_name": args.display_name, "email": args.email}
    with open_store(seed=False) as store:
        if args.user is None:
            if args.roles != ["admin"] or args.communes:
                print(
                    "error: name the admin who adds this account with --as "
                    "(only a store's first admin is added without --as, with --role admin alone).",
                    file=sys.stderr,
                )
                return EXIT_ERROR
            password = _new_password(args, passwords)
            name = store.add_first_admin(args.name, password=password, **details)
        else:
            admin = _log_in(store, args, passwords)
            password = _new_password(args, passwords)
            name = store.add_user(
                args.name, password=password, roles=args.roles, communes=args.communes, user=admin, **details
            )
    print(f"Added {name} ({', '.join(args.roles)}) to {store.url}", file=out)
    return EXIT_OK


def _users_list(args: argparse.Namespace, out: TextIO) -> int:
    with open_store(seed=False) as store:
        frame = store.users()
    print(f"{len(frame)} account(s) in {store.url}", file=out)
    for row in frame.itertuples(index=False):
        communes = "whole province" if row.communes is None else ", ".join(row.communes)
        locked = f"  locked until {row.locked_until} UTC" if row.locked_until else ""
        print(
            f"{row.name:<20}  {row.display_name:<24}  {', '.join(row.roles):<16}  {communes}{locked}",
            file=out,
        )
    return EXIT_OK


def _users_unlock(args: argparse.Namespace, out: TextIO) -> int:
    with open_store(seed=False) as store:
        admin = _log_in(store, args, _passwords(args))
        store.unlock_user(args.name, user=admin)
    print(f"Unlocked {args.name.strip().lower()}", file=out)
    return EXIT_OK


def _passwords(args: argparse.Namespace) -> Iterator[str] | None:
    """Return the lines of standard input with ``--password-stdin``, else ``None`` (ask each time)."""
    if not args.password_stdin:
        return None
    return iter(sys.stdin.read().splitlines())


def _log_in(store: Store, args: argparse.Namespace, passwords: Iterator[str] | None) -> User:
    """Authenticate the account named by ``--as`` (AuthenticationError when it fails)."""
    asked = passwords is None
    password = getpass.getpass(f"Password of {args.user}: ") if asked else next(passwords, "")
    return store.authenticate(args.user, password)


def _new_password(args: argparse.Namespace, passwords: Iterator[str] | None) -> str:
    """Return the new account's password: the next line of standard input, or asked twice."""
    if passwords is not None:
        return next(passwords, "")
    first = getpass.getpass(f"New password of {args.name}: ")
    if getpass.getpass("The same password again: ") != first:
        msg = "The two passwords differ: nothing was added."
        raise HotspotsError(msg)
    return first


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


def _grant_readonly(args: argparse.Namespace, out: TextIO) -> int:
    with open_store(seed=False) as store:
        views = store.grant_readonly(args.role)
    print(f"{args.role} may now read {', '.join(views)} ({store.url})", file=out)
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
