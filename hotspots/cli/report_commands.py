"""The ``report`` command: the province summary, one commune's action sheet, or every commune's, as PDF.

:func:`register` adds it to the main parser of :mod:`hotspots.cli.commands`::

    python -m hotspots report tong-hop.pdf                          # the province summary
    python -m hotspots report --commune QN-C01 phieu-QN-C01.pdf     # one commune's action sheet
    python -m hotspots report --commune all --lang en sheets.pdf    # every commune, one page each

The layers come from the store of record (``HOTSPOTS_DATABASE_URL`` or the default SQLite
file), or from a folder of GeoJSON files with ``--geodata``. Inspections are judged on
today's date in Việt Nam unless ``--today`` names another day. Exit codes: 0 written,
1 unknown commune or unusable data, 2 unreadable files or any other error.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Final

from hotspots.cli.layers import read_layers
from hotspots.config import DEFAULT_RESCUE_RADIUS_M, DEFAULT_SWIM_RADIUS_M
from hotspots.i18n import DEFAULT_LANGUAGE, LANGUAGES
from hotspots.reports import commune_sheets_pdf, prepare_sheets, province_summary_pdf

EXIT_OK: Final = 0
#: ``--commune`` value asking for every commune's sheet in one file.
ALL_COMMUNES: Final = "all"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` command to the main command line.

    Parameters
    ----------
    subparsers
        What ``ArgumentParser.add_subparsers()`` returned in :mod:`hotspots.cli.commands`.
    """
    parser = subparsers.add_parser(
        "report",
        help="print the province summary or the communes' action sheets to PDF",
        description="Write the province summary (without --commune), one commune's action sheet "
        "(--commune ID) or every commune's sheet, one A4 page each (--commune all), as a PDF.",
    )
    parser.add_argument("out", type=Path, help="PDF file to write (replaced if it exists)")
    parser.add_argument(
        "--commune", default=None, metavar="ID", help="a commune id for its action sheet, or 'all'"
    )
    parser.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE, help="language of the text")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="judge the inspections due on this day (default: today in Viet Nam)",
    )
    parser.add_argument(
        "--swim-radius",
        type=float,
        default=DEFAULT_SWIM_RADIUS_M,
        metavar="M",
        help=f"reach of a swimming class in metres (default {DEFAULT_SWIM_RADIUS_M})",
    )
    parser.add_argument(
        "--rescue-radius",
        type=float,
        default=DEFAULT_RESCUE_RADIUS_M,
        metavar="M",
        help=f"reach of a rescue training in metres (default {DEFAULT_RESCUE_RADIUS_M})",
    )
    parser.add_argument(
        "--geodata", type=Path, default=None, help="read the layers from this folder of GeoJSON files"
    )
    parser.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show full tracebacks"
    )
    parser.set_defaults(func=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Write the PDF the arguments ask for and say where; return the exit code."""
    layers = read_layers(args.geodata)
    inputs = prepare_sheets(
        layers, today=args.today, swim_radius_m=args.swim_radius, rescue_radius_m=args.rescue_radius
    )
    if args.commune is None:
        data = province_summary_pdf(inputs, lang=args.lang)
        what = "the province summary"
    elif args.commune == ALL_COMMUNES:
        data = commune_sheets_pdf(inputs, lang=args.lang)
        what = f"the action sheets of {len(inputs.commune_ids)} communes"
    else:
        data = commune_sheets_pdf(inputs, [args.commune], lang=args.lang)
        what = f"the action sheet of {inputs.commune(args.commune)['name']}"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"Wrote {what} to {args.out}")
    return EXIT_OK
