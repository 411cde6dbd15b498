"""Entry point of ``python -m sample_build [--out DIR] [--cache-dir DIR]``: rebuild the sample."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from hotspots.config import GEODATA_DIR
from hotspots.errors import HotspotsError
from sample_build.build import build_sample
from sample_build.settings import DEFAULT_CACHE_DIR


def main(argv: Sequence[str] | None = None) -> int:
    """Rebuild the sample geodata and return the exit code (0 done, 1 build refused).

    Parameters
    ----------
    argv
        Arguments without the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    int
        0 when every file was written, 1 when the build stopped with a message.
    """
    parser = argparse.ArgumentParser(
        prog="python -m sample_build",
        description="Rebuild the shipped sample geodata (needs requirements-build.txt).",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=GEODATA_DIR,
        metavar="DIR",
        help=f"folder to write (default {GEODATA_DIR})",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=DEFAULT_CACHE_DIR,
        metavar="DIR",
        help=f"folder for downloads and extracted inputs (default {DEFAULT_CACHE_DIR})",
    )
    args = parser.parse_args(argv)
    try:
        written = build_sample(args.out, cache_dir=args.cache_dir)
    except HotspotsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Sample data written ({len(written)} file(s)):")
    for name, path in written.items():
        print(f"  {name:<18} {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
