"""The data tables of the sample build: the files in ``sample_build/data/``, read once.

Names, hand-placed positions, hazards, notes and texts live there, not in the code, so
that they can be corrected without touching Python: TOML files (UTF-8, comments allowed)
and the README template. Lists keep their order, which the random draws depend on.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any


@cache
def load_table(name: str) -> dict[str, Any]:
    """Return the contents of ``data/<name>.toml``.

    Parameters
    ----------
    name
        File name without the ``.toml`` suffix.

    Returns
    -------
    dict of str to Any
        The parsed file; tables and arrays keep the order of the file.
    """
    with _data_file(f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


@cache
def load_text(filename: str) -> str:
    """Return the text of ``data/<filename>`` (UTF-8)."""
    return _data_file(filename).read_text(encoding="utf-8")


def _data_file(filename: str) -> Traversable:
    return resources.files(__package__) / "data" / filename
