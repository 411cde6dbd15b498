"""Entry point of ``python -m hotspots``: see :mod:`hotspots.cli`."""

from hotspots.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
