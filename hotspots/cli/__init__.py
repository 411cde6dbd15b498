"""The command line: ``python -m hotspots``."""

from __future__ import annotations

from hotspots.cli.commands import (
    COMMAND_MODULES,
    EXIT_ERROR,
    EXIT_INVALID,
    EXIT_OK,
    Command,
    build_parser,
    main,
)

__all__ = [
    "COMMAND_MODULES",
    "EXIT_ERROR",
    "EXIT_INVALID",
    "EXIT_OK",
    "Command",
    "build_parser",
    "main",
]
