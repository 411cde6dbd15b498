"""Entry point of ``python -m hotspots``: see :mod:`hotspots.cli.commands`."""

from hotspots.cli.commands import main

if __name__ == "__main__":
    raise SystemExit(main())
